import { describe, expect, it } from 'vitest'

import { utcDate } from '../time.js'
import { formatMicros, priceOf, rateCardAt } from './rate-card.js'
import { SAMPLE_RATE_CARDS } from './sample-rate-cards.js'

describe('SAMPLE_RATE_CARDS', () => {
  it('cannot be changed', () => {
    expect(Object.isFrozen(SAMPLE_RATE_CARDS)).toBe(true)
  })

  it('has distinct ids and takes effect in date order', () => {
    const ids = SAMPLE_RATE_CARDS.map((card) => card.id)
    expect(new Set(ids).size).toBe(ids.length)
    const starts = SAMPLE_RATE_CARDS.map((card) => card.effectiveFrom)
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
  })

  it.each(SAMPLE_RATE_CARDS.map((card) => [card.id, card]))(
    '%s is marked as a sample and says so in its label',
    (_id, card) => {
      expect(card.isSample).toBe(true)
      expect(card.label).toContain('SAMPLE')
    },
  )

  it.each(SAMPLE_RATE_CARDS.map((card) => [card.id, card]))(
    '%s has a * row pricing every category its country rows price',
    (_id, card) => {
      const rest = card.rates['*']
      expect(rest).toBeDefined()
      for (const rates of Object.values(card.rates))
        expect(Object.keys(rates).sort()).toEqual(Object.keys(rest!).sort())
    },
  )

  it.each(SAMPLE_RATE_CARDS.map((card) => [card.id, card]))(
    '%s prices everything as a positive whole number of micros',
    (_id, card) => {
      const amounts = Object.values(card.rates).flatMap((rates) => Object.values(rates))
      expect(amounts.length).toBeGreaterThan(0)
      for (const amount of amounts) {
        expect(Number.isSafeInteger(amount)).toBe(true)
        expect(amount).toBeGreaterThan(0)
      }
    },
  )

  it.each([
    ['2018-08-01', 'sample-2018-nbp', 'notification'],
    ['2022-02-01', 'sample-2022-cbp', 'business_initiated'],
    ['2023-06-01', 'sample-2023-cbp', 'service'],
    ['2025-07-01', 'sample-2025-pmp', 'marketing'],
  ] as const)('from %s the card %s prices %s', (date, id, category) => {
    expect(rateCardAt(SAMPLE_RATE_CARDS, utcDate(date))?.id).toBe(id)
    expect(priceOf(SAMPLE_RATE_CARDS, 'NL', category, utcDate(date))).not.toBeNull()
  })

  it('converts dollars to micros without float error', () => {
    const price = priceOf(SAMPLE_RATE_CARDS, 'US', 'business_initiated', utcDate('2022-02-01'))
    expect(price?.amountMicros).toBe(14_700)
    expect(formatMicros(price!.amountMicros)).toBe('0.0147')
  })
})
