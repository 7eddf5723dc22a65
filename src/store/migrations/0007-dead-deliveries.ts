import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * Deliveries to a tenant's webhook that the outbox gave up on (`dead`) are listed and re-driven by operators, per
 * tenant and oldest first; each shows when it was last tried. Deliveries stored before this keep `NULL` there.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  // Instants are 64-bit on PostgreSQL (`bigint`); SQLite's integers are.
  const instant = dialect === 'postgres' ? 'bigint' : 'integer'
  await db.schema.alterTable('webhook_deliveries').addColumn('last_attempt_at', instant).execute()
  // Only the dead ones: the few an operator looks at, by tenant, in the order they are listed.
  await db.schema
    .createIndex('webhook_deliveries_dead')
    .on('webhook_deliveries')
    .columns(['tenant_id', 'created_at', 'id'])
    .where(sql.ref('status'), '=', 'dead')
    .execute()
}
