import type { TemplateSend } from '../templates/template-send.js'
import type { MessagingType } from '../windows/contact-events.js'

/** WhatsApp message types that are session (free-form) messages: allowed only inside the window (CCW-2, CCW-6). */
export const WHATSAPP_SESSION_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'interactive',
  'reaction',
  'location',
  'contacts',
] as const
export type WhatsAppSessionType = (typeof WHATSAPP_SESSION_TYPES)[number]

/** A free-form WhatsApp message. */
export interface WhatsAppSessionIntent {
  readonly platform: 'whatsapp'
  readonly kind: 'session'
  readonly messageType: WhatsAppSessionType
}

/** A WhatsApp template message: the `template` object of the Graph send body. */
export interface WhatsAppTemplateIntent {
  readonly platform: 'whatsapp'
  readonly kind: 'template'
  readonly template: TemplateSend
}

/** Who is sending a Messenger message: automation or a person. Only people may use HUMAN_AGENT (MSG-3). */
export type MessengerSender = 'bot' | 'agent'

/** A Messenger Send API message. */
export interface MessengerIntent {
  readonly platform: 'messenger'
  readonly kind: 'message'
  readonly messagingType: MessagingType
  /** The message tag; only meaningful with `MESSAGE_TAG`. */
  readonly tag: string | null
  readonly sender: MessengerSender
}

/** A message the business intends to send; `decide` answers whether it may go out now. */
export type Intent = WhatsAppSessionIntent | WhatsAppTemplateIntent | MessengerIntent
