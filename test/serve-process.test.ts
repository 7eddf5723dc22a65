import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freePort, listenLocally } from './support/local-server.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const scriptVersion = spawnSync('script', ['--version'], { encoding: 'utf8' })
const hasScript = scriptVersion.error === undefined && /util-linux/.test(scriptVersion.stdout)
const { version: VERSION } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
}

/** `carewindow …` as its own process, as a newcomer runs it, on a database in a directory of the test's own. */
class CarewindowProcess {
  stdout = ''
  stderr = ''
  private readonly exited: Promise<number | null>

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8')
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8')
    })
    this.exited = once(child, 'close').then(([code]) => code as number | null)
  }

  static start(args: readonly string[], env: NodeJS.ProcessEnv): CarewindowProcess {
    return new CarewindowProcess(
      spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    )
  }

  /** Resolves once the start-up banner is out; rejects if the process ends first. */
  async listening(): Promise<string> {
    const deadline = Date.now() + 50_000
    while (!this.isBannerOut()) {
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`carewindow did not start:\n${this.stderr}\n${this.stdout}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return this.stderr
  }

  private isBannerOut(): boolean {
    if (!this.stderr.includes('  Health: ')) return false
    return (
      !this.stderr.includes('  Sandbox: ') || this.stderr.includes('/v1/messages/<x-carewindow-message-id>')
    )
  }

  /** SIGTERM (a graceful shutdown), and its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
    return this.exited
  }

  exit(): Promise<number | null> {
    return this.exited
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL')
  }
}

/** stdout's lines, each of which must be a JSON log line. */
function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

// Starting Node with tsx takes a few seconds on a busy machine; the limit only stops a hung process.
describe('carewindow serve as a process', { timeout: 120_000 }, () => {
  let directory: string
  let env: NodeJS.ProcessEnv
  const processes: CarewindowProcess[] = []
  const servers: Server[] = []

  const carewindow = (args: readonly string[], extra: NodeJS.ProcessEnv = {}) => {
    const started = CarewindowProcess.start(args, { ...env, ...extra })
    processes.push(started)
    return started
  }

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-serve-'))
    // The test run's environment without carewindow's own variables or a platform's PORT; the sandbox key file
    // goes next to the database, in the test's directory.
    env = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('CAREWINDOW_') && name !== 'PORT'),
      ),
      CAREWINDOW_DATABASE_URL: `sqlite:${join(directory, 'carewindow.db')}`,
    }
  })
  afterEach(async () => {
    for (const started of processes.splice(0)) started.kill()
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
    await rm(directory, { recursive: true, force: true })
  })

  it('refuses a port in use with one line saying how to choose another, exit 1, and no sandbox key made', async () => {
    const holder = createServer()
    servers.push(holder)
    const port = await listenLocally(holder)

    const gateway = carewindow(['serve', '--port', String(port)])

    expect(await gateway.exit()).toBe(1)
    expect(gateway.stderr).toBe(
      `carewindow: cannot listen on 127.0.0.1:${port}: the port is in use (another carewindow, or another program). Choose another port with --port, CAREWINDOW_PORT or PORT (as platforms such as Heroku, Render and Cloud Run set it), e.g. --port ${port + 1}.\n`,
    )
    expect(logLines(gateway.stdout).every((line) => line.level !== undefined)).toBe(true)
    expect(existsSync(join(directory, 'sandbox.json'))).toBe(false)
  })

  it('listens on PORT, prints its banner on stderr and logs its facts, without the key, as a JSON line on stdout', async () => {
    const port = await freePort()
    const gateway = carewindow(['serve'], { PORT: String(port) })

    const banner = await gateway.listening()
    expect(banner).toContain(`carewindow ${VERSION} is listening on http://127.0.0.1:${port}`)
    const key = /API key: +(\S+)/.exec(banner)?.[1] ?? ''
    expect(key).toMatch(/^cw_/)
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
    expect(await gateway.stop()).toBe(0)

    const lines = logLines(gateway.stdout)
    expect(lines.map((line) => line.msg)).toContain('shutting down')
    // stderr is not a terminal here: the banner's facts are in the log too, as one line, without the key.
    expect(lines.filter((line) => line.msg === 'carewindow is listening')).toEqual([
      expect.objectContaining({
        level: 30,
        url: `http://127.0.0.1:${port}`,
        store: `sqlite:${join(directory, 'carewindow.db')}`,
        version: VERSION,
        sandbox: { tenant: 'sandbox', channel: '100000000000001', keyFile: join(directory, 'sandbox.json') },
      }),
    ])
    expect(gateway.stdout).not.toContain(key)
  })

  // util-linux's script(1) runs a command on a pseudo-terminal, as a person at a terminal would see it.
  it.skipIf(!hasScript)(
    'on a terminal, pretty-prints its log through pino-pretty and stops on Ctrl-C',
    async () => {
      const serve = [
        process.execPath,
        '--import',
        'tsx',
        'src/cli/bin.ts',
        'serve',
        '--port',
        String(await freePort()),
      ]
      // script(1) runs the command through $SHELL -c. `exec` makes the gateway the terminal's foreground process
      // whatever the shell: a shell left waiting in between (dash, say) would be ended by the Ctrl-C itself.
      const command = `exec ${serve.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ')}`
      const terminal = spawn(
        'script',
        ['--quiet', '--return', '--flush', '--command', command, '/dev/null'],
        {
          cwd: ROOT,
          env: { ...env, NO_COLOR: '1', SHELL: '/bin/sh' },
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      )
      let screen = ''
      terminal.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString('utf8')
      })
      const closed = once(terminal, 'close')
      try {
        const deadline = Date.now() + 50_000
        while (!screen.includes('/v1/messages/<x-carewindow-message-id>') && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50))
        expect(screen, 'the banner before the Ctrl-C').toContain('/v1/messages/<x-carewindow-message-id>')
        terminal.stdin.write('\x03')
        const [code] = (await closed) as [number | null]
        expect(code).toBe(0)
      } finally {
        terminal.kill('SIGKILL')
      }
      const lines = screen.split(/\r?\n/)
      // The terminal echoes the Ctrl-C as ^C, wherever on the line the cursor is.
      expect(lines).toContainEqual(expect.stringMatching(/\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: shutting down$/))
      expect(lines.filter((line) => line.startsWith('{'))).toEqual([])
      // The banner is on the screen: the start-up line is not logged as well.
      expect(screen).not.toContain('carewindow is listening\r\n')
    },
  )

  it('shows the sandbox key and walk-through again after carewindow tenant add', async () => {
    const first = carewindow(['serve', '--port', String(await freePort())])
    const key = /API key: +(\S+)/.exec(await first.listening())?.[1] ?? ''
    expect(await first.stop()).toBe(0)

    const tenant = carewindow(['tenant', 'add', '--id', 'acme'])
    expect(await tenant.exit()).toBe(0)

    const again = carewindow(['serve', '--port', String(await freePort())])
    const banner = await again.listening()
    expect(banner).toContain(`  API key:        ${key}   (from ${join(directory, 'sandbox.json')})`)
    expect(banner).toContain('# 1. Reply to a customer who never wrote')
  })
})
