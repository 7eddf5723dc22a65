import { describe, expect, it } from 'vitest'

import { utcDate } from '../time.js'
import { RATE_CATEGORIES, formatMicros, freeOf, priceOf, rateCardAt, type RateCard } from './rate-card.js'

const JUNE_2023 = utcDate('2023-06-01')
const JULY_2025 = utcDate('2025-07-01')

const cbp2023: RateCard = {
  id: 'cbp-2023',
  label: 'test card, conversation-based',
  currency: 'USD',
  effectiveFrom: JUNE_2023,
  isSample: true,
  countries: { US: 'North America', CA: 'North America', AT: 'Rest of Western Europe' },
  rates: {
    NL: { marketing: 160_000, utility: 80_000, service: 96_500 },
    'North America': { marketing: 25_000, utility: 15_000, service: 8_800 },
    '*': { marketing: 60_400, utility: 36_500, service: 32_900 },
  },
}

const pmp2025: RateCard = {
  id: 'pmp-2025',
  label: 'test card, per-message',
  currency: 'EUR',
  effectiveFrom: JULY_2025,
  isSample: true,
  rates: {
    NL: { marketing: 147_000, utility: 46_000 },
    '*': { marketing: 55_000, utility: 7_400 },
  },
}

const cards = [cbp2023, pmp2025]

describe('RATE_CATEGORIES', () => {
  it('lists every category a card can price, once', () => {
    expect(new Set(RATE_CATEGORIES).size).toBe(RATE_CATEGORIES.length)
    expect(RATE_CATEGORIES).toContain('notification_in_window')
    expect(RATE_CATEGORIES).toContain('service')
  })
})

describe('rateCardAt', () => {
  it.each([
    ['before any card', JUNE_2023 - 1, undefined],
    ['exactly when the first card takes effect', JUNE_2023, 'cbp-2023'],
    ['1 ms before the next card', JULY_2025 - 1, 'cbp-2023'],
    ['exactly when the next card takes effect', JULY_2025, 'pmp-2025'],
    ['long after the last card', utcDate('2030-01-01'), 'pmp-2025'],
  ])('picks the card in force %s', (_label, at, id) => {
    expect(rateCardAt(cards, at)?.id).toBe(id)
  })

  it('does not depend on the order of the cards', () => {
    expect(rateCardAt([pmp2025, cbp2023], JULY_2025 - 1)?.id).toBe('cbp-2023')
    expect(rateCardAt([pmp2025, cbp2023], JULY_2025)?.id).toBe('pmp-2025')
  })

  it('finds nothing without cards', () => {
    expect(rateCardAt([], JULY_2025)).toBeUndefined()
  })
})

describe('priceOf', () => {
  it("prices a country by its own row, in the card's currency", () => {
    expect(priceOf(cards, 'NL', 'marketing', JUNE_2023)).toEqual({
      amountMicros: 160_000,
      currency: 'USD',
      rateCardId: 'cbp-2023',
      market: 'NL',
    })
  })

  it.each(['US', 'CA'])('prices %s by the region the card maps it to', (country) => {
    expect(priceOf(cards, country, 'utility', JUNE_2023)).toEqual({
      amountMicros: 15_000,
      currency: 'USD',
      rateCardId: 'cbp-2023',
      market: 'North America',
    })
  })

  it('prices a country mapped to a region the card has no row for by the * row', () => {
    expect(priceOf(cards, 'AT', 'utility', JUNE_2023)?.market).toBe('*')
  })

  it('prices a country the card does not list by the * row', () => {
    expect(priceOf(cards, 'BR', 'marketing', JUNE_2023)).toEqual({
      amountMicros: 60_400,
      currency: 'USD',
      rateCardId: 'cbp-2023',
      market: '*',
    })
  })

  it('prices a contact of unknown country by the * row', () => {
    expect(priceOf(cards, null, 'service', JUNE_2023)).toEqual({
      amountMicros: 32_900,
      currency: 'USD',
      rateCardId: 'cbp-2023',
      market: '*',
    })
  })

  it('uses the card in force at the instant asked about', () => {
    expect(priceOf(cards, 'NL', 'marketing', JULY_2025 - 1)?.amountMicros).toBe(160_000)
    expect(priceOf(cards, 'NL', 'marketing', JULY_2025)).toEqual({
      amountMicros: 147_000,
      currency: 'EUR',
      rateCardId: 'pmp-2025',
      market: 'NL',
    })
  })

  it('ignores another card’s region mapping', () => {
    expect(priceOf(cards, 'US', 'utility', JULY_2025)?.market).toBe('*')
  })

  it.each([
    ['a category the card does not price', 'NL', 'notification'],
    ['a category only an earlier card priced', 'NL', 'service'],
    ['a category the * row does not price', null, 'authentication'],
  ] as const)('answers null for %s', (_label, country, category) => {
    expect(priceOf(cards, country, category, JULY_2025)).toBeNull()
  })

  it('answers null before any card is in force', () => {
    expect(priceOf(cards, 'NL', 'marketing', JUNE_2023 - 1)).toBeNull()
  })

  it('prices a zero rate as zero, not as missing', () => {
    const free: RateCard = { ...pmp2025, id: 'free', rates: { '*': { service: 0 } } }
    expect(priceOf([free], 'NL', 'service', JULY_2025)?.amountMicros).toBe(0)
  })
})

describe('priceOf with a market row that prices only some categories', () => {
  it('takes the missing categories from the rest-of-world row', () => {
    expect(priceOf(cards, 'NL', 'authentication', JULY_2025)).toBeNull()
    expect(
      priceOf(
        [{ ...pmp2025, rates: { ...pmp2025.rates, '*': { ...pmp2025.rates['*'], authentication: 9_000 } } }],
        'NL',
        'authentication',
        JULY_2025,
      ),
    ).toEqual({
      amountMicros: 9_000,
      currency: 'EUR',
      rateCardId: 'pmp-2025',
      market: '*',
    })
  })

  it('prefers the market row where it has the category', () => {
    expect(priceOf(cards, 'NL', 'utility', JULY_2025)?.market).toBe('NL')
  })
})

describe('freeOf', () => {
  it('is a zero price in the currency of the card in force', () => {
    expect(freeOf(cards, JUNE_2023)).toEqual({
      amountMicros: 0,
      currency: 'USD',
      rateCardId: 'cbp-2023',
      market: '*',
    })
    expect(freeOf(cards, JULY_2025)).toEqual({
      amountMicros: 0,
      currency: 'EUR',
      rateCardId: 'pmp-2025',
      market: '*',
    })
  })

  it('is null when no card is in force', () => {
    expect(freeOf(cards, JUNE_2023 - 1)).toBeNull()
    expect(freeOf([], JULY_2025)).toBeNull()
  })
})

describe('formatMicros', () => {
  it.each([
    [0, '0'],
    [1, '0.000001'],
    [14_700, '0.0147'],
    [100_000, '0.1'],
    [999_999, '0.999999'],
    [1_000_000, '1'],
    [1_500_000, '1.5'],
    [12_345_678, '12.345678'],
    [-14_700, '-0.0147'],
    [-1_500_000, '-1.5'],
    [Number.MAX_SAFE_INTEGER, '9007199254.740991'],
    [14_700.4, '0.0147'],
    [0.5, '0.000001'],
  ])('formats %i micros as %s', (micros, text) => {
    expect(formatMicros(micros)).toBe(text)
  })
})
