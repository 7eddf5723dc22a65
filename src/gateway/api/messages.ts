import { formatInstant, formatMicros } from '../../domain/index.js'
import { storedJsonOrNull } from '../../representations/stored-json.js'
import type { MessageRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'

/**
 * One of the tenant's messages with its decision (which carries its explanation), its price and the `pricing`
 * object Meta reported for it. Another tenant's message is not found exactly like a missing one.
 */
export async function tenantMessage(
  deps: Pick<NativeApiDependencies, 'store' | 'inbox'>,
  tenantId: string,
  messageId: string,
): Promise<Record<string, unknown>> {
  // Statuses and Meta's pricing arrive by webhook; include every one already acknowledged.
  await deps.inbox.drain()
  const message = await deps.store.getMessage(messageId)
  if (message?.tenantId !== tenantId)
    throw new GatewayError('NOT_FOUND', `there is no message '${messageId}'`)
  const channel = (await deps.store.listChannels({ tenantId })).find(
    (candidate) => candidate.id === message.channelId,
  )
  return messageJson(
    message,
    channel === undefined ? null : { platform: channel.platform, id: channel.externalId },
  )
}

function messageJson(
  message: MessageRecord,
  channel: { readonly platform: string; readonly id: string } | null,
): Record<string, unknown> {
  return {
    id: message.id,
    direction: message.direction,
    channel,
    contact_id: message.contactId,
    external_id: message.externalId,
    at: formatInstant(message.at),
    status: message.status,
    status_at: formatInstant(message.statusAt),
    allowed: message.allowed,
    reason: message.reason,
    decision: storedJsonOrNull(message.decisionJson),
    price:
      message.priceMicros === null
        ? null
        : {
            amount: formatMicros(message.priceMicros),
            amount_micros: message.priceMicros,
            currency: message.currency,
          },
    meta_pricing: storedJsonOrNull(message.metaPricingJson),
    error: storedJsonOrNull(message.errorJson),
    body: storedJsonOrNull(message.bodyJson),
    created_at: formatInstant(message.createdAt),
  }
}
