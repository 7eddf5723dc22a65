import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GatewayError } from '../../src/shared/errors.js'
import { isStoreUnavailable } from '../../src/store/store-errors.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { freePort, listenLocally } from '../support/local-server.js'
import { postgresUrl, withPostgresClient } from '../support/postgres.js'
import { waitFor } from '../support/wait.js'

/** The error `work` fails with (the tests provoke real ones from real databases). */
async function failureOf(work: () => unknown): Promise<unknown> {
  try {
    await work()
  } catch (error) {
    return error
  }
  throw new Error('expected it to fail')
}

describe('isStoreUnavailable, on PostgreSQL’s real errors', () => {
  it('recognises a refused connection (nothing listens on the port)', async () => {
    const url = new URL(postgresUrl())
    url.host = `127.0.0.1:${await freePort()}`
    const client = new pg.Client({ connectionString: url.toString() })

    expect(isStoreUnavailable(await failureOf(() => client.connect()))).toBe(true)
  })

  it('recognises a connection the server terminated (57P01) and the queries after it', async () => {
    const client = new pg.Client({ connectionString: postgresUrl() })
    await client.connect()
    const errors: unknown[] = []
    // It reports the termination, then the connection's end.
    client.on('error', (error) => errors.push(error))
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid
    await withPostgresClient((admin) => admin.query('select pg_terminate_backend($1)', [pid]))

    const error = await waitFor('the termination to be reported', () => errors[0])
    expect((error as { code?: string }).code).toBe('57P01')
    expect(isStoreUnavailable(error)).toBe(true)
    expect(isStoreUnavailable(await failureOf(() => client.query('select 1')))).toBe(true)
  })

  it('recognises a pool that had no connection to give within its connection timeout', async () => {
    // A second long enough for the first connection on a loaded machine; the query then waits it out behind it.
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 1, connectionTimeoutMillis: 1_000 })
    const held = await pool.connect()
    try {
      expect(isStoreUnavailable(await failureOf(() => pool.query('select 1')))).toBe(true)
    } finally {
      held.release()
      await pool.end()
    }
  })

  it('gives up on a server that takes the connection but never answers, after the connection timeout', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    const port = await listenLocally(silent)
    const store = await openPostgresStore({
      url: `postgres://postgres@127.0.0.1:${port}/test`,
      migrate: false,
      connectTimeoutMs: 100,
    })
    try {
      expect(isStoreUnavailable(await failureOf(() => store.ping()))).toBe(true)
    } finally {
      await store.close()
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })

  it('does not take a query’s own mistake for an outage', async () => {
    const error = await failureOf(() => withPostgresClient((client) => client.query('selec 1')))

    expect((error as { code?: string }).code).toBe('42601')
    expect(isStoreUnavailable(error)).toBe(false)
  })
})

describe('isStoreUnavailable, on SQLite’s real errors', () => {
  let directory: string
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-store-errors-'))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it('recognises a database another connection keeps locked (SQLITE_BUSY)', () => {
    const path = join(directory, 'locked.db')
    const holder = new BetterSqlite3(path)
    const writer = new BetterSqlite3(path)
    try {
      holder.pragma('journal_mode = WAL')
      holder.exec('create table t (x integer)')
      writer.pragma('busy_timeout = 0')
      holder.exec('begin exclusive')

      const error = (() => {
        try {
          writer.exec('insert into t values (1)')
        } catch (caught) {
          return caught
        }
        return undefined
      })()

      expect((error as { code?: string }).code).toBe('SQLITE_BUSY')
      expect(isStoreUnavailable(error)).toBe(true)
    } finally {
      holder.close()
      writer.close()
    }
  })

  it('recognises a database file that cannot be opened (SQLITE_CANTOPEN)', async () => {
    // A directory where the file should be, as a wrong `sqlite:` path or a volume mounted over it gives.
    const error = await failureOf(() => new BetterSqlite3(directory))

    expect((error as { code?: string }).code).toBe('SQLITE_CANTOPEN')
    expect(isStoreUnavailable(error)).toBe(true)
  })

  it('does not take a constraint violation for an outage', async () => {
    const database = new BetterSqlite3(':memory:')
    database.exec('create table t (x integer primary key)')
    database.exec('insert into t values (1)')

    const error = await failureOf(() => database.exec('insert into t values (1)'))

    expect((error as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/)
    expect(isStoreUnavailable(error)).toBe(false)
    database.close()
  })
})

describe('isStoreUnavailable, on other errors', () => {
  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a refusal of carewindow’s own', new GatewayError('INVALID_REQUEST', 'bad')],
    ['a non-error', 'ECONNREFUSED'],
  ])('says no to %s', (_label, error) => {
    expect(isStoreUnavailable(error)).toBe(false)
  })

  it('looks through causes and the parts of an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })

    expect(isStoreUnavailable(new Error('query failed', { cause: refused }))).toBe(true)
    expect(isStoreUnavailable(new AggregateError([new Error('other'), refused]))).toBe(true)
  })
})
