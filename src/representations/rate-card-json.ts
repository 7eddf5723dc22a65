import { formatInstant, formatMicros, type RateCard } from '../domain/index.js'
import type { StoredRateCard } from '../store/store.js'

/**
 * A rate card in the native API: the shape the config file's `rate_cards` and `PUT /v1/rate-cards/{id}` take —
 * amounts as decimal strings in the card's currency — so a card read can be edited and sent back.
 */
export function rateCardJson(card: RateCard): Record<string, unknown> {
  return {
    id: card.id,
    label: card.label,
    currency: card.currency,
    effective_from: formatInstant(card.effectiveFrom),
    is_sample: card.isSample,
    ...(card.countries === undefined ? {} : { countries: card.countries }),
    rates: Object.fromEntries(
      Object.entries(card.rates).map(([market, rates]) => [
        market,
        Object.fromEntries(
          Object.entries(rates).map(([category, micros]) => [category, formatMicros(micros)]),
        ),
      ]),
    ),
  }
}

/** One of a tenant's own cards, with how and when it was stored. */
export function storedRateCardJson(stored: StoredRateCard): Record<string, unknown> {
  return {
    ...rateCardJson(stored.card),
    source: stored.source,
    created_at: formatInstant(stored.createdAt),
    updated_at: formatInstant(stored.updatedAt),
  }
}

/** A card in a list that shows what it is, not its prices. */
export function rateCardSummaryJson(card: RateCard): Record<string, unknown> {
  return {
    id: card.id,
    label: card.label,
    currency: card.currency,
    effective_from: formatInstant(card.effectiveFrom),
    is_sample: card.isSample,
  }
}
