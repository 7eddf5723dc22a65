import type { Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * Each tenant's own rate cards, stored through the API or the CLI (domain/pricing/tenant-rate-cards.ts says how
 * they combine with the config file's). A card is kept as the engine holds it: `countries_json` (country → group,
 * or null) and `rates_json` (market → category → millionths of `currency`). `source` says how it came: `api`
 * (JSON) or `csv` (an import). Ids are the tenant's own: two tenants may both have a card `meta-2026-10-eur`.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const instant = dialect === 'postgres' ? 'bigint' : 'integer'
  await db.schema
    .createTable('rate_cards')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('effective_from', instant, (c) => c.notNull())
    .addColumn('is_sample', 'integer', (c) => c.notNull())
    .addColumn('countries_json', 'text')
    .addColumn('rates_json', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_cards_pk', ['tenant_id', 'id'])
    .execute()
}
