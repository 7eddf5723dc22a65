import { whatsappBilling, type BillingInput } from '../pricing/billing.js'
import { pricingEraAt } from '../pricing/pricing-eras.js'
import type { RateCard } from '../pricing/rate-card.js'
import { SAMPLE_RATE_CARDS } from '../pricing/sample-rate-cards.js'
import type { RuleId } from '../rules.js'
import { policySettings, type PolicySettings } from '../settings.js'
import type { TemplateCategory } from '../templates/template.js'
import type { SentMessage } from '../windows/contact-events.js'
import { NEW_CONTACT, type ContactState } from '../windows/contact-state.js'
import { instant } from './builders.js'

/**
 * Fixtures shared by the billing tests (pricing/billing-*.test.ts): an instant in each pricing era, the messages
 * billed, and `whatsappBilling` with the defaults a test does not care about.
 */

/** An instant under notification-based pricing. */
export const NBP = instant('2021-06-01T12:00:00Z')
/** An instant under conversation-based pricing, 2022 rules. */
export const CBP_2022 = instant('2022-09-01T12:00:00Z')
/** An instant under conversation-based pricing, 2023 rules. */
export const CBP_2023 = instant('2023-09-01T12:00:00Z')
/** An instant when service conversations were free. */
export const FREE_SERVICE = instant('2025-01-15T12:00:00Z')
/** An instant under per-message pricing. */
export const PMP = instant('2025-09-01T12:00:00Z')
/** An instant after the reported 2026-10-01 change. */
export const PMP_2026 = instant('2026-11-02T12:00:00Z')

/** A free-form message. */
export const SESSION: SentMessage = { type: 'session' }
/** A template message of `category`. */
export const templateOf = (category: TemplateCategory): SentMessage => ({ type: 'template', category })

/**
 * How `sent` at `at` is billed, and the rules the billing cites: by default inside the window, to a new contact
 * in the NL market, with the sample rate cards and the default settings.
 */
export function bill(
  at: number,
  sent: SentMessage,
  options: {
    inWindow?: boolean
    state?: ContactState
    settings?: PolicySettings
    rateCards?: readonly RateCard[]
    country?: string | null
    freeTierConversationsUsed?: number
  } = {},
) {
  const settings = options.settings ?? policySettings()
  const input: BillingInput = {
    era: pricingEraAt(at, settings),
    state: options.state ?? NEW_CONTACT,
    at,
    settings,
    rateCards: options.rateCards ?? SAMPLE_RATE_CARDS,
    contact: undefined,
    country: options.country === undefined ? 'NL' : options.country,
    freeTierConversationsUsed: options.freeTierConversationsUsed,
  }
  const rules: RuleId[] = []
  const billing = whatsappBilling(input, sent, options.inWindow ?? true, rules)
  return { billing, rules }
}

/** A contact whose ad or call-to-action message at `at` waits for its first reply (FEP-1). */
export const arrivedFromAd = (at: number): ContactState => ({
  ...NEW_CONTACT,
  lastUserMessageAt: at,
  referralAt: at,
})
