import { describe, expect, it } from 'vitest'
import { DAY_MS, utcDate } from '../time.js'
import { priceOf, type RateCard } from './rate-card.js'
import { SAMPLE_RATE_CARDS } from './sample-rate-cards.js'
import { ownCardsFrom, rateCardsForTenant } from './tenant-rate-cards.js'

const OCTOBER_2025 = utcDate('2025-10-01')

function card(id: string, effectiveFrom: number, marketing: number): RateCard {
  return {
    id,
    label: id,
    currency: 'EUR',
    effectiveFrom,
    isSample: false,
    rates: { NL: { marketing } },
  }
}

const own = [
  card('acme-2025-10', OCTOBER_2025, 159_700),
  card('acme-2026-01', utcDate('2026-01-01'), 160_000),
]
/** A configured card published after the tenant's first own card. */
const laterConfigured = card('config-2025-11', utcDate('2025-11-01'), 999_000)
const configured = [...SAMPLE_RATE_CARDS, laterConfigured]

describe('rateCardsForTenant', () => {
  it('uses the configured cards, as they are, for a tenant without cards of its own', () => {
    expect(rateCardsForTenant(configured, [])).toBe(configured)
  })

  it.each([
    ['1 ms before its first card', OCTOBER_2025 - 1, 'sample-2025-pmp'],
    ['the instant its first card takes effect', OCTOBER_2025, 'acme-2025-10'],
    ['1 ms after it', OCTOBER_2025 + 1, 'acme-2025-10'],
    ['after a configured card published later', utcDate('2025-12-01'), 'acme-2025-10'],
    ['when its second card takes effect', utcDate('2026-01-01'), 'acme-2026-01'],
  ])('prices with the right card %s', (_when, at, expected) => {
    expect(priceOf(rateCardsForTenant(configured, own), 'NL', 'marketing', at)?.rateCardId).toBe(expected)
  })

  it('keeps the configured cards for dates before the tenant’s first card, so past traffic keeps its prices', () => {
    const cards = rateCardsForTenant(configured, own)
    expect(cards.map((item) => item.id)).toEqual([
      ...SAMPLE_RATE_CARDS.map((item) => item.id),
      'acme-2025-10',
      'acme-2026-01',
    ])
    expect(priceOf(cards, 'NL', 'marketing', utcDate('2024-01-01'))?.rateCardId).toBe('sample-2023-cbp')
  })

  it('leaves messages before the tenant’s first card unpriced when nothing is configured', () => {
    const cards = rateCardsForTenant([], own)
    expect(priceOf(cards, 'NL', 'marketing', OCTOBER_2025 - DAY_MS)).toBeNull()
    expect(priceOf(cards, 'NL', 'marketing', OCTOBER_2025)?.amountMicros).toBe(159_700)
  })
})

describe('ownCardsFrom', () => {
  it('is the earliest effective date of a tenant’s cards, in any order, and undefined without cards', () => {
    expect(ownCardsFrom([...own].reverse())).toBe(OCTOBER_2025)
    expect(ownCardsFrom([])).toBeUndefined()
  })
})
