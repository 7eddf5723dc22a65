import type { Kysely, QueryResult } from 'kysely'
import type { SqlDialect } from '../migrations/migrations.js'
import type { Database } from '../schema.js'
import { runStatement, type SqlValue, type Statement } from '../sql-statement.js'

/**
 * What each aggregate's queries run on: one Kysely instance — the database, or a transaction — with its dialect.
 * `locks` is true inside a PostgreSQL transaction, where a read meant for a read-modify-write locks its rows and a
 * claim skips the rows another worker holds (SQLite has a single writer and needs neither).
 */
export interface Connection {
  readonly db: Kysely<Database>
  readonly dialect: SqlDialect
  readonly locks: boolean
  /** Inside a SQLite transaction: runs SQL text on the connection it holds, at once (see {@link RunAtOnce}). */
  readonly runAtOnce?: RunAtOnce | undefined
}

/**
 * Runs SQL text at once on the one connection a SQLite transaction holds. better-sqlite3's calls are synchronous;
 * through Kysely each statement also passes its connection provider and a few promises. Measured (one machine,
 * 50,000 upserts in a transaction): 5.2 µs a statement through Kysely, 1.5 µs at once — an inbound message runs six
 * of the statements written out as text, a send five. Only a transaction's store has it: the root store's
 * statements wait for the connection through Kysely, so one never lands inside another's open transaction.
 */
export type RunAtOnce = (sql: string, parameters: readonly SqlValue[]) => QueryResult<unknown>

/** Runs one of the statements written out as SQL text (see sql-statement.ts) on the connection. */
export function run<R>(
  connection: Connection,
  sql: Statement,
  parameters: readonly SqlValue[],
): Promise<QueryResult<R>> {
  const { runAtOnce } = connection
  if (runAtOnce === undefined)
    return runStatement<R>(connection.db as Kysely<unknown>, connection.dialect, sql, parameters)
  // A statement that throws rejects, as through Kysely.
  return new Promise((resolve) => {
    resolve(runAtOnce(sql.sqlite, parameters) as QueryResult<R>)
  })
}

/** Ids per `in (…)` list: SQLite limits the bound parameters of one statement. */
const IDS_PER_QUERY = 500

/** Runs `read` over the distinct ids in slices and joins what each slice found (each id at most once). */
export async function inSlices<T>(
  ids: readonly string[],
  read: (slice: string[]) => Promise<T[]>,
): Promise<T[]> {
  const distinct = [...new Set(ids)]
  const found: T[] = []
  for (let start = 0; start < distinct.length; start += IDS_PER_QUERY)
    found.push(...(await read(distinct.slice(start, start + IDS_PER_QUERY))))
  return found
}
