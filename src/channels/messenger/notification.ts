import { z } from 'zod'
import type { Instant } from '../../domain/index.js'
import { describeIssues } from '../../shared/validation.js'
import { describe, NotificationFields, record } from '../notification-fields.js'
import { WIRE_LIMITS } from '../wire-limits.js'

/**
 * A Messenger webhook notification (`object: "page"`), read loosely like WhatsApp's. Entries carry `messaging`
 * events, or `standby` ones when another app holds the thread; timestamps are milliseconds.
 */
const notificationSchema = z.looseObject({
  object: z.literal('page', 'object must be "page"'),
  entry: z.array(
    z.looseObject({
      id: z.union([z.string(), z.number()]).transform(String).optional(),
      messaging: z.array(z.looseObject({})).optional(),
      standby: z.array(z.looseObject({})).optional(),
    }),
  ),
})

/** The user actions that open or extend the standard window (MSG-1). */
export type MessengerInboundType = 'message' | 'postback' | 'reaction' | 'referral' | 'optin'

export type MessengerChange =
  | {
      readonly kind: 'inbound'
      readonly pageId: string
      /** The user's page-scoped id. */
      readonly psid: string
      /** Meta's `mid`, or a stable id carewindow derives for events that have none. */
      readonly eventId: string
      readonly at: Instant
      readonly type: MessengerInboundType
      readonly text: string | null
      /** `ADS`, `SHORTLINK`, `CUSTOMER_CHAT_PLUGIN` … when the event carried a referral. */
      readonly referralSource: string | undefined
      readonly event: Readonly<Record<string, unknown>>
    }
  | {
      readonly kind: 'delivery'
      readonly pageId: string
      readonly psid: string
      readonly mids: readonly string[]
      readonly at: Instant
    }

export type MessengerNotificationParse =
  | {
      readonly ok: true
      readonly changes: MessengerChange[]
      readonly skipped: string[]
      /** The Pages the notification is for (its entries' ids), including those whose events change nothing. */
      readonly pageIds: string[]
    }
  | { readonly ok: false; readonly problem: string }

/**
 * The changes in a Messenger notification; events carewindow does not act on are listed in `skipped`. Values out
 * of bounds (see {@link NotificationFields}) make it not ok, saying why.
 */
export function parseMessengerNotification(body: unknown): MessengerNotificationParse {
  const parsed = notificationSchema.safeParse(body)
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error).join('; ') }
  const fields = new NotificationFields()
  const changes: MessengerChange[] = []
  const skipped: string[] = []
  const pageIds = new Set<string>()
  for (const [e, entry] of parsed.data.entry.entries()) {
    const entryId = fields.text(entry.id, `entry[${e}].id`, WIRE_LIMITS.accountIdLength) ?? undefined
    if (entryId !== undefined) pageIds.add(entryId)
    for (const [list, events] of [
      ['messaging', entry.messaging ?? []],
      ['standby', entry.standby ?? []],
    ] as const) {
      for (const [index, event] of events.entries()) {
        const change = readEvent(entryId, event, `entry[${e}].${list}[${index}]`, fields)
        if (typeof change === 'string') skipped.push(change)
        else changes.push(change)
      }
    }
  }
  if (fields.problems.length > 0) return { ok: false, problem: fields.problems.join('; ') }
  return { ok: true, changes, skipped, pageIds: [...pageIds] }
}

function readEvent(
  entryId: string | undefined,
  event: Record<string, unknown>,
  path: string,
  fields: NotificationFields,
): MessengerChange | string {
  const sender = fields.text(record(event.sender)?.id, `${path}.sender.id`, WIRE_LIMITS.contactIdLength)
  const recipient = fields.text(
    record(event.recipient)?.id,
    `${path}.recipient.id`,
    WIRE_LIMITS.accountIdLength,
  )
  const at = timestamp(event.timestamp, `${path}.timestamp`, fields)
  if (sender === null || at === null) return 'event without sender.id or timestamp'
  const pageId = recipient ?? entryId
  const message = record(event.message)
  if (message !== null) {
    // An echo is the Page's own message: it never opens or extends the window.
    if (message.is_echo === true) return 'echo of the Page’s own message'
    if (pageId === undefined) return 'message without a Page id'
    fields.countChange(path)
    return {
      kind: 'inbound',
      pageId,
      psid: sender,
      eventId:
        fields.text(message.mid, `${path}.message.mid`, WIRE_LIMITS.messageIdLength) ??
        `message:${sender}:${at}`,
      at,
      type: 'message',
      text: typeof message.text === 'string' && message.text !== '' ? message.text : null,
      referralSource:
        fields.text(record(message.referral)?.source, `${path}.message.referral.source`) ?? undefined,
      event,
    }
  }
  if (pageId === undefined) return 'event without a Page id'
  const delivery = record(event.delivery)
  if (delivery !== null) {
    const mids: string[] = []
    if (Array.isArray(delivery.mids))
      for (const [index, mid] of delivery.mids.entries()) {
        const id = fields.text(mid, `${path}.delivery.mids[${index}]`, WIRE_LIMITS.messageIdLength)
        if (id === null) continue
        fields.countChange(path)
        mids.push(id)
      }
    return { kind: 'delivery', pageId, psid: sender, mids, at }
  }
  if (record(event.read) !== null) return 'read receipt (no window effect)'
  for (const type of ['postback', 'reaction', 'referral', 'optin'] as const) {
    const body = record(event[type])
    if (body === null) continue
    if (type === 'reaction' && body.action === 'unreact') return 'unreact (no window effect)'
    const referral = type === 'referral' ? body : record(body.referral)
    fields.countChange(path)
    return {
      kind: 'inbound',
      pageId,
      psid: sender,
      // A reaction's `mid` is the message reacted to, not the reaction: each reaction is an event of its own.
      eventId:
        (type === 'reaction'
          ? null
          : fields.text(body.mid, `${path}.${type}.mid`, WIRE_LIMITS.messageIdLength)) ??
        `${type}:${sender}:${at}`,
      at,
      type,
      text: type === 'postback' && typeof body.title === 'string' && body.title !== '' ? body.title : null,
      referralSource: fields.text(referral?.source, `${path}.${type}.referral.source`) ?? undefined,
      event,
    }
  }
  return 'event carewindow does not act on'
}

/** Messenger timestamps are milliseconds, as a number. Absent: `null`; anything else out of place: a problem. */
function timestamp(value: unknown, path: string, fields: NotificationFields): Instant | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fields.problem(path, `expected milliseconds since 1970 as a whole number, got ${describe(value)}`)
    return null
  }
  return fields.instant(value, path)
}
