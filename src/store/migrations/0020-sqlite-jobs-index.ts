import type { Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * SQLite goes back to `jobs_due (status, due_at)`; PostgreSQL keeps 0019's partial index of pending jobs.
 *
 * Measured on SQLite, one million jobs, a scheduler round completing 500 of them by id: with the partial index the
 * completions took 20–40 % longer (3.7–6.8 s against 3.1–4.8 s for 100,000 jobs, alternating runs), and
 * `npm run bench -- scheduler` spent 130 µs of CPU per event against 106–109 µs with the full index. On PostgreSQL
 * the partial index is as fast to complete a job through and a little faster to claim from, so it stays.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'sqlite') return
  await db.schema.dropIndex('jobs_pending_due').execute()
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'due_at']).execute()
}
