import type { Instant, RateCard } from '../../domain/index.js'

/** How a stored card came: as JSON through the API, or imported from a CSV file (API or CLI). */
export type RateCardSource = 'api' | 'csv'

/** One of a tenant's own rate cards, as stored. */
export interface StoredRateCard {
  readonly tenantId: string
  readonly card: RateCard
  readonly source: RateCardSource
  readonly createdAt: Instant
  /** When it was last replaced (its `createdAt` until then). */
  readonly updatedAt: Instant
}

/**
 * Each tenant's own rate cards, effective-dated (domain/pricing/tenant-rate-cards.ts: from the earliest of them on
 * they replace the config file's cards for that tenant). Ids belong to the tenant.
 */
export interface RateCardStore {
  /** Creates the tenant's card with that id, or replaces it (keeping when it was first stored). */
  saveRateCard(record: StoredRateCard): Promise<void>
  /** A tenant's cards, oldest effective date first (then by id). */
  listRateCards(tenantId: string): Promise<StoredRateCard[]>
  /** `false` when the tenant has no card with that id. */
  deleteRateCard(tenantId: string, id: string): Promise<boolean>
}
