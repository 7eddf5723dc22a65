import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * What the business was last told of a contact's window — `open` or `closed`, and for which expiry — kept on the
 * window row itself, so `window.opened` and `window.closed` go out once per window whichever path (a customer's
 * message, the scheduler, another instance) gets there first. Before, it was read off the status of the
 * `window.closed` job: pending meant announced open, done announced closed; the existing rows are filled that way.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('windows').addColumn('announced', 'text').execute()
  await db.schema
    .alterTable('windows')
    .addColumn('announced_expires_at', dialect === 'postgres' ? 'bigint' : 'integer')
    .execute()
  const closedJob = sql`(select status from jobs where jobs.id = 'window.closed:' || windows.channel_id || ':' || windows.contact_id)`
  await sql`update windows set
      announced = case ${closedJob} when 'pending' then 'open' when 'done' then 'closed' end,
      announced_expires_at = case when ${closedJob} in ('pending', 'done') then expires_at end
    where expires_at is not null`.execute(db)
}
