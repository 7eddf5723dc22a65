import type { Instant } from '../time.js'
import type { RateCard } from './rate-card.js'

/**
 * The cards a tenant's messages are priced from: the configured ones (the config file's `rate_cards`, shared by
 * every tenant) and the tenant's own (stored through the API or the CLI). A tenant's cards replace the configured
 * ones from the earliest of them on. Before that date the configured cards still price its messages, so earlier
 * traffic keeps its prices; from it only the tenant's own cards do, so a card added to the config later never
 * overrides prices a business loaded for itself. Without cards of its own, a tenant uses the configured ones.
 */
export function rateCardsForTenant(
  configured: readonly RateCard[],
  own: readonly RateCard[],
): readonly RateCard[] {
  const from = ownCardsFrom(own)
  if (from === undefined) return configured
  return Object.freeze([...configured.filter((card) => card.effectiveFrom < from), ...own])
}

/** When a tenant's own cards take over from the configured ones; `undefined` when it has none. */
export function ownCardsFrom(own: readonly RateCard[]): Instant | undefined {
  let from: Instant | undefined
  for (const card of own) if (from === undefined || card.effectiveFrom < from) from = card.effectiveFrom
  return from
}
