import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * A notification that fails to apply is retried later (`retry_at`) without holding up the ones behind it, and after
 * its last attempt is kept as a dead letter (`dead_at`) until an operator retries or discards it. Decisions about
 * what it concerns are refused meanwhile, so each receipt must name every subject it concerns: one in `subject`,
 * or several (`+`) in `receipt_subjects`, which holds rows only for receipts not yet processed.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  // Instants and receipt ids are 64-bit on PostgreSQL (`bigint`, as `bigserial` ids are); SQLite's integers are.
  const int64 = dialect === 'postgres' ? 'bigint' : 'integer'
  await db.schema
    .alterTable('webhook_receipts')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('webhook_receipts').addColumn('retry_at', int64).execute()
  await db.schema.alterTable('webhook_receipts').addColumn('dead_at', int64).execute()
  await db.schema
    .createTable('receipt_subjects')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('receipt_id', int64, (c) => c.notNull().references('webhook_receipts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('receipt_subjects_pk', ['subject', 'receipt_id'])
    .execute()
  await db.schema
    .createIndex('receipt_subjects_receipt')
    .on('receipt_subjects')
    .column('receipt_id')
    .execute()
  // Dead letters are listed by operators; the few there are, in id order.
  await db.schema
    .createIndex('webhook_receipts_dead')
    .on('webhook_receipts')
    .column('id')
    .where(sql.ref('dead_at'), 'is not', null)
    .execute()
}
