import type { TemplateCategory } from '../templates/template.js'
import type { Instant } from '../time.js'

/**
 * Where a user came from when their message carried a referral: a click-to-WhatsApp / click-to-Messenger
 * ad, a Facebook Page call-to-action button, or another link (m.me link, QR code, website button).
 */
export type ReferralSource = 'ad' | 'cta' | 'link'

/** A message the end-user sent to the business (CCW-1, MSG-1), with its own timestamp from the webhook. */
export interface InboundEvent {
  readonly kind: 'inbound'
  readonly at: Instant
  /** Set when the message carried a referral (FEP-1, MSG-AD). */
  readonly referral?: ReferralSource | null
  /**
   * The platform's message type (`text`, `image`, `button`, `reaction`, `postback` …). Types the user did not
   * author — `system` notices, `unsupported`/`unknown` placeholders — never open a window.
   */
  readonly messageType?: string
}

/** Messenger `messaging_type`. */
export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG'

/** What the business sent, as far as windows and billing care. */
export type SentMessage =
  | { readonly type: 'session' }
  | { readonly type: 'template'; readonly category: TemplateCategory }
  | { readonly type: 'messenger'; readonly messagingType: MessagingType; readonly tag: string | null }

/** A message the business sent (allowed and forwarded), at the instant it was sent. */
export interface OutboundEvent {
  readonly kind: 'outbound'
  readonly at: Instant
  readonly sent: SentMessage
}

/** One entry of a contact's history on one channel. */
export type ContactEvent = InboundEvent | OutboundEvent

// Inbound webhook entries that do not come from the user typing, tapping or reacting (CCW-1).
const NOT_USER_AUTHORED = new Set(['system', 'unsupported', 'unknown', 'errors', 'ephemeral'])

/** Whether an inbound message of this type is the user's own doing, and so opens or extends a window. */
export function isUserMessage(event: InboundEvent): boolean {
  return event.messageType === undefined || !NOT_USER_AUTHORED.has(event.messageType)
}
