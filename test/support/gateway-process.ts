import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './local-server.js'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const START_ATTEMPTS = 3
const READY_TIMEOUT_MS = 60_000

/**
 * carewindow as its own process, the way it runs in production: `node --import tsx src/cli/bin.ts serve
 * --config <file> --port <port>`. It can be stopped gracefully (SIGTERM) or killed outright (SIGKILL).
 */
export class GatewayProcess {
  private output = ''
  private readonly exited: Promise<number | null>

  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:PORT` */
    readonly url: string,
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
  static async start(configPath: string): Promise<GatewayProcess> {
    let problem = ''
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      // A port found free may be taken before the child binds it; then another one is tried.
      const port = await freePort()
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--config', configPath, '--port', String(port)],
        { cwd: REPO_ROOT, env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
      )
      const gateway = new GatewayProcess(child, `http://127.0.0.1:${port}`)
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
