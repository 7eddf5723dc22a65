import { setTimeout as sleep } from 'node:timers/promises'

export interface WaitOptions {
  /** Give up after this long; generous, because a loaded CI machine is slow, and a passing run never waits it out. */
  readonly timeoutMs?: number
  readonly intervalMs?: number
}

/**
 * Polls `probe` until it returns something truthy and returns that; throws after `timeoutMs` with `what` and the
 * last value seen. Tests wait for conditions this way instead of sleeping, so they assert on outcomes, never on
 * timing.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const intervalMs = options.intervalMs ?? 20
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = await probe()
    if (last) return last
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${String(last)})`)
    await sleep(intervalMs)
  }
}
