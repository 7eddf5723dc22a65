import type { Instant } from '../../domain/index.js'
import type { ChannelRecord, Store } from '../../store/store.js'
import { sha256Hex, timeOrderedId } from '../../shared/ids.js'

/**
 * Queues a Meta notification for the businesses whose channels it concerns, in the outbox (same transaction as
 * its processing, so it is relayed if and only if it was applied). One business gets the body exactly as Meta
 * sent it; when a notification spans several businesses (one Meta app, several tenants), each gets only the
 * changes for its own channels.
 */
export async function relayToTenants(
  tx: Store,
  now: Instant,
  rawBody: string,
  json: unknown,
  channels: readonly ChannelRecord[],
  eventType: string,
): Promise<void> {
  const byTenant = new Map<string, Set<string>>()
  for (const channel of channels) {
    const ids = byTenant.get(channel.tenantId) ?? new Set<string>()
    ids.add(channel.externalId)
    byTenant.set(channel.tenantId, ids)
  }
  for (const [tenantId, externalIds] of byTenant) {
    const tenant = await tx.getTenant(tenantId)
    const isDelivered = tenant !== undefined && tenant.webhookUrl !== null
    if (!isDelivered && !tx.isHeard) continue
    const payload = byTenant.size === 1 ? rawBody : JSON.stringify(onlyFor(json, externalIds))
    // The live stream hears it too, after the commit, whether or not the tenant has a webhook URL.
    tx.notify({ tenantId, type: eventType, payload })
    if (!isDelivered) continue
    // Meta retries a notification with the same bytes: the same delivery id keeps the business from getting it twice.
    await enqueueDelivery(
      tx,
      tenantId,
      eventType,
      payload,
      now,
      `dlv_${sha256Hex(`${tenantId}\u0000${payload}`).slice(0, 32)}`,
    )
  }
}

/** Puts one delivery (a Meta notification or a carewindow event) in the outbox, due now. */
export async function enqueueDelivery(
  tx: Store,
  tenantId: string,
  eventType: string,
  payload: string,
  now: Instant,
  id: string = timeOrderedId('dlv', now),
): Promise<void> {
  await tx.enqueueDeliveries([
    {
      id,
      tenantId,
      eventType,
      payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      deliveredAt: null,
      lastAttemptAt: null,
    },
  ])
}

interface Entry {
  readonly changes?: readonly {
    readonly value?: { readonly metadata?: { readonly phone_number_id?: string } }
  }[]
  readonly messaging?: readonly { readonly recipient?: { readonly id?: string } }[]
  readonly standby?: readonly { readonly recipient?: { readonly id?: string } }[]
  readonly id?: string
}

/** The notification with only the changes of the given channels (WhatsApp by phone number id, Messenger by Page id). */
function onlyFor(json: unknown, externalIds: ReadonlySet<string>): unknown {
  const notification = json as { readonly entry?: readonly Entry[] }
  const entries = (notification.entry ?? [])
    .map((entry) => {
      if (entry.changes !== undefined) {
        const changes = entry.changes.filter((change) => {
          const id = change.value?.metadata?.phone_number_id
          return id === undefined || externalIds.has(id)
        })
        return changes.length === 0 ? null : { ...entry, changes }
      }
      return entry.id !== undefined && externalIds.has(entry.id) ? entry : null
    })
    .filter((entry) => entry !== null)
  return { ...notification, entry: entries }
}
