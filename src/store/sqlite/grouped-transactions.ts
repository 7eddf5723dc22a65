import { sql, type Kysely, type Transaction } from 'kysely'
import { Batches, type Settled } from '../group-commit.js'
import type { Database } from '../schema.js'

/** SQLite transactions run together in one database transaction at most. */
const MAX_GROUPED_TRANSACTIONS = 64

/**
 * Group commit for SQLite transactions. SQLite has one writer, so transactions run one after the other anyway;
 * those asked for in the same turn of the event loop run in one database transaction, each inside a savepoint of
 * its own, and share its commit — most of a small transaction's cost. Each caller is answered after that commit,
 * so what it wrote is as durable as before; one that fails is rolled back to its savepoint and fails alone, and
 * the others commit. `runInside` runs one piece of work on the open transaction.
 */
export function groupedTransactions<W>(
  database: Kysely<Database>,
  runInside: (trx: Transaction<Database>, work: W) => Promise<unknown>,
): Batches<W, unknown> {
  return new Batches<W, unknown>(
    (works) =>
      database.transaction().execute(async (trx) => {
        // Alone, a failing work fails the transaction itself: nothing to keep, no savepoint needed.
        if (works.length === 1 && works[0] !== undefined) return [{ value: await runInside(trx, works[0]) }]
        const outcomes: Settled<unknown>[] = []
        for (const work of works) {
          await sql`savepoint grouped`.execute(trx)
          try {
            outcomes.push({ value: await runInside(trx, work) })
          } catch (error) {
            await sql`rollback to grouped`.execute(trx)
            outcomes.push({ error })
          }
          await sql`release grouped`.execute(trx)
        }
        return outcomes
      }),
    MAX_GROUPED_TRANSACTIONS,
  )
}
