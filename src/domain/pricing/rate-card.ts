import type { Instant } from '../time.js'

/** What a rate card prices, by era: NBP notifications, CBP 2022 conversations, then categories. */
export type RateCategory =
  | 'notification'
  | 'notification_in_window'
  | 'user_initiated'
  | 'business_initiated'
  | 'marketing'
  | 'utility'
  | 'authentication'
  /**
   * Meta's rate for authentication templates a business sends to a country it is not based in (some markets, from
   * 2024). Kept with the card as Meta publishes it; carewindow does not know where a business is based and prices
   * authentication templates at `authentication`.
   */
  | 'authentication_international'
  | 'service'

export const RATE_CATEGORIES: readonly RateCategory[] = [
  'notification',
  'notification_in_window',
  'user_initiated',
  'business_initiated',
  'marketing',
  'utility',
  'authentication',
  'authentication_international',
  'service',
]

/** Prices per category in millionths of the card's currency (so 0.0147 USD is 14 700). */
export type Rates = Readonly<Partial<Record<RateCategory, number>>>

/**
 * An effective-dated price list in one currency. A card applies from `effectiveFrom` until the next card
 * (of any currency) takes over. Markets are ISO country codes or region names; `countries` maps countries
 * to regions, and `*` prices every market the card does not list.
 */
export interface RateCard {
  readonly id: string
  readonly label: string
  readonly currency: string
  readonly effectiveFrom: Instant
  /** True for illustrative figures that are not Meta's prices. */
  readonly isSample: boolean
  readonly countries?: Readonly<Record<string, string>>
  readonly rates: Readonly<Record<string, Rates>>
}

/** A price from a rate card. */
export interface Price {
  readonly amountMicros: number
  readonly currency: string
  readonly rateCardId: string
  /** The market row the price came from (`*` for the rest of the world). */
  readonly market: string
}

/** The card in force at `at`: the one with the latest `effectiveFrom` not after `at`. */
export function rateCardAt(cards: readonly RateCard[], at: Instant): RateCard | undefined {
  let best: RateCard | undefined
  for (const card of cards) {
    if (card.effectiveFrom <= at && (best === undefined || card.effectiveFrom > best.effectiveFrom))
      best = card
  }
  return best
}

/**
 * The price of one unit of `category` for a contact in `country` at `at`, or `null` when no card in force
 * prices it. `country` is `null` when the contact's country is unknown; the `*` row applies.
 */
export function priceOf(
  cards: readonly RateCard[],
  country: string | null,
  category: RateCategory,
  at: Instant,
): Price | null {
  const card = rateCardAt(cards, at)
  if (card === undefined) return null
  const market = country === null ? '*' : (card.countries?.[country] ?? country)
  // A market row may price only some categories; the rest-of-world row prices the others.
  const marketAmount = card.rates[market]?.[category]
  const row = marketAmount === undefined ? '*' : market
  const amountMicros = marketAmount ?? card.rates['*']?.[category]
  if (amountMicros === undefined) return null
  return { amountMicros, currency: card.currency, rateCardId: card.id, market: row }
}

/** A zero price in the currency of the card in force, for messages that are free; `null` without a card. */
export function freeOf(cards: readonly RateCard[], at: Instant): Price | null {
  const card = rateCardAt(cards, at)
  return card === undefined
    ? null
    : { amountMicros: 0, currency: card.currency, rateCardId: card.id, market: '*' }
}

/** `14700` → `"0.0147"`: micros as a decimal string without float rounding. */
export function formatMicros(amountMicros: number): string {
  const sign = amountMicros < 0 ? '-' : ''
  const abs = Math.abs(Math.round(amountMicros))
  const whole = Math.floor(abs / 1_000_000)
  const fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '')
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`
}
