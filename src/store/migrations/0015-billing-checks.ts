import { sql, type Kysely } from 'kysely'

/**
 * Reconciliation with Meta, kept on the message: `billing_check` is `match`, or the likely cause of a mismatch
 * (domain/pricing/reconciliation.ts), once a status notification brought Meta's `pricing`; `billing_differences_json`
 * the fields that differ. Null until then. The partial index serves the list of mismatches, which stays small.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('billing_check', 'text').execute()
  await db.schema.alterTable('messages').addColumn('billing_differences_json', 'text').execute()
  await sql`create index messages_billing_mismatches on messages (tenant_id, at)
    where billing_check is not null and billing_check <> 'match'`.execute(db)
}
