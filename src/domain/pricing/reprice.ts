import type { PolicySettings } from '../settings.js'
import type { Instant } from '../time.js'
import type { SentMessage } from '../windows/contact-events.js'
import { NEW_CONTACT, type ContactState } from '../windows/contact-state.js'
import { FREE_ENTRY_POINT_MS } from '../windows/window-durations.js'
import { whatsappBilling, type Billing } from './billing.js'
import type { Conversation } from './conversations.js'
import { pricingEraAt, type PricingEra } from './pricing-eras.js'
import type { RateCard } from './rate-card.js'

/**
 * What billing needs to know of a WhatsApp message that was allowed, as its decision recorded it: what was sent, at
 * which instant, whether the customer care window was open then, whether a free entry point window was, and the
 * contact's country. These facts do not depend on the pricing era, so the same message can be priced in any.
 */
export interface PricedFacts {
  readonly at: Instant
  readonly sent: SentMessage
  readonly isCareWindowOpen: boolean
  /** When the free entry point window the message fell in opened; `null` when it fell in none. */
  readonly entryPointOpenedAt: Instant | null
  /** The contact's country (ISO 3166-1 alpha-2), which rate cards price by; `null` when unknown. */
  readonly country: string | null
}

/** The pricing one side of a what-if judges by. */
export interface RepricingPolicy {
  readonly settings: PolicySettings
  readonly rateCards: readonly RateCard[]
  /** Imposed on every message; `null`: the era in force at each message's instant under `settings`. */
  readonly pricingEra: PricingEra | null
}

/** A message priced again, and the contact's CBP conversations after it (for its next message). */
export interface Repriced {
  readonly billing: Billing
  readonly conversations: readonly Conversation[]
}

/**
 * The billing of an allowed WhatsApp message under `policy`. Conversation-based eras need the contact's
 * conversations still open before the message (`conversations`, as the previous call for the contact returned them;
 * empty for its first message): the caller walks each contact's messages in time order. The CBP free tier is not
 * counted (as for a live send, where only the caller knows the month's count).
 */
export function repriceMessage(
  facts: PricedFacts,
  policy: RepricingPolicy,
  conversations: readonly Conversation[],
): Repriced {
  const era = policy.pricingEra ?? pricingEraAt(facts.at, policy.settings)
  const open = conversations.filter((conversation) => facts.at < conversation.expiresAt)
  const state: ContactState = {
    ...NEW_CONTACT,
    entryPointOpenedAt:
      facts.entryPointOpenedAt !== null && facts.at < facts.entryPointOpenedAt + FREE_ENTRY_POINT_MS
        ? facts.entryPointOpenedAt
        : null,
    conversations: open,
  }
  const billing = whatsappBilling(
    {
      era,
      state,
      at: facts.at,
      settings: policy.settings,
      rateCards: policy.rateCards,
      contact: undefined,
      country: facts.country,
      freeTierConversationsUsed: undefined,
    },
    facts.sent,
    facts.isCareWindowOpen,
    [],
  )
  const opened = billing.conversation
  if (opened === null || !opened.isNew) return { billing, conversations: open }
  const { isNew: _isNew, ...conversation } = opened
  return { billing, conversations: [...open, conversation] }
}
