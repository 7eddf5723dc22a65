import type { InboundEvent, Instant, ReferralSource } from '../../domain/index.js'

/** The parts of a WhatsApp webhook `messages[]` entry that windows and consent care about. */
export interface WhatsAppInboundMessage {
  readonly type?: string
  readonly text?: { readonly body?: string }
  readonly button?: { readonly text?: string }
  readonly interactive?: {
    readonly button_reply?: { readonly title?: string }
    readonly list_reply?: { readonly title?: string }
  }
  readonly referral?: { readonly source_type?: string }
}

/** What an inbound WhatsApp message means for the policy engine: the event, and the text to scan for stop keywords. */
export function whatsappInbound(
  message: WhatsAppInboundMessage,
  at: Instant,
): { readonly event: InboundEvent; readonly text: string | null } {
  const referral =
    message.referral === undefined ? null : whatsappReferralSource(message.referral.source_type)
  return {
    event: { kind: 'inbound', at, referral, messageType: textOrNull(message.type) ?? 'text' },
    text:
      textOrNull(message.text?.body) ??
      textOrNull(message.button?.text) ??
      textOrNull(message.interactive?.button_reply?.title) ??
      textOrNull(message.interactive?.list_reply?.title),
  }
}

// Webhook bodies arrive as untyped JSON: a field that is not a string is treated as absent, never scanned.
const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** Click-to-WhatsApp ads say `ad`; Facebook Page posts' call-to-action buttons say `post` (FEP-1). */
export function whatsappReferralSource(sourceType: string | undefined): ReferralSource {
  return sourceType === 'ad' ? 'ad' : sourceType === 'post' ? 'cta' : 'link'
}
