import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { isClockOffsetSet, type SetClockOffset } from './controlled-clock.js'
import { freePort } from './local-server.js'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const START_ATTEMPTS = 3
const READY_TIMEOUT_MS = 60_000
/** How long a child may take to answer a clock move before the test gives up on it. */
const CLOCK_ANSWER_TIMEOUT_MS = 30_000

export interface GatewayProcessOptions {
  /**
   * Run under a clock the test moves ({@link GatewayProcess.setClockOffset}): ./serve-with-controlled-clock.ts,
   * which is `serve` with that one difference, instead of src/cli/bin.ts. Off by default: the system clock, as in
   * production.
   */
  readonly isClockControlled?: boolean
  /** Environment variables for the child (carewindow's own are otherwise left out: the config file decides). */
  readonly env?: Readonly<Record<string, string>>
}

/**
 * carewindow as its own process, the way it runs in production: `node --import tsx src/cli/bin.ts serve
 * --config <file> --port <port>`. It can be stopped gracefully (SIGTERM) or killed outright (SIGKILL), and, when
 * started with `isClockControlled`, have its clock moved forward.
 */
export class GatewayProcess {
  private output = ''
  private readonly exited: Promise<number | null>

  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:PORT` */
    readonly url: string,
    private readonly isClockControlled: boolean,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.record(chunk)
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      this.record(chunk)
    })
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code)
      })
    })
  }

  /** Starts the gateway on a free port and resolves once it answers `/readyz`. */
  static async start(configPath: string, options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
    const isClockControlled = options.isClockControlled ?? false
    const command = isClockControlled
      ? ['test/support/serve-with-controlled-clock.ts']
      : ['src/cli/bin.ts', 'serve']
    let problem = ''
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      // A port found free may be taken before the child binds it; then another one is tried.
      const port = await freePort()
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', ...command, '--config', configPath, '--port', String(port)],
        {
          cwd: REPO_ROOT,
          env: { ...childEnvironment(), ...options.env },
          stdio: isClockControlled ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
        },
      )
      const gateway = new GatewayProcess(child, `http://127.0.0.1:${port}`, isClockControlled)
      if (await gateway.becomesReady()) return gateway
      await gateway.kill()
      problem = gateway.log()
    }
    throw new Error(`carewindow did not start after ${START_ATTEMPTS} attempts:\n${problem}`)
  }

  /** What it wrote to stdout and stderr (the last 20 kB), for failure messages. */
  log(): string {
    return this.output
  }

  /**
   * Runs the child's clock at `offsetMs` from the system clock (it only moves forward) and resolves once the child
   * has done so. Only for a process started with `isClockControlled`.
   */
  async setClockOffset(offsetMs: number): Promise<void> {
    if (!this.isClockControlled)
      throw new Error('this gateway runs on the system clock (see isClockControlled)')
    const child = this.child
    await new Promise<void>((resolve, reject) => {
      const settle = (problem: string | null): void => {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (problem === null) resolve()
        else reject(new Error(`${problem}\n${this.log()}`))
      }
      const onMessage = (message: unknown): void => {
        if (!isClockOffsetSet(message) || message.offsetMs !== offsetMs) return
        settle(message.problem === undefined ? null : `the clock was not moved: ${message.problem}`)
      }
      const onExit = (): void => {
        settle('carewindow exited before it moved its clock')
      }
      const timer = setTimeout(() => {
        settle(`carewindow did not move its clock within ${CLOCK_ANSWER_TIMEOUT_MS} ms`)
      }, CLOCK_ANSWER_TIMEOUT_MS)
      child.on('message', onMessage)
      child.once('exit', onExit)
      const move: SetClockOffset = { type: 'set-clock-offset', offsetMs }
      child.send(move, (error) => {
        if (error !== null) settle(`the clock move could not be sent: ${error.message}`)
      })
    })
  }

  /** `kill -9`: no shutdown, no flush — whatever was not committed is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM: carewindow's graceful shutdown; killed if it does not exit within 30 s. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }

  private record(chunk: Buffer): void {
    this.output = (this.output + chunk.toString('utf8')).slice(-20_000)
  }

  private async becomesReady(): Promise<boolean> {
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return false
      try {
        const response = await fetch(`${this.url}/readyz`)
        await response.body?.cancel()
        if (response.ok) return true
      } catch {
        // not listening yet
      }
      await sleep(50)
    }
    return false
  }
}

/** The test run's environment without carewindow's own variables: the config file alone decides. */
function childEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CAREWINDOW_')))
}
