import { z } from 'zod'
import type { Instant } from '../../domain/index.js'

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

export function parseMessengerNotification(body: unknown): MessengerNotificationParse {
  const parsed = notificationSchema.safeParse(body)
  if (!parsed.success)
    return { ok: false, problem: parsed.error.issues.map((issue) => issue.message).join('; ') }
  const changes: MessengerChange[] = []
  const skipped: string[] = []
  const pageIds = new Set<string>()
  for (const entry of parsed.data.entry) {
    if (entry.id !== undefined) pageIds.add(entry.id)
    for (const event of [...(entry.messaging ?? []), ...(entry.standby ?? [])]) {
      const change = readEvent(entry.id, event)
      if (typeof change === 'string') skipped.push(change)
      else changes.push(change)
    }
  }
  return { ok: true, changes, skipped, pageIds: [...pageIds] }
}

function readEvent(entryId: string | undefined, event: Record<string, unknown>): MessengerChange | string {
  const sender = text(record(event.sender)?.id)
  const recipient = text(record(event.recipient)?.id)
  const at = typeof event.timestamp === 'number' && Number.isFinite(event.timestamp) ? event.timestamp : null
  if (sender === null || at === null) return 'event without sender.id or timestamp'
  const pageId = recipient ?? entryId
  const message = record(event.message)
  if (message !== null) {
    // An echo is the Page's own message: it never opens or extends the window.
    if (message.is_echo === true) return 'echo of the Page’s own message'
    if (pageId === undefined) return 'message without a Page id'
    return {
      kind: 'inbound',
      pageId,
      psid: sender,
      eventId: text(message.mid) ?? `message:${sender}:${at}`,
      at,
      type: 'message',
      text: text(message.text),
      referralSource: text(record(message.referral)?.source) ?? undefined,
      event,
    }
  }
  if (pageId === undefined) return 'event without a Page id'
  const delivery = record(event.delivery)
  if (delivery !== null) {
    const mids = Array.isArray(delivery.mids)
      ? delivery.mids.filter((mid): mid is string => typeof mid === 'string')
      : []
    return { kind: 'delivery', pageId, psid: sender, mids, at }
  }
  if (record(event.read) !== null) return 'read receipt (no window effect)'
  for (const type of ['postback', 'reaction', 'referral', 'optin'] as const) {
    const body = record(event[type])
    if (body === null) continue
    if (type === 'reaction' && body.action === 'unreact') return 'unreact (no window effect)'
    const referral = type === 'referral' ? body : record(body.referral)
    return {
      kind: 'inbound',
      pageId,
      psid: sender,
      // A reaction's `mid` is the message reacted to, not the reaction: each reaction is an event of its own.
      eventId: (type === 'reaction' ? null : text(body.mid)) ?? `${type}:${sender}:${at}`,
      at,
      type,
      text: type === 'postback' ? text(body.title) : null,
      referralSource: text(referral?.source) ?? undefined,
      event,
    }
  }
  return 'event carewindow does not act on'
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
