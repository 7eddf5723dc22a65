import type { Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * Throughput limits shared by every instance on one database: one row per limited key (a number, or a number and
 * one of its contacts) holding the GCRA's theoretical arrival time in microseconds (`tat_us`), and whether the
 * statement that last wrote it admitted its send (`admitted`, 0/1) — which is how one `insert … on conflict do
 * update … returning` tells its caller what it decided. A row whose time has passed is as good as none.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const integer = dialect === 'postgres' ? 'bigint' : 'integer'
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('tat_us', integer, (column) => column.notNull())
    .addColumn('admitted', 'integer', (column) => column.notNull())
    .execute()
}
