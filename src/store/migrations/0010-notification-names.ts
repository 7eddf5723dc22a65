import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/** Each index of the stored notifications: its name before, its name after and its definition. */
const INDEXES = [
  {
    before: 'webhook_receipts_unprocessed',
    after: 'webhook_notifications_unprocessed',
    create: (db: Kysely<unknown>) =>
      db.schema
        .createIndex('webhook_notifications_unprocessed')
        .on('webhook_notifications')
        .column('id')
        .where(sql.ref('processed_at'), 'is', null),
  },
  {
    before: 'webhook_receipts_unprocessed_subject',
    after: 'webhook_notifications_unprocessed_subject',
    create: (db: Kysely<unknown>) =>
      db.schema
        .createIndex('webhook_notifications_unprocessed_subject')
        .on('webhook_notifications')
        .columns(['subject', 'id'])
        .where(sql.ref('processed_at'), 'is', null),
  },
  {
    before: 'webhook_receipts_dead',
    after: 'webhook_notifications_dead',
    create: (db: Kysely<unknown>) =>
      db.schema
        .createIndex('webhook_notifications_dead')
        .on('webhook_notifications')
        .column('id')
        .where(sql.ref('dead_at'), 'is not', null),
  },
  {
    before: 'receipt_subjects_receipt',
    after: 'notification_subjects_notification',
    create: (db: Kysely<unknown>) =>
      db.schema
        .createIndex('notification_subjects_notification')
        .on('notification_subjects')
        .column('notification_id'),
  },
] as const

/**
 * One word for a stored webhook notification: the inbox's tables, columns and indexes called it a receipt
 * (`webhook_receipts`, `receipt_subjects.receipt_id`); they now say notification, as the code, metrics and docs do.
 * Rows, keys and references are unchanged. PostgreSQL renames indexes and the id sequence in place; SQLite, which
 * cannot rename an index, builds each again under its new name.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('webhook_receipts').renameTo('webhook_notifications').execute()
  await db.schema.alterTable('receipt_subjects').renameTo('notification_subjects').execute()
  await db.schema.alterTable('notification_subjects').renameColumn('receipt_id', 'notification_id').execute()
  if (dialect === 'postgres') {
    for (const index of INDEXES)
      await sql`alter index ${sql.id(index.before)} rename to ${sql.id(index.after)}`.execute(db)
    await sql`alter table notification_subjects rename constraint receipt_subjects_pk to notification_subjects_pk`.execute(
      db,
    )
    await sql`alter table notification_subjects rename constraint receipt_subjects_receipt_id_fkey to notification_subjects_notification_id_fkey`.execute(
      db,
    )
    await sql`alter sequence webhook_receipts_id_seq rename to webhook_notifications_id_seq`.execute(db)
    await sql`alter table webhook_notifications rename constraint webhook_receipts_pkey to webhook_notifications_pkey`.execute(
      db,
    )
    return
  }
  for (const index of INDEXES) {
    await db.schema.dropIndex(index.before).execute()
    await index.create(db).execute()
  }
}
