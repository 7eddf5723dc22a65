import { z } from 'zod'
import {
  parseWhatsAppContactId,
  WHATSAPP_SESSION_TYPES,
  type WhatsAppSessionIntent,
  type WhatsAppSessionType,
  type WhatsAppTemplateIntent,
} from '../../domain/index.js'
import { describeIssues } from '../../shared/validation.js'
import { invalidParameter as invalid, type Parsed } from '../wire-problem.js'
import { WIRE_LIMITS } from '../wire-limits.js'

/** A Graph `POST /{phone_number_id}/messages` body, validated. */
export type WhatsAppSendRequest =
  | {
      readonly kind: 'message'
      /** The recipient's `wa_id` (see `parseWaId`: digits only, country code first) or business-scoped user id. */
      readonly to: string
      readonly intent: WhatsAppSessionIntent | WhatsAppTemplateIntent
    }
  /** `{"status": "read", "message_id": …}` marks an inbound message read; it is not a message and always goes through. */
  | { readonly kind: 'mark_read'; readonly messageId: string }

const templateSchema = z.looseObject({
  name: z
    .string()
    .min(1, 'template.name must be the name of an approved template')
    .max(
      WIRE_LIMITS.templateNameLength,
      `template.name has at most ${WIRE_LIMITS.templateNameLength} characters`,
    ),
  language: z.looseObject({
    code: z
      .string()
      .min(1, 'template.language.code must be a language code such as "en_US"')
      .max(WIRE_LIMITS.languageLength, 'template.language.code must be a language code such as "en_US"'),
    policy: z.string().optional(),
  }),
  components: z
    .array(
      z.looseObject({
        type: z.string().min(1),
        sub_type: z.string().optional(),
        index: z.union([z.string(), z.number()]).optional(),
        parameters: z
          .array(z.looseObject({ type: z.string().min(1), parameter_name: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
})

const bodySchema = z.looseObject({
  messaging_product: z.literal('whatsapp', 'messaging_product must be "whatsapp"'),
  recipient_type: z.enum(['individual', 'group']).optional(),
  to: z.string().min(1).optional(),
  recipient: z.string().min(1).optional(),
  type: z.string().optional(),
  status: z.string().optional(),
  message_id: z
    .string()
    .max(
      WIRE_LIMITS.messageIdLength,
      `message_id is a wamid of at most ${WIRE_LIMITS.messageIdLength} characters`,
    )
    .optional(),
})

const SEND_TYPES = new Set<string>([...WHATSAPP_SESSION_TYPES, 'template'])

/** Validates a Graph send body into what `decide` needs; the body itself is forwarded unchanged. */
export function parseWhatsAppSend(body: unknown): Parsed<WhatsAppSendRequest> {
  const parsed = bodySchema.safeParse(body)
  if (!parsed.success) return invalid(describeIssues(parsed.error).join('; '))
  const request = parsed.data
  if (request.status !== undefined) {
    if (request.status !== 'read' || request.message_id === undefined)
      return invalid(
        'a status update must be {"status": "read", "message_id": "<wamid of the inbound message>"}',
      )
    return { ok: true, value: { kind: 'mark_read', messageId: request.message_id } }
  }
  const field = request.to === undefined ? 'recipient' : 'to'
  const to = request.to ?? request.recipient
  if (to === undefined) return invalid('"to" is required: the recipient\'s phone number (wa_id)')
  const contact = parseWhatsAppContactId(to)
  if (!contact.ok) return invalid(`${field}: ${contact.problem}`)
  const recipient = contact.id
  // Graph's default message type is text.
  const type = request.type ?? 'text'
  if (!SEND_TYPES.has(type))
    return invalid(`type "${type}" is not a message type; use one of ${[...SEND_TYPES].join(', ')}`)
  const payload: unknown = request[type]
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return invalid(`a ${type} message needs a "${type}" object`)
  if (type !== 'template') {
    return {
      ok: true,
      value: {
        kind: 'message',
        to: recipient,
        intent: { platform: 'whatsapp', kind: 'session', messageType: type as WhatsAppSessionType },
      },
    }
  }
  const template = templateSchema.safeParse(payload)
  if (!template.success) return invalid(describeIssues(template.error, 'template').join('; '))
  return {
    ok: true,
    value: {
      kind: 'message',
      to: recipient,
      intent: { platform: 'whatsapp', kind: 'template', template: template.data },
    },
  }
}
