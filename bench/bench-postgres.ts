/**
 * A PostgreSQL schema of its own for a benchmark run, as the test suites do (`cw_bench_<random>`): created before,
 * dropped after, and handed to carewindow through the URL (`options=-c search_path=…`, which `pg` passes to the
 * server), so `startServer` migrates and works inside it and nothing touches `public`.
 */
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export const DEFAULT_BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'
const CONNECT_TIMEOUT_MS = 3_000

export interface BenchSchema {
  /** The database URL with the schema as its search path. */
  readonly url: string
  readonly schema: string
  readonly serverVersion: string
  drop(): Promise<void>
}

/** Creates a fresh schema, or returns why PostgreSQL cannot be used. */
export async function createBenchSchema(url: string): Promise<BenchSchema | { readonly problem: string }> {
  const schema = `cw_bench_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  try {
    await client.connect()
    const version = await client.query<{ server_version: string }>('show server_version')
    await client.query(`create schema ${schema}`)
    return {
      url: withSearchPath(url, schema),
      schema,
      serverVersion: version.rows[0]?.server_version ?? '?',
      drop: () => dropSchema(url, schema),
    }
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) }
  } finally {
    await client.end().catch(() => undefined)
  }
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('options', `-c search_path=${schema}`)
  return parsed.toString()
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}

/** The URL without its password, for the report. */
export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@')
}

/** A store a benchmark runs on: its URL, a label for the report, and where it lives. */
export interface BenchStore {
  readonly url: string
  readonly label: string
  /** PostgreSQL: the schema and the server, for the report's last line. */
  readonly where?: string
}

/**
 * Runs `run` on a fresh SQLite file (removed afterwards), then on a fresh PostgreSQL schema (dropped afterwards),
 * each only if asked for; an unreachable PostgreSQL is reported and skipped.
 */
export async function onEachBenchStore(
  stores: ReadonlySet<'sqlite' | 'postgres'>,
  postgresUrl: string,
  write: (text: string) => void,
  run: (store: BenchStore) => Promise<void>,
): Promise<void> {
  if (stores.has('sqlite')) {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-bench-'))
    try {
      await run({ url: `sqlite:${join(directory, 'carewindow.db')}`, label: 'SQLite (WAL)' })
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  }
  if (!stores.has('postgres')) return
  const schema = await createBenchSchema(postgresUrl)
  if ('problem' in schema) {
    write(
      `\n  PostgreSQL skipped: ${redactPassword(postgresUrl)} is unreachable (${schema.problem}); ` +
        'set CAREWINDOW_BENCH_DATABASE_URL\n',
    )
    return
  }
  try {
    await run({
      url: schema.url,
      label: `PostgreSQL ${schema.serverVersion.split(' ')[0] ?? ''}`,
      where: `schema ${schema.schema} in ${redactPassword(postgresUrl)}`,
    })
  } finally {
    await schema.drop()
  }
}

/** CPU time of the PostgreSQL and Redis server processes on this machine (µs), from /proc; null off Linux. */
export function databaseCpuMicros(): number | null {
  try {
    const ticksPerSecond = 100
    let ticks = 0
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (name !== 'postgres' && name !== 'redis-server') continue
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    }
    return (ticks / ticksPerSecond) * 1_000_000
  } catch {
    return null
  }
}

/** PostgreSQL's write-ahead log written so far, in bytes (the whole server's, `pg_stat_wal`); null when unknown. */
export async function walBytes(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  try {
    await client.connect()
    const result = await client.query<{ wal_bytes: string }>('select wal_bytes from pg_stat_wal')
    const bytes = Number(result.rows[0]?.wal_bytes)
    return Number.isFinite(bytes) ? bytes : null
  } catch {
    return null
  } finally {
    await client.end().catch(() => undefined)
  }
}
