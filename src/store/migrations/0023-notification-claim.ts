import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * PostgreSQL: the inbox's claim as a function that plans it one way only — along the partial index of unprocessed
 * notifications, in id order, stopping after the batch.
 *
 * The plain statement left the choice to the planner, and the planner judged from statistics taken while the
 * table was quiet (or never taken: each `is null` then counts as 0.5 % of the rows), so it expected a handful of
 * unprocessed notifications. In a webhook storm it then gathered every unprocessed one with a bitmap scan and
 * sorted them all on disk, for each batch of 100: 91 ms a claim with a backlog of some 40,000
 * (`npm run bench -- http`, 905 claims), 69 ms with 50,000 in a table never analysed, against 1.1 ms along the
 * index — so a storm's backlog took minutes to apply. Without bitmap scans or sorts the index is the only way
 * left, and it costs the same whatever the statistics say. SQLite plans the statement along the index already.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'postgres') return
  await sql`create function claim_webhook_notifications(claim_at bigint, claim_limit integer)
    returns setof webhook_notifications
    language sql volatile
    set enable_bitmapscan = off
    set enable_sort = off
    as $$
      select * from webhook_notifications
      where processed_at is null and dead_at is null and (retry_at is null or retry_at <= claim_at)
      order by id limit claim_limit
      for update skip locked
    $$`.execute(db)
}
