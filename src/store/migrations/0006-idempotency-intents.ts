import { sql, type Kysely } from 'kysely'

/**
 * An Idempotency-Key names the message it decided, in the transaction that records the message and before the
 * message goes upstream: when the outcome cannot be stored (the database dropped during the Graph call), a retry
 * with the key finds the message instead of sending it again, and sends left `pending` are found and settled.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('message_id', 'text').execute()
  await db.schema
    .createIndex('idempotency_keys_message')
    .on('idempotency_keys')
    .column('message_id')
    .execute()
  // Sends whose outcome was never recorded are looked for by age; the index holds only them.
  await db.schema
    .createIndex('messages_pending')
    .on('messages')
    .column('created_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute()
}
