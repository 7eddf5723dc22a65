import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * PostgreSQL: the throughput limits' table is UNLOGGED. Every send on a number updates that number's one row, each
 * in a statement of its own; logged, each of those commits waited for the write-ahead log to reach the disk while
 * holding the row's lock, so the sends on one number queued behind each other's disk flushes. Unlogged, the write
 * commits without waiting. What it costs: after a crash of the database server the table is empty, and every
 * number starts again with its full burst — the limits are carewindow's courtesy ahead of Meta's own, which still
 * answers an excess with its throughput errors. (SQLite writes the row inside the process's own transactions.)
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'postgres') return
  await sql`alter table rate_limits set unlogged`.execute(db)
}
