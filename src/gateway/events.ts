import {
  formatInstant,
  windowAt,
  type ContactState,
  type Instant,
  type PolicySettings,
} from '../domain/index.js'
import { windowJson } from '../representations/decision-json.js'
import type { ChannelRecord, Store } from '../store/store.js'
import { sha256Hex } from './ids.js'

/** The events carewindow tells businesses about, through the signed outbox. */
export const EVENT_TYPES = [
  'window.opened',
  'window.expiring',
  'window.closed',
  'message.refused',
  'message.status',
  'consent.changed',
  'case.reengaged',
  'held_message.released',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

export interface EventInput {
  readonly type: EventType
  readonly channel: ChannelRecord
  readonly contactId: string
  /**
   * What makes this event unique (with its type, channel and contact): the window's expiry, a message id …
   * The event id derives from it, so the same event produced twice (a retried job, two instances) is one event,
   * and receivers can deduplicate on it.
   */
  readonly key: string
  /** The contact's state, for the window snapshot every event carries. */
  readonly state: ContactState
  readonly settings: PolicySettings
  readonly at: Instant
  readonly data?: Readonly<Record<string, unknown>>
}

/** The stable id of an event. */
export function eventId(type: EventType, channelId: string, contactId: string, key: string): string {
  return `evt_${sha256Hex(`${type}\u0000${channelId}\u0000${contactId}\u0000${key}`).slice(0, 32)}`
}

/**
 * Queues an event for the channel's tenant (nothing when the tenant has no webhook URL). Its body:
 * `{ id, type, created_at, channel: {platform, id}, contact_id, window: {...}, data: {...} }`. The delivery's id
 * is the event id: queuing the same event twice keeps one.
 */
export async function emitEvent(tx: Store, event: EventInput): Promise<string | null> {
  const tenant = await tx.getTenant(event.channel.tenantId)
  if (tenant === undefined || tenant.webhookUrl === null) return null
  const id = eventId(event.type, event.channel.id, event.contactId, event.key)
  const window = windowAt(event.channel.platform, event.state, event.at, event.settings)
  const payload = JSON.stringify({
    id,
    type: event.type,
    created_at: formatInstant(event.at),
    channel: { platform: event.channel.platform, id: event.channel.externalId },
    contact_id: event.contactId,
    window: windowJson(window, event.at),
    data: event.data ?? {},
  })
  await tx.enqueueDeliveries([
    {
      id,
      tenantId: tenant.id,
      eventType: event.type,
      payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: event.at,
      lastError: null,
      createdAt: event.at,
      deliveredAt: null,
    },
  ])
  return id
}
