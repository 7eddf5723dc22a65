import { sql, type Kysely } from 'kysely'

/**
 * An index of the notifications that are failing: set aside for a retry, or dead, and not applied. The inbox asks
 * whether there is any at each poll (`hasFailingNotifications`), and without this index the question walked every
 * unapplied notification: 12 ms a poll on SQLite with a backlog of some 50,000 after a webhook storm
 * (`npm run bench -- http`), on the event loop, and longer as the backlog grows. The index holds only the few
 * failing ones, so the answer is one lookup however long the backlog.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index webhook_notifications_failing on webhook_notifications (id)
    where processed_at is null and (retry_at is not null or dead_at is not null)`.execute(db)
}
