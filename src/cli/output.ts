/** Where the CLI writes; tests pass their own. */
export interface CliOutput {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** Whether `err` is a terminal (progress bars are drawn there; anything else gets plain lines). */
  readonly isErrTerminal?: boolean
}

/**
 * Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input, 3 done except for some of the input (an
 * import's bad lines, each reported).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, incomplete: 3 } as const

/** A problem with what the user gave the command: printed without a stack trace, exit code 2. */
export class InputError extends Error {}

/** The command could not do its work for a reason it explains (a port in use): printed without a stack trace, exit code 1. */
export class FailureError extends Error {}

/** The command did its work but left some of its input out, and said which: printed, exit code 3. */
export class IncompleteError extends Error {}
