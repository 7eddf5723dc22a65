import { runCli, type CliOutput } from '../../src/cli/main.js'

/** What a `carewindow …` command ended with and wrote. */
export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the command in-process, as `carewindow …` would, capturing what it writes. */
export async function carewindow(...args: string[]): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const output: CliOutput = {
    out: (text) => {
      stdout += text
    },
    err: (text) => {
      stderr += text
    },
  }
  const code = await runCli(['node', 'carewindow', ...args], output)
  return { code, stdout, stderr }
}
