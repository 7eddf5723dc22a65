import { z } from 'zod'
import { parseInstant, type Instant } from '../../domain/index.js'
import { normalizeRecipient } from './send-body.js'

/**
 * A WhatsApp webhook notification, read loosely: Meta adds fields over time, and one unknown field must never
 * make carewindow drop a notification. What carewindow acts on is pulled out into typed changes.
 */
const notificationSchema = z.looseObject({
  object: z.literal('whatsapp_business_account', 'object must be "whatsapp_business_account"'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.looseObject({}) })).default([]),
    }),
  ),
})

/** One thing a notification says happened, for one business phone number. */
export type WhatsAppChange =
  | {
      readonly kind: 'message'
      readonly phoneNumberId: string
      /** `wa_id` (normalised) or, for username users, the business-scoped user id. */
      readonly contact: string
      readonly profileName: string | null
      readonly messageId: string
      readonly at: Instant
      readonly message: Readonly<Record<string, unknown>>
    }
  | {
      readonly kind: 'status'
      readonly phoneNumberId: string
      readonly messageId: string
      readonly status: string
      readonly at: Instant
      readonly recipient: string | null
      readonly pricing: unknown
      readonly errors: unknown
    }
  | {
      readonly kind: 'user_preference'
      readonly phoneNumberId: string
      readonly contact: string
      readonly category: string
      readonly value: 'stop' | 'resume'
      readonly at: Instant
      readonly detail: string | null
    }
  | {
      readonly kind: 'template_status'
      /** The WhatsApp Business Account (`entry.id`) the template belongs to. */
      readonly accountId: string | null
      readonly name: string
      readonly language: string
      readonly event: string
      readonly reason: string | null
    }
  | {
      readonly kind: 'template_category'
      readonly accountId: string | null
      readonly name: string
      readonly language: string
      readonly previousCategory: string | null
      readonly newCategory: string
    }

export type NotificationParse =
  | { readonly ok: true; readonly changes: WhatsAppChange[]; readonly skipped: string[] }
  | { readonly ok: false; readonly problem: string }

/** The changes in a notification body; entries carewindow cannot read are listed in `skipped`, not fatal. */
export function parseWhatsAppNotification(body: unknown): NotificationParse {
  const parsed = notificationSchema.safeParse(body)
  if (!parsed.success)
    return { ok: false, problem: parsed.error.issues.map((issue) => issue.message).join('; ') }
  const changes: WhatsAppChange[] = []
  const skipped: string[] = []
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      const value = change.value
      switch (change.field) {
        case 'messages':
          readMessagesValue(value, changes, skipped)
          break
        case 'user_preferences':
          readUserPreferences(value, changes, skipped)
          break
        case 'message_template_status_update': {
          const name = text(value.message_template_name)
          const language = text(value.message_template_language)
          const event = text(value.event)
          if (name === null || language === null || event === null)
            skipped.push('message_template_status_update without name, language or event')
          else
            changes.push({
              kind: 'template_status',
              accountId: entry.id ?? null,
              name,
              language,
              event,
              reason: text(value.reason),
            })
          break
        }
        case 'template_category_update': {
          const name = text(value.message_template_name)
          const language = text(value.message_template_language)
          const newCategory = text(value.new_category)
          if (name === null || language === null || newCategory === null)
            skipped.push('template_category_update without name, language or new_category')
          else
            changes.push({
              kind: 'template_category',
              accountId: entry.id ?? null,
              name,
              language,
              newCategory,
              previousCategory: text(value.previous_category),
            })
          break
        }
        default:
          skipped.push(`field ${change.field} is relayed but not acted on`)
      }
    }
  }
  return { ok: true, changes, skipped }
}

function readMessagesValue(
  value: Record<string, unknown>,
  changes: WhatsAppChange[],
  skipped: string[],
): void {
  const phoneNumberId = text(record(value.metadata)?.phone_number_id)
  if (phoneNumberId === null) {
    skipped.push('messages change without metadata.phone_number_id')
    return
  }
  const names = new Map<string, string>()
  for (const contact of list(value.contacts)) {
    const id = text(contact.wa_id) ?? text(contact.user_id)
    const name = text(record(contact.profile)?.name)
    if (id !== null && name !== null) names.set(normalizeRecipient(id), name)
  }
  for (const message of list(value.messages)) {
    const from = text(message.from) ?? text(message.from_user_id)
    const messageId = text(message.id)
    const at = secondsToInstant(message.timestamp)
    if (from === null || messageId === null || at === null) {
      skipped.push(`message ${messageId ?? '(no id)'} without from, id or timestamp`)
      continue
    }
    const contact = normalizeRecipient(from)
    changes.push({
      kind: 'message',
      phoneNumberId,
      contact,
      profileName: names.get(contact) ?? null,
      messageId,
      at,
      message,
    })
  }
  for (const status of list(value.statuses)) {
    const messageId = text(status.id)
    const state = text(status.status)
    const at = secondsToInstant(status.timestamp)
    if (messageId === null || state === null || at === null) {
      skipped.push(`status ${messageId ?? '(no id)'} without id, status or timestamp`)
      continue
    }
    const recipient = text(status.recipient_id) ?? text(status.recipient_user_id)
    changes.push({
      kind: 'status',
      phoneNumberId,
      messageId,
      status: state,
      at,
      recipient: recipient === null ? null : normalizeRecipient(recipient),
      pricing: status.pricing ?? null,
      errors: status.errors ?? null,
    })
  }
}

function readUserPreferences(
  value: Record<string, unknown>,
  changes: WhatsAppChange[],
  skipped: string[],
): void {
  const phoneNumberId = text(record(value.metadata)?.phone_number_id)
  for (const preference of list(value.user_preferences)) {
    const contact = text(preference.wa_id) ?? text(preference.user_id)
    const choice = text(preference.value)
    const at = secondsToInstant(preference.timestamp)
    if (
      phoneNumberId === null ||
      contact === null ||
      (choice !== 'stop' && choice !== 'resume') ||
      at === null
    ) {
      skipped.push('user_preferences entry without phone number, contact, stop/resume or timestamp')
      continue
    }
    changes.push({
      kind: 'user_preference',
      phoneNumberId,
      contact: normalizeRecipient(contact),
      category: text(preference.category) ?? 'marketing_messages',
      value: choice,
      at,
      detail: text(preference.detail),
    })
  }
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record).filter((item) => item !== null) : []
}

/** WhatsApp timestamps are Unix seconds, as a string (sometimes a number); an ISO string is accepted too. */
function secondsToInstant(value: unknown): Instant | null {
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) return Number(value) * 1000
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value * 1000
  if (typeof value === 'string') return parseInstant(value) ?? null
  return null
}
