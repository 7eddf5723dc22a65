import type { Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * Notifications `carewindow import` took from a file, by the SHA-256 of their JSON: importing a file again (or a
 * run a crash cut short) skips what is already here. Each row names the stored notification it became, and is
 * written in the transaction that stores and applies it.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const integer = dialect === 'postgres' ? 'bigint' : 'integer'
  await db.schema
    .createTable('imported_notifications')
    .addColumn('digest', 'text', (column) => column.primaryKey())
    .addColumn('notification_id', integer, (column) => column.notNull())
    .addColumn('imported_at', integer, (column) => column.notNull())
    .execute()
}
