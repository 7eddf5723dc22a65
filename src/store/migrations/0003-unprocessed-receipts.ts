import { sql, type Kysely } from 'kysely'

/**
 * The inbox's claim (`where processed_at is null order by id limit ?`, `for update skip locked` on PostgreSQL)
 * gets an index of the unprocessed receipts only, in id order. PostgreSQL never used `(processed_at, id)` for it:
 * it walked the primary key and filtered out every processed receipt on each claim (100,000 processed rows cost
 * about 100 ms per batch of 100), so the drain slowed as the table grew. The partial index holds only the
 * backlog, and the old index (which every processed receipt also wrote to) is dropped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('webhook_receipts_unprocessed')
    .on('webhook_receipts')
    .column('id')
    .where(sql.ref('processed_at'), 'is', null)
    .execute()
  await db.schema.dropIndex('webhook_receipts_pending').execute()
}
