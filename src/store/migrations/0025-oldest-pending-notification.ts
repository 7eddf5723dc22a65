import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * PostgreSQL: the oldest notification the inbox may take, read by a function planned along the unprocessed index
 * only — the same exposure, and the same remedy, as the claim of migration 0023. A drain that waits for the
 * backlog asks for it after every batch; planned from the statistics of a quiet table it could gather and sort the
 * whole backlog each time. It locks nothing: rows a worker is applying are still pending, and a drain must see them.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'postgres') return
  await sql`create function oldest_pending_notification(pending_at bigint)
    returns bigint
    language sql stable
    set enable_bitmapscan = off
    set enable_sort = off
    as $$
      select id from webhook_notifications
      where processed_at is null and dead_at is null and (retry_at is null or retry_at <= pending_at)
      order by id limit 1
    $$`.execute(db)
}
