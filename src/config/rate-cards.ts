import { z } from 'zod'
import { RATE_CATEGORIES, SAMPLE_RATE_CARDS, type RateCard, type RateCategory } from '../domain/index.js'
import { dateOrInstant } from '../shared/validation.js'

/** A price as a decimal string ("0.0147") or number, in the card's currency, with at most 6 decimals. */
export const amount = z.union([z.string(), z.number()]).transform((value, context): number => {
  const text = typeof value === 'number' ? String(value) : value.trim()
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text)
  if (match === null) {
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not an amount such as "0.0147" (at most 6 decimals)`,
    })
    return z.NEVER
  }
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'))
})

const rates = z.partialRecord(z.enum(RATE_CATEGORIES as [RateCategory, ...RateCategory[]]), amount)

export const rateCardSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as "USD" or "EUR"'),
  effective_from: dateOrInstant,
  is_sample: z.boolean().default(false),
  /** Country → market (region) name, for cards that price regions. */
  countries: z.record(z.string().regex(/^[A-Z]{2}$/), z.string().min(1)).optional(),
  /** Market (country code, region name, or `*` for the rest of the world) → category → amount. */
  rates: z.record(z.string().min(1), rates),
})

/** `"sample"` for the shipped sample cards, or a list of cards. */
export const rateCardsSchema = z.union(
  [z.literal('sample'), z.array(rateCardSchema)],
  'use "sample" for the shipped sample cards or a list of rate cards',
)

export type RateCardsInput = z.input<typeof rateCardsSchema>

export function toRateCards(input: z.output<typeof rateCardsSchema>): readonly RateCard[] {
  if (input === 'sample') return SAMPLE_RATE_CARDS
  return input.map(toRateCard)
}

/** One validated card in the engine's shape. */
export function toRateCard(card: z.output<typeof rateCardSchema>): RateCard {
  return {
    id: card.id,
    label: card.label,
    currency: card.currency,
    effectiveFrom: card.effective_from,
    isSample: card.is_sample,
    ...(card.countries === undefined ? {} : { countries: card.countries }),
    rates: card.rates,
  }
}
