import type { Instant } from '../../domain/index.js'
import type { MessageRecord, Store } from '../../store/store.js'
import { timeOrderedId } from '../../shared/ids.js'
import { ensureContact } from '../contacts/contacts.js'
import type { HistoryStatus } from './history-line.js'

/**
 * Records the messages history's statuses speak of that carewindow never sent (an earlier gateway did): Meta's
 * statuses are all that is known of them — the recipient, when, and in one of them how Meta billed the message.
 * Each is recorded once, `accepted` at its first status's instant, with no carewindow decision or price (none was
 * made); the inbox's own status handling then moves it on and keeps Meta's `pricing`, as for any message.
 */
export async function recordSentBeforehand(
  tx: Store,
  statuses: readonly HistoryStatus[],
  now: Instant,
): Promise<void> {
  for (const status of statuses) {
    const { channel } = status
    const message: MessageRecord = {
      id: timeOrderedId('msg', status.at),
      tenantId: channel.tenantId,
      channelId: channel.id,
      contactId: status.contactId,
      direction: 'outbound',
      externalId: status.messageId,
      at: status.at,
      bodyJson: null,
      allowed: true,
      reason: null,
      decisionJson: null,
      priceMicros: null,
      currency: null,
      status: 'accepted',
      statusAt: status.at,
      metaPricingJson: null,
      errorJson: null,
      createdAt: now,
    }
    // A message known already (sent through carewindow, or an earlier status of it) is left as it is.
    if (await tx.insertMessage(message)) await ensureContact(tx, channel, status.contactId, now)
  }
}
