import { z } from 'zod'
import { parseInstant, parseWhatsAppContactId, type Instant } from '../../domain/index.js'
import { describeIssues } from '../../shared/validation.js'
import { NotificationFields, record, records } from '../notification-fields.js'
import { WIRE_LIMITS } from '../wire-limits.js'

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

/**
 * The changes in a notification body. Items carewindow does not act on (other fields, items without the fields it
 * needs) are listed in `skipped`, not fatal; a body that is not a notification, or carries values out of bounds
 * (see {@link NotificationFields}), is not ok and says why.
 */
export function parseWhatsAppNotification(body: unknown): NotificationParse {
  const parsed = notificationSchema.safeParse(body)
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error).join('; ') }
  const fields = new NotificationFields()
  const changes: WhatsAppChange[] = []
  const skipped: string[] = []
  for (const [e, entry] of parsed.data.entry.entries()) {
    const accountId = fields.text(entry.id, `entry[${e}].id`, WIRE_LIMITS.accountIdLength)
    for (const [c, change] of entry.changes.entries()) {
      const value = change.value
      const path = `entry[${e}].changes[${c}].value`
      switch (change.field) {
        case 'messages':
          readMessagesValue(value, path, fields, changes, skipped)
          break
        case 'user_preferences':
          readUserPreferences(value, path, fields, changes, skipped)
          break
        case 'message_template_status_update': {
          const { name, language } = templateOf(value, path, fields)
          const event = fields.text(value.event, `${path}.event`)
          if (name === null || language === null || event === null)
            skipped.push('message_template_status_update without name, language or event')
          else {
            fields.countChange(path)
            changes.push({
              kind: 'template_status',
              accountId,
              name,
              language,
              event,
              reason: typeof value.reason === 'string' ? value.reason : null,
            })
          }
          break
        }
        case 'template_category_update': {
          const { name, language } = templateOf(value, path, fields)
          const newCategory = fields.text(value.new_category, `${path}.new_category`)
          const previousCategory = fields.text(value.previous_category, `${path}.previous_category`)
          if (name === null || language === null || newCategory === null)
            skipped.push('template_category_update without name, language or new_category')
          else {
            fields.countChange(path)
            changes.push({
              kind: 'template_category',
              accountId,
              name,
              language,
              newCategory,
              previousCategory,
            })
          }
          break
        }
        default:
          skipped.push(`field ${change.field} is relayed but not acted on`)
      }
    }
  }
  if (fields.problems.length > 0) return { ok: false, problem: fields.problems.join('; ') }
  return { ok: true, changes, skipped }
}

function readMessagesValue(
  value: Record<string, unknown>,
  path: string,
  fields: NotificationFields,
  changes: WhatsAppChange[],
  skipped: string[],
): void {
  const phoneNumberId = fields.text(
    record(value.metadata)?.phone_number_id,
    `${path}.metadata.phone_number_id`,
    WIRE_LIMITS.accountIdLength,
  )
  if (phoneNumberId === null) {
    skipped.push('messages change without metadata.phone_number_id')
    return
  }
  const names = new Map<string, string>()
  for (const contact of records(value.contacts)) {
    const id = loose(contact.wa_id) ?? loose(contact.user_id)
    const name = loose(record(contact.profile)?.name)
    if (id !== null && name !== null) names.set(contactKey(id), name)
  }
  for (const [index, message] of items(value.messages)) {
    const at = `${path}.messages[${index}]`
    const from = contactId(fields, message.from ?? message.from_user_id, `${at}.from`)
    const messageId = fields.text(message.id, `${at}.id`, WIRE_LIMITS.messageIdLength)
    const sentAt = secondsToInstant(fields, message.timestamp, `${at}.timestamp`)
    if (from === null || messageId === null || sentAt === null) {
      skipped.push(`message ${messageId ?? '(no id)'} without from, id or timestamp`)
      continue
    }
    fields.countChange(at)
    changes.push({
      kind: 'message',
      phoneNumberId,
      contact: from,
      profileName: names.get(from) ?? null,
      messageId,
      at: sentAt,
      message,
    })
  }
  for (const [index, status] of items(value.statuses)) {
    const at = `${path}.statuses[${index}]`
    const messageId = fields.text(status.id, `${at}.id`, WIRE_LIMITS.messageIdLength)
    const state = fields.text(status.status, `${at}.status`)
    const statusAt = secondsToInstant(fields, status.timestamp, `${at}.timestamp`)
    const recipient = contactId(fields, status.recipient_id ?? status.recipient_user_id, `${at}.recipient_id`)
    if (messageId === null || state === null || statusAt === null) {
      skipped.push(`status ${messageId ?? '(no id)'} without id, status or timestamp`)
      continue
    }
    fields.countChange(at)
    changes.push({
      kind: 'status',
      phoneNumberId,
      messageId,
      status: state,
      at: statusAt,
      recipient,
      pricing: status.pricing ?? null,
      errors: status.errors ?? null,
    })
  }
}

function readUserPreferences(
  value: Record<string, unknown>,
  path: string,
  fields: NotificationFields,
  changes: WhatsAppChange[],
  skipped: string[],
): void {
  const phoneNumberId = fields.text(
    record(value.metadata)?.phone_number_id,
    `${path}.metadata.phone_number_id`,
    WIRE_LIMITS.accountIdLength,
  )
  for (const [index, preference] of items(value.user_preferences)) {
    const at = `${path}.user_preferences[${index}]`
    const contact = contactId(fields, preference.wa_id ?? preference.user_id, `${at}.wa_id`)
    const choice = fields.text(preference.value, `${at}.value`)
    const chosenAt = secondsToInstant(fields, preference.timestamp, `${at}.timestamp`)
    const category = fields.text(preference.category, `${at}.category`)
    if (
      phoneNumberId === null ||
      contact === null ||
      (choice !== 'stop' && choice !== 'resume') ||
      chosenAt === null
    ) {
      skipped.push('user_preferences entry without phone number, contact, stop/resume or timestamp')
      continue
    }
    fields.countChange(at)
    changes.push({
      kind: 'user_preference',
      phoneNumberId,
      contact,
      category: category ?? 'marketing_messages',
      value: choice,
      at: chosenAt,
      detail: typeof preference.detail === 'string' && preference.detail !== '' ? preference.detail : null,
    })
  }
}

/** The template a template update is about: its name and language, bounded, or `null` when absent. */
function templateOf(
  value: Record<string, unknown>,
  path: string,
  fields: NotificationFields,
): { readonly name: string | null; readonly language: string | null } {
  return {
    name: fields.text(
      value.message_template_name,
      `${path}.message_template_name`,
      WIRE_LIMITS.templateNameLength,
    ),
    language: fields.text(
      value.message_template_language,
      `${path}.message_template_language`,
      WIRE_LIMITS.languageLength,
    ),
  }
}

/** A contact's `wa_id` (normalised) or business-scoped user id, bounded, or `null` when absent. */
function contactId(fields: NotificationFields, value: unknown, path: string): string | null {
  const text = fields.text(value, path, WIRE_LIMITS.contactIdLength)
  if (text === null) return null
  const id = contactKey(text)
  if (/[\p{L}\p{N}]/u.test(id)) return id
  fields.problem(path, 'a contact id has at least one letter or digit')
  return null
}

/**
 * The contact as carewindow keys it: a `wa_id` normalised exactly as a business's `to` is (`parseWaId`), so
 * that both find one window. Meta sends `wa_id`s already normalised; an id that is not a phone number carewindow
 * can read is kept as Meta wrote it, without `+`, spaces or dashes — a customer's message is never dropped
 * because carewindow's phone-number metadata disagrees with Meta.
 */
function contactKey(text: string): string {
  const parsed = parseWhatsAppContactId(text)
  if (parsed.ok) return parsed.id
  const digits = text.replace(/[\s()+-]/g, '')
  return /^\d+$/.test(digits) ? digits : text.trim()
}

/** The objects of a list, with their positions (anything else in it is not an item carewindow acts on). */
function items(value: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(value)) return []
  const found: [number, Record<string, unknown>][] = []
  for (const [index, item] of value.entries()) {
    const object = record(item)
    if (object !== null) found.push([index, object])
  }
  return found
}

/** A string or number as text, unbounded and never a problem: for what carewindow only shows (profile names). */
function loose(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}

/**
 * WhatsApp timestamps are Unix seconds, as a string (sometimes a number); an ISO string is accepted too. Absent:
 * `null`; present but not a time, or outside the accepted range: a problem.
 */
function secondsToInstant(fields: NotificationFields, value: unknown, path: string): Instant | null {
  if (value === undefined || value === null || value === '') return null
  let ms: Instant | undefined
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) ms = Number(value) * 1000
  else if (typeof value === 'number' && Number.isInteger(value)) ms = value * 1000
  else if (typeof value === 'string') ms = parseInstant(value)
  if (ms === undefined) {
    fields.problem(path, 'expected Unix seconds such as "1712345678"')
    return null
  }
  return fields.instant(ms, path)
}
