import { describe, expect, it } from 'vitest'
import { SAMPLE_RATE_CARDS } from '../domain/index.js'
import { describeIssues } from '../shared/validation.js'
import { rateCardsSchema, toRateCards } from './rate-cards.js'

const card = (overrides: Record<string, unknown> = {}) => ({
  id: 'acme-2025',
  label: 'Acme negotiated rates',
  currency: 'EUR',
  effective_from: '2025-07-01',
  rates: { NL: { marketing: '0.1597' } },
  ...overrides,
})

function cardsFrom(input: unknown) {
  return toRateCards(rateCardsSchema.parse(input))
}

function problemsOf(input: unknown): string[] {
  const parsed = rateCardsSchema.safeParse(input)
  if (parsed.success) throw new Error('expected the rate cards to be rejected')
  return describeIssues(parsed.error, 'rate_cards')
}

describe('rate cards', () => {
  it('gives the shipped sample cards for "sample"', () => {
    expect(cardsFrom('sample')).toBe(SAMPLE_RATE_CARDS)
  })

  it('turns a card into the engine shape, not a sample unless it says so', () => {
    expect(cardsFrom([card({ countries: { NL: 'Netherlands', BE: 'Rest of Western Europe' } })])).toEqual([
      {
        id: 'acme-2025',
        label: 'Acme negotiated rates',
        currency: 'EUR',
        effectiveFrom: Date.parse('2025-07-01T00:00:00Z'),
        isSample: false,
        countries: { NL: 'Netherlands', BE: 'Rest of Western Europe' },
        rates: { NL: { marketing: 159700 } },
      },
    ])
  })

  it('leaves countries out when the card has none, and keeps is_sample', () => {
    const [converted] = cardsFrom([card({ is_sample: true })])
    expect(converted).not.toHaveProperty('countries')
    expect(converted?.isSample).toBe(true)
  })

  it.each([
    ['0.0147', 14700],
    [0.1, 100000],
    ['1', 1000000],
    [1, 1000000],
    ['0', 0],
    [' 0.05 ', 50000],
    ['0.000001', 1],
    ['12.345678', 12345678],
    [0.0147, 14700],
  ])('reads the amount %j as exactly %i micros', (amount, micros) => {
    const [converted] = cardsFrom([card({ rates: { '*': { utility: amount } } })])
    expect(converted?.rates['*']?.utility).toBe(micros)
  })

  it('reads every category of every market', () => {
    const [converted] = cardsFrom([
      card({
        rates: {
          NL: { marketing: '0.1597', utility: '0.05', authentication: '0.0477', service: '0' },
          '*': { marketing: '0.0625' },
        },
      }),
    ])
    expect(converted?.rates).toEqual({
      NL: { marketing: 159700, utility: 50000, authentication: 47700, service: 0 },
      '*': { marketing: 62500 },
    })
  })

  it.each([
    ['seven decimals', '0.1234567'],
    ['a word', 'abc'],
    ['a negative amount', '-0.01'],
    ['a leading dot', '.5'],
    ['a number too small to write with 6 decimals', 1e-7],
    ['a negative number', -1],
  ])('rejects an amount with %s, naming the market and category', (_name, amount) => {
    expect(problemsOf([card({ rates: { NL: { marketing: amount } } })])).toEqual([
      `rate_cards[0].rates.NL.marketing: "${String(amount).trim()}" is not an amount such as "0.0147" (at most 6 decimals)`,
    ])
  })

  it.each([
    ['a lower-case currency', { currency: 'eur' }, 'rate_cards[0].currency: an ISO 4217 currency code'],
    ['a currency symbol', { currency: '€' }, 'rate_cards[0].currency: an ISO 4217 currency code'],
    [
      'a bad effective date',
      { effective_from: '2025-07-32' },
      'rate_cards[0].effective_from: "2025-07-32" is not a date',
    ],
    [
      'an unknown rate category',
      { rates: { NL: { promotional: '1' } } },
      'rate_cards[0].rates.NL: Unrecognized key: "promotional"',
    ],
    ['a country that is not a code', { countries: { Netherlands: 'NL' } }, 'rate_cards[0].countries'],
    ['an unknown key', { region: 'EU' }, 'rate_cards[0]: Unrecognized key: "region"'],
    ['no id', { id: '' }, 'rate_cards[0].id:'],
  ])('rejects a card with %s', (_name, overrides, problem) => {
    expect(problemsOf([card(overrides)]).join('\n')).toContain(problem)
  })

  it.each([['samples'], [{ id: 'x' }], [42]])(
    'rejects %j as neither "sample" nor a list of cards',
    (input) => {
      expect(problemsOf(input)).toEqual([
        'rate_cards: use "sample" for the shipped sample cards or a list of rate cards',
      ])
    },
  )
})
