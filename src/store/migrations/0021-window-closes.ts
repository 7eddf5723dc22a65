import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * The window closes the scheduler announces are filed in `window_closes`, beside the window row, instead of being
 * written onto it as `announced = 'closed'` (kysely/window-closes.ts).
 *
 * Keyed by the expiry the window was announced open at, then the contact (without a rowid on SQLite): a scheduler
 * round appends its closes to the same few pages, where updating the window rows wrote one page per close, each at
 * a random place in a table of every contact. Rows already marked closed stay as they are; readers accept both.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const instant = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer')
  await sql`create table window_closes (
      announced_expires_at ${instant} not null,
      channel_id text not null,
      contact_id text not null,
      expires_at ${instant} not null,
      primary key (announced_expires_at, channel_id, contact_id)
    )${sql.raw(dialect === 'sqlite' ? ' without rowid' : '')}`.execute(db)
}
