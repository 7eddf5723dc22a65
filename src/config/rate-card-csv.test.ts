import { describe, expect, it } from 'vitest'
import { priceOf } from '../domain/index.js'
import { MAX_CARD_MARKETS, rateCardFromCsv, type RateCardCsvFields } from './rate-card-csv.js'

const FIELDS: RateCardCsvFields = {
  id: 'meta-2026-10-eur',
  label: 'Meta rate card, October 2026 (EUR)',
  currency: 'EUR',
  effective_from: '2026-10-01',
}

/** A card as Meta publishes it, saved from the spreadsheet as CSV (figures illustrative). */
const META_CARD = [
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Netherlands,EUR,0.1597,0.0500,0.0464,,0.0000',
  'India,EUR,0.0099,0.0012,0.0012,0.0252,0.0000',
  '"Rest of Central & Eastern Europe",EUR,0.0712,0.0175,0.0175,,0.0000',
  'Rest of Western Europe,EUR,0.0490,0.0142,0.0142,n/a,0.0000',
  'Poland,EUR,0.0303,0.0101,0.0101,,0.0000',
  'Other,EUR,0.0500,0.0064,0.0064,,0.0000',
].join('\r\n')

function problemsOf(text: string, fields: RateCardCsvFields = FIELDS): readonly string[] {
  const result = rateCardFromCsv(text, fields)
  if (result.ok) throw new Error('expected the file to be refused')
  return result.problems
}

function cardOf(text: string, fields: RateCardCsvFields = FIELDS) {
  const result = rateCardFromCsv(text, fields)
  if (!result.ok) throw new Error(`expected a card, got: ${result.problems.join('; ')}`)
  return result.card
}

describe('rateCardFromCsv', () => {
  it('reads Meta’s rate card: countries by code, groups by name, Other as the rest of the world', () => {
    const card = cardOf(META_CARD)
    expect(card).toMatchObject({
      id: 'meta-2026-10-eur',
      label: 'Meta rate card, October 2026 (EUR)',
      currency: 'EUR',
      effectiveFrom: Date.parse('2026-10-01T00:00:00Z'),
      isSample: false,
    })
    expect(Object.keys(card.rates)).toEqual([
      'NL',
      'IN',
      'Rest of Central & Eastern Europe',
      'Rest of Western Europe',
      'PL',
      '*',
    ])
    expect(card.rates.NL).toEqual({ marketing: 159_700, utility: 50_000, authentication: 46_400, service: 0 })
    expect(card.rates.IN?.authentication_international).toBe(25_200)
  })

  it('leaves empty and n/a cells out, so those categories fall back to the rest-of-world row', () => {
    const card = cardOf(META_CARD)
    expect(card.rates.NL).not.toHaveProperty('authentication_international')
    expect(card.rates['Rest of Western Europe']).not.toHaveProperty('authentication_international')
  })

  it('maps the countries of each group to it, except those the card prices on their own row', () => {
    const card = cardOf(META_CARD)
    expect(card.countries?.BE).toBe('Rest of Western Europe')
    expect(card.countries?.RS).toBe('Rest of Central & Eastern Europe')
    expect(card.countries).not.toHaveProperty('PL')
    expect(card.countries).not.toHaveProperty('US')
    const at = Date.parse('2026-10-02T00:00:00Z')
    expect(priceOf([card], 'BE', 'marketing', at)).toMatchObject({
      amountMicros: 49_000,
      market: 'Rest of Western Europe',
    })
    expect(priceOf([card], 'PL', 'utility', at)).toMatchObject({ amountMicros: 10_100, market: 'PL' })
    expect(priceOf([card], 'BR', 'utility', at)).toMatchObject({ amountMicros: 6_400, market: '*' })
  })

  it('reads semicolon-separated files with a byte-order mark, and spreadsheets’ older column names', () => {
    const text =
      '\uFEFFCountry;Business-Initiated Rate (EUR);User Initiated\nGermany;0.1131;0.0679\nOther;0.04;0.012\n'
    const card = cardOf(text)
    expect(card.rates.DE).toEqual({ business_initiated: 113_100, user_initiated: 67_900 })
    expect(card).not.toHaveProperty('countries')
  })

  it('takes the currency from the Currency column when none is given, and ignores trailing empty cells', () => {
    const card = cardOf('Market,Currency,Marketing\nNetherlands,usd,0.1,,\n', {
      ...FIELDS,
      currency: undefined,
    })
    expect(card.currency).toBe('USD')
  })

  it.each([
    ['an empty file', '', ['the file is empty: it needs a header line and a line per market']],
    [
      'a header without markets',
      'Market,Marketing\n',
      ['the file has no markets: add a line per market after the header'],
    ],
    [
      'no Market column',
      'Name,Marketing\nNetherlands,0.1\n',
      [
        expect.stringContaining('line 1: unknown column "Name"'),
        'line 1: the header has no Market column (the first line names the columns)',
      ],
    ],
    [
      'no category column',
      'Market,Currency\nNetherlands,EUR\n',
      ['line 1: the header names no category such as Marketing or Utility'],
    ],
    [
      'a column twice',
      'Market,Marketing,marketing\nNetherlands,0.1,0.2\n',
      ['line 1: the column "marketing" appears twice'],
    ],
    [
      'text that is not CSV',
      'Market,Marketing\n"Netherlands,0.1\n',
      [expect.stringMatching(/^the file is not valid CSV: /)],
    ],
    [
      'too many cells',
      'Market,Marketing\nNetherlands,0.1,0.2\n',
      ['line 2: 3 cells, but the header names 2 columns'],
    ],
    [
      'a market without a name',
      'Market,Marketing\n,0.1\n',
      ["line 2: no market; name a country, one of Meta's groups or Other"],
    ],
    [
      'an unknown market',
      'Market,Marketing\nRest of Lain America,0.1\n',
      [
        expect.stringMatching(
          /^line 2: unknown market "Rest of Lain America"; name a country \(Netherlands, or its code NL\), one of Meta's groups \(North America, Rest of Africa, .*\) or Other$/,
        ),
      ],
    ],
    [
      'a market twice',
      'Market,Marketing\nNetherlands,0.1\nNL,0.2\n',
      ['line 3: NL is priced on line 2 already'],
    ],
    [
      'a market without any amount',
      'Market,Marketing,Utility\nNetherlands,,n/a\n',
      ['line 2: Netherlands has no amount; fill one in or remove the line'],
    ],
    [
      'a decimal comma',
      'Market;Marketing\nNetherlands;0,1597\n',
      [
        'line 2, Marketing: "0,1597" is not an amount such as "0.0147" (at most 6 decimals) (write amounts with a decimal point)',
      ],
    ],
    [
      'too many decimals',
      'Market,Marketing\nNetherlands,0.1234567\n',
      ['line 2, Marketing: "0.1234567" is not an amount such as "0.0147" (at most 6 decimals)'],
    ],
    [
      'a negative amount',
      'Market,Marketing\nNetherlands,-0.1\n',
      ['line 2, Marketing: "-0.1" is not an amount such as "0.0147" (at most 6 decimals)'],
    ],
    [
      'a currency symbol',
      'Market,Marketing\nNetherlands,€0.1\n',
      ['line 2, Marketing: "€0.1" is not an amount such as "0.0147" (at most 6 decimals)'],
    ],
    [
      'another currency in a row',
      'Market,Currency,Marketing\nNetherlands,EUR,0.1\nGermany,USD,0.1\n',
      ['line 3: the currency is USD, but the card is in EUR; a card is in one currency'],
    ],
  ])('refuses %s, saying what is wrong and where', (_name, text, problems) => {
    expect(problemsOf(text)).toEqual(problems)
  })

  it('refuses a spreadsheet saved as .xlsx rather than CSV', () => {
    expect(problemsOf('PK\u0003\u0004\u0014\u0000\u0006\u0000')).toEqual([
      'the file is not text (it holds a NUL character): save the spreadsheet as CSV (UTF-8), not as .xlsx',
    ])
  })

  it('lists every problem of the file at once, each with its line', () => {
    const text = 'Market,Marketing,Utility\nNetherlands,abc,0.1\nAtlantis,0.1,0.1\nGermany,0.1,x\n'
    expect(problemsOf(text)).toEqual([
      'line 2, Marketing: "abc" is not an amount such as "0.0147" (at most 6 decimals)',
      expect.stringContaining('line 3: unknown market "Atlantis"'),
      'line 4, Utility: "x" is not an amount such as "0.0147" (at most 6 decimals)',
    ])
  })

  it.each([
    [
      'the currency, when the file has no Currency column',
      { ...FIELDS, currency: undefined },
      ['currency: give the card’s currency (such as EUR); the file has no Currency column to take it from'],
    ],
    [
      'the id, label and date',
      { currency: 'EUR' },
      [
        'id: missing; give the card an id, such as meta-2026-10-eur',
        'label: missing; give the card a label, such as "Meta rate card, October 2026 (EUR)"',
        'effective_from: missing; give the date the card takes effect, such as 2026-10-01',
      ],
    ],
  ])('refuses a card without %s', (_name, fields, problems) => {
    expect(problemsOf('Market,Marketing\nNetherlands,0.1\n', fields)).toEqual(problems)
  })

  it('refuses a card whose own fields are wrong, naming each', () => {
    expect(
      problemsOf('Market,Marketing\nNetherlands,0.1\n', {
        ...FIELDS,
        currency: 'EURO',
        effective_from: '2026-13-01',
      }),
    ).toEqual([
      'currency: an ISO 4217 currency code such as "USD" or "EUR"',
      'effective_from: "2026-13-01" is not a date (2020-03-04) or an ISO 8601 instant with offset (2020-03-04T00:00:00Z)',
    ])
  })

  it('refuses a Currency column that holds two currencies when none is given', () => {
    const text = 'Market,Currency,Marketing\nNetherlands,EUR,0.1\nGermany,USD,0.1\n'
    expect(problemsOf(text, { ...FIELDS, currency: undefined })).toEqual([
      "currency: the file's Currency column holds EUR and USD; a card is in one currency",
    ])
  })

  it(`refuses more than ${MAX_CARD_MARKETS} markets without reading them`, () => {
    const text = `Market,Marketing\n${'Netherlands,0.1\n'.repeat(MAX_CARD_MARKETS + 1)}`
    expect(problemsOf(text)).toEqual([
      `the file has ${MAX_CARD_MARKETS + 1} markets; a card prices at most ${MAX_CARD_MARKETS}`,
    ])
  })
})
