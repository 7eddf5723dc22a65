import type { Kysely } from 'kysely'

/**
 * An Idempotency-Key names the message it decided, in the transaction that records the message and before the
 * message goes upstream: when the outcome cannot be stored (the database dropped during the Graph call), a retry
 * with the key finds the message instead of sending it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('message_id', 'text').execute()
}
