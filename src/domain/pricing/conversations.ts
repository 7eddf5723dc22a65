import type { SentMessage } from '../windows/contact-events.js'
import type { ContactState } from '../windows/contact-state.js'
import { FREE_ENTRY_POINT_MS } from '../windows/window-durations.js'
import { HOUR_MS, type Instant } from '../time.js'
import { modernCategoryOf } from '../templates/template.js'
import type { PricingEra } from './pricing-eras.js'

/** A conversation category under conversation-based pricing (CBP, 2022-02-01 to 2025-06-30). */
export type ConversationCategory =
  | 'user_initiated'
  | 'business_initiated'
  | 'referral_conversion'
  | 'marketing'
  | 'utility'
  | 'authentication'
  | 'service'

/** A CBP conversation: a fixed 24 h (72 h for free entry points) billing period opened by a business message. */
export interface Conversation {
  readonly category: ConversationCategory
  readonly openedAt: Instant
  readonly expiresAt: Instant
}

/** CBP: a conversation lasts 24 h from the first business message, however the customer care window moves. */
export const CONVERSATION_MS = 24 * HOUR_MS

/**
 * The conversation a message sent at `at` belongs to under CBP, and whether it opens it. Shared by the
 * history fold and by billing so that what was billed and what the history says can never disagree.
 */
export function conversationFor(
  era: PricingEra,
  state: ContactState,
  sent: SentMessage,
  at: Instant,
  isCareWindowOpen: boolean,
  isFreeEntryPoint: boolean,
): { readonly conversation: Conversation; readonly isNew: boolean } {
  const open = state.conversations.filter((conversation) => at < conversation.expiresAt)
  if (isFreeEntryPoint) {
    // Under CBP a free entry point conversation takes over: every message in its 72 h belongs to it.
    const existing = open.find((conversation) => conversation.category === 'referral_conversion')
    if (existing !== undefined) return { conversation: existing, isNew: false }
    const openedAt = state.entryPointOpenedAt ?? at
    return {
      conversation: { category: 'referral_conversion', openedAt, expiresAt: openedAt + FREE_ENTRY_POINT_MS },
      isNew: true,
    }
  }
  const wanted = wantedCategory(era, sent, isCareWindowOpen)
  // Session messages ride on any open conversation; templates (from 2023) need one of their own category.
  const existing =
    sent.type === 'template' && era.id !== 'CBP_2022'
      ? open.find((conversation) => conversation.category === wanted)
      : (open.find((conversation) => conversation.category === wanted) ?? open[0])
  if (existing !== undefined) return { conversation: existing, isNew: false }
  return { conversation: { category: wanted, openedAt: at, expiresAt: at + CONVERSATION_MS }, isNew: true }
}

function wantedCategory(era: PricingEra, sent: SentMessage, isCareWindowOpen: boolean): ConversationCategory {
  if (era.id === 'CBP_2022') return isCareWindowOpen ? 'user_initiated' : 'business_initiated'
  return sent.type === 'template' ? modernCategoryOf(sent.category) : 'service'
}
