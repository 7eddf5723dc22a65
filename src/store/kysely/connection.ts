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
}

/** Runs one of the statements written out as SQL text (see sql-statement.ts) on the connection. */
export function run<R>(
  connection: Connection,
  sql: Statement,
  parameters: readonly SqlValue[],
): Promise<QueryResult<R>> {
  return runStatement<R>(connection.db as Kysely<unknown>, connection.dialect, sql, parameters)
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
