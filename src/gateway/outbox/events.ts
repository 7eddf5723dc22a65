import {
  formatInstant,
  windowAt,
  type ContactState,
  type Instant,
  type PolicySettings,
} from '../../domain/index.js'
import { windowJson } from '../../representations/decision-json.js'
import type { ChannelRecord, DeliveryRecord, Store, TenantRecord } from '../../store/store.js'
import { sha256Hex } from '../../shared/ids.js'

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
  'billing.mismatch',
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
 * Queues an event for the channel's tenant (nothing when the tenant has no webhook URL) and announces it to the
 * live stream (`GET /v1/events/stream`) once the transaction commits. Its body:
 * `{ id, type, created_at, channel: {platform, id}, contact_id, window: {...}, data: {...} }`. The delivery's id
 * is the event id: queuing the same event twice keeps one.
 */
export async function emitEvent(tx: Store, event: EventInput): Promise<string | null> {
  const [id] = await emitEvents(tx, [event])
  return id ?? null
}

/** Rows per insert: 11 parameters each, within SQLite's historical limit of 999 bound parameters. */
const DELIVERIES_PER_INSERT = 80

/**
 * {@link emitEvent} for many events at once (the scheduler's rounds): each tenant is read once and the deliveries
 * are queued in multi-row inserts. Returns the event ids in order (`null` where the tenant has no webhook URL).
 */
export async function emitEvents(tx: Store, events: readonly EventInput[]): Promise<(string | null)[]> {
  const tenants = new Map<string, TenantRecord | undefined>()
  const deliveries: DeliveryRecord[] = []
  const ids: (string | null)[] = []
  for (const event of events) {
    const tenantId = event.channel.tenantId
    if (!tenants.has(tenantId)) tenants.set(tenantId, await tx.getTenant(tenantId))
    const tenant = tenants.get(tenantId)
    const isDelivered = tenant !== undefined && tenant.webhookUrl !== null
    // Rendered only for someone: an inbound storm with no webhook URL and no live stream open renders nothing.
    if (!isDelivered && !tx.isHeard) {
      ids.push(null)
      continue
    }
    const id = eventId(event.type, event.channel.id, event.contactId, event.key)
    const payload = payloadOf(id, event)
    // The live stream hears every event, with or without a webhook URL, and only after the commit.
    tx.notify({ tenantId, type: event.type, payload })
    if (!isDelivered) {
      ids.push(null)
      continue
    }
    deliveries.push(deliveryOf(tenant, event, id, payload))
    ids.push(id)
  }
  for (let start = 0; start < deliveries.length; start += DELIVERIES_PER_INSERT)
    await tx.enqueueDeliveries(deliveries.slice(start, start + DELIVERIES_PER_INSERT))
  return ids
}

function payloadOf(id: string, event: EventInput): string {
  const window = windowAt(event.channel.platform, event.state, event.at, event.settings)
  return JSON.stringify({
    id,
    type: event.type,
    created_at: formatInstant(event.at),
    channel: { platform: event.channel.platform, id: event.channel.externalId },
    contact_id: event.contactId,
    window: windowJson(window, event.at),
    data: event.data ?? {},
  })
}

function deliveryOf(tenant: TenantRecord, event: EventInput, id: string, payload: string): DeliveryRecord {
  return {
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
    lastAttemptAt: null,
  }
}
