import { formatInstant, type Instant } from '../domain/index.js'
import type { ChannelRecord, HeldMessageRecord } from '../store/store.js'
import { storedJson } from './stored-json.js'

const iso = (at: Instant | null): string | null => (at === null ? null : formatInstant(at))

/**
 * A held reply in the native API. `body` is the send body as the client posted it (parsed), `refused_message_id`
 * the message recorded when the send was refused for the closed window, `message_id` the message sent on release
 * and `error` why a release could not be sent (the decision's reason).
 */
export function heldMessageJson(
  hold: HeldMessageRecord,
  channel: Pick<ChannelRecord, 'externalId'>,
): Record<string, unknown> {
  return {
    id: hold.id,
    channel_id: channel.externalId,
    contact_id: hold.contactId,
    status: hold.status,
    // The JSON a send parsed; should a row hold anything else, it is shown as the text it is.
    body: storedJson(hold.body),
    refused_message_id: hold.refusedMessageId,
    message_id: hold.messageId,
    error: hold.error,
    created_at: formatInstant(hold.createdAt),
    expires_at: formatInstant(hold.expiresAt),
    released_at: iso(hold.releasedAt),
  }
}
