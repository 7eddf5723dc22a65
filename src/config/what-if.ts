import { z } from 'zod'
import {
  PRICING_ERAS,
  pricingEras,
  SAMPLE_RATE_CARDS,
  policySettings,
  type PolicySettings,
  type PricingEra,
  type PricingEraId,
  type RateCard,
} from '../domain/index.js'
import { policySettingsSchema, toPolicySettings } from './policy-settings.js'
import { rateCardSchema, toRateCard } from './rate-cards.js'

/** The pricing a what-if may impose on every message, whatever its date: a model (its latest era) or one era. */
export const PRICING_MODEL_CHOICES = {
  NBP: 'NBP',
  CBP: 'CBP_FREE_SERVICE',
  PMP: 'PMP_2025',
  CBP_2022: 'CBP_2022',
  CBP_2023: 'CBP_2023',
  CBP_FREE_SERVICE: 'CBP_FREE_SERVICE',
  PMP_2025: 'PMP_2025',
  PMP_2026: 'PMP_2026',
} as const satisfies Record<string, PricingEraId>

export type PricingModelChoice = keyof typeof PRICING_MODEL_CHOICES

/** The most rate cards a what-if brings (a tenant keeps at most as many). */
export const MAX_WHAT_IF_CARDS = 200

const pricingModelSchema = z.enum(
  Object.keys(PRICING_MODEL_CHOICES) as [PricingModelChoice, ...PricingModelChoice[]],
  `use one of ${Object.keys(PRICING_MODEL_CHOICES).join(', ')}`,
)

/**
 * A what-if file (`carewindow replay --what-if FILE`): settings laid over every channel's own (the policy settings of
 * a channel in the config file: `pricing_2026`, `pricing_2026_at`, `free_tier_conversations_per_month` …), other
 * rate cards, and a pricing model or era imposed on every message. Unknown keys are errors.
 */
export const whatIfSchema = z.strictObject({
  settings: policySettingsSchema.optional(),
  rate_cards: z
    .union(
      [
        z.enum(['sample', 'config']),
        // As PUT /v1/rate-cards takes a card: the id may be left out.
        z
          .array(rateCardSchema.partial({ id: true }))
          .min(1, 'give at least one card, or "config" or "sample"')
          .max(MAX_WHAT_IF_CARDS, `takes at most ${MAX_WHAT_IF_CARDS} cards`),
      ],
      'use "config" for the config file’s cards, "sample" for the shipped sample cards, or a list of rate cards',
    )
    .optional(),
  pricing_model: pricingModelSchema.optional(),
})

export type WhatIfInput = z.input<typeof whatIfSchema>

/** Other settings to judge the same traffic by. */
export interface WhatIf {
  /** Laid over each channel's own settings (validated, as `policySettingsSchema` gives them). */
  readonly settings: z.output<typeof policySettingsSchema>
  /** Other rate cards; `undefined` keeps the baseline's; `config`: the config file's alone (no tenant's own). */
  readonly rateCards: readonly RateCard[] | 'config' | undefined
  /** The era every WhatsApp message is judged and priced in; `null` goes by each message's date. */
  readonly pricingEra: PricingEra | null
}

export const NO_WHAT_IF: WhatIf = Object.freeze({ settings: {}, rateCards: undefined, pricingEra: null })

export function toWhatIf(input: z.output<typeof whatIfSchema>): WhatIf {
  return {
    settings: input.settings ?? {},
    rateCards: rateCardsOf(input.rate_cards),
    pricingEra: input.pricing_model === undefined ? null : eraOf(PRICING_MODEL_CHOICES[input.pricing_model]),
  }
}

function rateCardsOf(cards: z.output<typeof whatIfSchema>['rate_cards']): WhatIf['rateCards'] {
  if (cards === undefined || cards === 'config') return cards
  if (cards === 'sample') return SAMPLE_RATE_CARDS
  return cards.map((card, index) => toRateCard({ ...card, id: card.id ?? `what-if-${String(index + 1)}` }))
}

/** Whether a what-if changes anything at all. */
export function isEmptyWhatIf(whatIf: WhatIf): boolean {
  return (
    whatIf.rateCards === undefined && whatIf.pricingEra === null && Object.keys(whatIf.settings).length === 0
  )
}

/** A pricing era by its id; the reported 2026 one too, which the timeline holds only when it is switched on. */
export function eraOf(id: PricingEraId): PricingEra {
  const known = [...PRICING_ERAS, ...pricingEras(policySettings({ pricing2026Enabled: true }))]
  const era = known.find((candidate) => candidate.id === id)
  if (era === undefined) throw new Error(`no pricing era ${id}`)
  return era
}

/** A channel's settings (as stored, snake_case) with the what-if's laid over them. */
export function settingsWith(
  stored: Readonly<Record<string, unknown>>,
  over: WhatIf['settings'],
): PolicySettings {
  const parsed = policySettingsSchema.safeParse(stored)
  return toPolicySettings({ ...(parsed.success ? parsed.data : {}), ...over })
}
