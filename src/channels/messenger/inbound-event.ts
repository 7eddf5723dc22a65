import type { InboundEvent, Instant, ReferralSource } from '../../domain/index.js'

/** The parts of a Messenger webhook `messaging[]` event that windows care about. */
export interface MessengerInboundMessage {
  readonly text?: string
  readonly is_echo?: boolean
}

/**
 * What an inbound Messenger message means for the policy engine (MSG-1). Echoes of the Page's own messages
 * never open a window, so they yield no event.
 */
export function messengerInbound(
  message: MessengerInboundMessage,
  at: Instant,
  referral: { readonly source?: string } | undefined,
  messageType = 'message',
): { readonly event: InboundEvent; readonly text: string | null } | null {
  if (message.is_echo === true) return null
  return {
    event: {
      kind: 'inbound',
      at,
      referral: referral === undefined ? null : messengerReferralSource(referral.source),
      messageType,
    },
    // Webhook bodies arrive as untyped JSON: a text that is not a string is never scanned for stop keywords.
    text: typeof message.text === 'string' ? message.text : null,
  }
}

/** Only click-to-Messenger ads (`ADS`) earn the 7-day window (MSG-AD); m.me links and plugins do not. */
export function messengerReferralSource(source: string | undefined): ReferralSource {
  return source === 'ADS' ? 'ad' : 'link'
}
