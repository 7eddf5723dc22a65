import { formatInstant, parseWhatsAppContactId } from '../../domain/index.js'
import { WIRE_LIMITS } from '../../channels/wire-limits.js'
import type { ChannelRecord, Store } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import type { Directory } from '../directory.js'
import { GatewayError } from '../../shared/errors.js'
import type { Inbox } from '../webhooks/inbox.js'

/** What the native API's use cases work with; the {@link Gateway} provides it. */
export interface NativeApiDependencies {
  readonly store: Store
  readonly directory: Directory
  readonly clock: Clock
  readonly inbox: Inbox
}

/**
 * A tenant's channel by its external id (`phone_number_id` or Page id), WhatsApp first. Another tenant's channel
 * is not found exactly like a missing one, so ids cannot be probed.
 */
export async function findTenantChannel(
  directory: Directory,
  tenantId: string,
  externalId: string,
): Promise<ChannelRecord> {
  const channel =
    (await directory.tenantChannel(tenantId, 'whatsapp', externalId)) ??
    (await directory.tenantChannel(tenantId, 'messenger', externalId))
  if (channel === undefined)
    throw new GatewayError('NOT_FOUND', `there is no channel '${externalId}' (phone_number_id or Page id)`)
  return channel
}

/** The longest contact id the API takes: the same bound as every id read off the wire (see wire-limits.ts). */
export const MAX_CONTACT_ID_LENGTH = WIRE_LIMITS.contactIdLength

/**
 * A contact id as carewindow keys it: on WhatsApp the `wa_id` of a phone number however it is written (see
 * `parseWaId`; 400 when it cannot be one) or a business-scoped user id; a Messenger PSID as given.
 */
export function contactIdOf(channel: ChannelRecord, contactId: string): string {
  if (channel.platform === 'whatsapp') {
    const parsed = parseWhatsAppContactId(contactId)
    if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', `contact_id: ${parsed.problem}`)
    return parsed.id
  }
  const normalized = contactId.trim()
  if (normalized === '' || normalized.length > MAX_CONTACT_ID_LENGTH)
    throw new GatewayError(
      'INVALID_REQUEST',
      `contact_id: a wa_id (phone number) or PSID of 1 to ${MAX_CONTACT_ID_LENGTH} characters is required`,
    )
  return normalized
}

/** A channel as the API shows it: never its token, app secret or verify token. */
export function channelJson(channel: ChannelRecord): Record<string, unknown> {
  return {
    platform: channel.platform,
    id: channel.externalId,
    upstream: channel.upstream.mode,
    settings: channel.settings,
    created_at: formatInstant(channel.createdAt),
    updated_at: formatInstant(channel.updatedAt),
  }
}

/** The tenant's channels, WhatsApp numbers first. */
export async function tenantChannels(store: Store, tenantId: string): Promise<Record<string, unknown>[]> {
  const channels = await store.listChannels({ tenantId })
  const order = (channel: ChannelRecord) => `${channel.platform === 'whatsapp' ? 0 : 1}:${channel.externalId}`
  return channels.sort((a, b) => order(a).localeCompare(order(b))).map(channelJson)
}
