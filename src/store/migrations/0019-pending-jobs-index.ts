import { sql, type Kysely } from 'kysely'

/**
 * The scheduler's index holds pending jobs only. `jobs_due` on `(status, due_at)` held every job: completing one
 * moved its entry from the pending part of the index to the done part (a deletion and an insertion), and the done
 * part only grew, since done jobs are kept. Indexing `due_at` where `status = 'pending'` makes completing a job one
 * index deletion and keeps the index as small as the work still due. The claim names the status as a literal, so
 * both databases' planners can tell that the partial index applies.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_due').execute()
  await db.schema
    .createIndex('jobs_pending_due')
    .on('jobs')
    .column('due_at')
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute()
}
