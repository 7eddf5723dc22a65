import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * SQLite files each window close the scheduler announces in `window_closes`, beside the window row, instead of
 * writing `announced = 'closed'` onto the row (sqlite/window-closes.ts). PostgreSQL keeps the row update.
 *
 * Keyed by the expiry the window was announced open at, then the contact, and without a rowid: a scheduler round
 * appends its closes to the same few pages, where updating the window rows wrote one page per close, each at a
 * random place in the table. Rows already marked closed stay as they are; readers accept both.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'sqlite') return
  await sql`create table window_closes (
      announced_expires_at integer not null,
      channel_id text not null,
      contact_id text not null,
      expires_at integer not null,
      primary key (announced_expires_at, channel_id, contact_id)
    ) without rowid`.execute(db)
}
