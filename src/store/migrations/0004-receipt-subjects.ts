import { sql, type Kysely } from 'kysely'

/**
 * Each stored notification says which decisions it can change (`subject`: a contact, none, or — `null` — any), so a
 * send waits for the notifications about its own contact, not for a whole storm's backlog. The index holds the
 * backlog only, by subject in id order: a send's claim and its wait look up their contact and the unscoped rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_receipts').addColumn('subject', 'text').execute()
  await db.schema
    .createIndex('webhook_receipts_unprocessed_subject')
    .on('webhook_receipts')
    .columns(['subject', 'id'])
    .where(sql.ref('processed_at'), 'is', null)
    .execute()
}
