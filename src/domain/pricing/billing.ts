import type { RuleId } from '../rules.js'
import type { PolicySettings } from '../settings.js'
import { modernCategoryOf } from '../templates/template.js'
import type { Instant } from '../time.js'
import type { SentMessage } from '../windows/contact-events.js'
import { isEntryPointOpen, type ContactState } from '../windows/contact-state.js'
import { conversationFor, type Conversation } from './conversations.js'
import { countryOfPhoneNumber } from './market.js'
import type { PricingEra, PricingEraId, PricingModel } from './pricing-eras.js'
import { freeOf, priceOf, type Price, type RateCard, type RateCategory } from './rate-card.js'

/**
 * How a message is charged. Meta's own values where Meta has them (`regular`, `free_customer_service`,
 * `free_entry_point`); carewindow's for earlier eras: `in_window_rate` (a template inside the window under
 * notification pricing, CCW-3), `free_tier` (a CBP conversation inside the monthly free allowance),
 * `in_conversation` (a message inside an already open CBP conversation), `free` (Messenger).
 */
export type BillingType =
  | 'regular'
  | 'in_window_rate'
  | 'free_customer_service'
  | 'free_entry_point'
  | 'free_tier'
  | 'in_conversation'
  | 'free'

/** The billing outcome of an allowed message. `billable` keeps Meta's meaning in each era. */
export interface Billing {
  readonly pricingModel: PricingModel | 'NONE'
  readonly era: PricingEraId | 'MESSENGER'
  /** Meta's pricing category in that era (`service`, `utility`, `user_initiated`, `referral_conversion` …). */
  readonly category: string
  readonly billable: boolean
  readonly type: BillingType
  /** CBP: the conversation the message belongs to, and whether it opens it. */
  readonly conversation: (Conversation & { readonly isNew: boolean }) | null
  /** What the rate card is consulted for; `null` when the message costs nothing. */
  readonly rateCategory: RateCategory | null
  /** From the rate card in force; zero for free messages; `null` without a card or a matching rate. */
  readonly price: Price | null
}

/** What billing needs to know about the contact and the channel; `decide` passes its own facts. */
export interface BillingInput {
  /** The pricing era in force at `at`. */
  readonly era: PricingEra
  readonly state: ContactState
  readonly at: Instant
  readonly settings: PolicySettings
  readonly rateCards: readonly RateCard[]
  /** The contact's id; its phone number gives the country when `country` is not known. */
  readonly contact: string | undefined
  /** The contact's country, when known; otherwise looked up from `contact` only if a rate card needs it. */
  readonly country: string | null | undefined
  /** CBP: conversations already counted against this month's free tier, when the caller knows. */
  readonly freeTierConversationsUsed: number | undefined
}

type Outcome = Omit<Billing, 'price' | 'pricingModel' | 'era'>

/** Messenger messages are not charged per message. */
export const MESSENGER_BILLING: Billing = Object.freeze({
  pricingModel: 'NONE',
  era: 'MESSENGER',
  category: 'messenger',
  billable: false,
  type: 'free',
  conversation: null,
  rateCategory: null,
  price: null,
})

/**
 * The billing of a WhatsApp message allowed at `input.at`; the pricing rules that decided it are appended
 * to `rules`.
 */
export function whatsappBilling(
  input: BillingInput,
  sent: SentMessage,
  isCareWindowOpen: boolean,
  rules: RuleId[],
): Billing {
  const era = input.era
  rules.push(era.rule)
  const isFreeEntryPoint = era.hasFreeEntryPoint && isEntryPointOpen(input.state, input.at)
  if (isFreeEntryPoint) rules.push('FEP-1')
  if (sent.type === 'template') {
    rules.push('TPL-CATEGORY')
    if (isCareWindowOpen) rules.push('CCW-3')
  }
  const outcome =
    era.model === 'NBP'
      ? notificationBilling(sent, isCareWindowOpen)
      : era.model === 'CBP'
        ? conversationBilling(era, input, sent, isCareWindowOpen, isFreeEntryPoint)
        : perMessageBilling(era, sent, isCareWindowOpen, isFreeEntryPoint)
  const price =
    input.rateCards.length === 0
      ? null
      : outcome.rateCategory === null
        ? freeOf(input.rateCards, input.at)
        : priceOf(input.rateCards, countryOf(input), outcome.rateCategory, input.at)
  // Field by field: a spread here is measurably slower, and this runs for every allowed message.
  return {
    pricingModel: era.model,
    era: era.id,
    category: outcome.category,
    billable: outcome.billable,
    type: outcome.type,
    conversation: outcome.conversation,
    rateCategory: outcome.rateCategory,
    price,
  }
}

function countryOf({ country, contact }: BillingInput): string | null {
  if (country !== undefined) return country
  return contact === undefined ? null : countryOfPhoneNumber(contact)
}

function notificationBilling(sent: SentMessage, isCareWindowOpen: boolean): Outcome {
  if (sent.type !== 'template') return free('service', 'free_customer_service')
  return {
    category: sent.category.toLowerCase(),
    billable: true,
    type: isCareWindowOpen ? 'in_window_rate' : 'regular',
    conversation: null,
    rateCategory: isCareWindowOpen ? 'notification_in_window' : 'notification',
  }
}

function conversationBilling(
  era: PricingEra,
  input: BillingInput,
  sent: SentMessage,
  isCareWindowOpen: boolean,
  isFreeEntryPoint: boolean,
): Outcome {
  const { conversation, isNew } = conversationFor(
    era,
    input.state,
    sent,
    input.at,
    isCareWindowOpen,
    isFreeEntryPoint,
  )
  const withConversation = { ...conversation, isNew }
  const isFreeService = era.id === 'CBP_FREE_SERVICE' && conversation.category === 'service'
  if (isFreeEntryPoint) {
    return { ...free('referral_conversion', 'free_entry_point'), conversation: withConversation }
  }
  if (isFreeService)
    return {
      ...free('service', isNew ? 'free_customer_service' : 'in_conversation'),
      conversation: withConversation,
    }
  const billed = { category: conversation.category, billable: true, conversation: withConversation }
  if (!isNew) return { ...billed, type: 'in_conversation', rateCategory: null }
  const hasFreeTier = era.id === 'CBP_2022' || (era.id === 'CBP_2023' && conversation.category === 'service')
  const used = input.freeTierConversationsUsed
  if (hasFreeTier && used !== undefined && used < input.settings.freeTierConversationsPerMonth) {
    return { ...billed, type: 'free_tier', rateCategory: null }
  }
  return { ...billed, type: 'regular', rateCategory: conversation.category as RateCategory }
}

function perMessageBilling(
  era: PricingEra,
  sent: SentMessage,
  isCareWindowOpen: boolean,
  isFreeEntryPoint: boolean,
): Outcome {
  const category = sent.type === 'template' ? modernCategoryOf(sent.category) : 'service'
  // Meta reports free entry point messages under the referral_conversion category in every era.
  if (isFreeEntryPoint) return free('referral_conversion', 'free_entry_point')
  // The reported 2026 change ends the free in-window service and utility messages.
  const isFreeInWindow =
    era.id !== 'PMP_2026' && (category === 'service' || (category === 'utility' && isCareWindowOpen))
  if (isFreeInWindow) return free(category, 'free_customer_service')
  return { category, billable: true, type: 'regular', conversation: null, rateCategory: category }
}

function free(category: string, type: BillingType): Outcome {
  return { category, billable: false, type, conversation: null, rateCategory: null }
}
