import type { StoredRateCard } from '../store.js'
import type { Connection } from './connection.js'
import { rateCardOf } from './rows.js'

/** Each tenant's own rate cards (RateCardStore), one row per card (migration 0016). */

export async function saveRateCard(c: Connection, record: StoredRateCard): Promise<void> {
  const { card } = record
  const values = {
    label: card.label,
    currency: card.currency,
    effective_from: card.effectiveFrom,
    is_sample: card.isSample ? 1 : 0,
    countries_json: card.countries === undefined ? null : JSON.stringify(card.countries),
    rates_json: JSON.stringify(card.rates),
    source: record.source,
    updated_at: record.updatedAt,
  }
  await c.db
    .insertInto('rate_cards')
    .values({ ...values, tenant_id: record.tenantId, id: card.id, created_at: record.createdAt })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'id']).doUpdateSet(values))
    .execute()
}

export async function listRateCards(c: Connection, tenantId: string): Promise<StoredRateCard[]> {
  const rows = await c.db
    .selectFrom('rate_cards')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('effective_from')
    .orderBy('id')
    .execute()
  return rows.map(rateCardOf)
}

export async function deleteRateCard(c: Connection, tenantId: string, id: string): Promise<boolean> {
  const result = await c.db
    .deleteFrom('rate_cards')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
