import {
  applyEvent,
  NEW_CONTACT,
  type ContactEvent,
  type Instant,
  type PolicySettings,
} from '../../domain/index.js'
import { contactJobId, JOB_KINDS } from '../../scheduler/jobs.js'
import type { ChannelRecord, MessageRecord, Store } from '../../store/store.js'
import { timeOrderedId } from '../../shared/ids.js'
import { contactRecord, type KnownContacts } from '../contacts/contacts.js'
import { saveWindowAfterMessage } from '../contacts/window-lifecycle.js'

/** A customer's message, to be stored and folded into the contact's stored state. */
export interface InboundMessage {
  /** The message as stored (see {@link inboundMessageRecord}). */
  readonly record: MessageRecord
  readonly channel: ChannelRecord
  readonly contactId: string
  /** The message as the policy engine folds it. */
  readonly event: ContactEvent
  /** The name Meta shows for the contact (WhatsApp's `profile.name`), if any: stored with the contact. */
  readonly profileName: string | null
  /** When the customer sent it (Meta's timestamp), not when it was processed. */
  readonly sentAt: Instant
  /** Meta's message id (WhatsApp) or the event's id (Messenger). */
  readonly messageId: string
  readonly settings: PolicySettings
}

/**
 * Records a customer's message and what follows from it, inside the processing transaction; `false` when the
 * message was recorded before (Meta retries notifications), and nothing changes. The message is stored, the contact
 * created on first sight and its window row locked for the read-modify-write (concurrent writers never lose each
 * other's events); the message is folded in with the policy engine's own fold; the window's lifecycle saves it with
 * its timed work and announces what the business has not heard yet (window-lifecycle.ts). Replies held for this
 * contact are released once the window is announced open. With `known`, the process remembers the contact as
 * stored once the transaction commits, so a reply to it does not store it again.
 */
export async function recordInbound(
  tx: Store,
  message: InboundMessage,
  now: Instant,
  known?: KnownContacts,
): Promise<boolean> {
  const { channel, contactId, settings } = message
  const contact = contactRecord(channel, contactId, now, message.profileName)
  const locked = await tx.insertInboundMessage(message.record, contact)
  if (locked === null) return false
  // The contact is stored once this commits: a reply to it skips storing it again (KnownContacts).
  if (known !== undefined)
    tx.afterCommit(() => {
      known.remember(channel.id, contactId, contact.country)
    })
  const previous = locked.state ?? NEW_CONTACT
  const opened = await saveWindowAfterMessage(tx, {
    channel,
    contactId,
    previous,
    announced: locked.announced,
    state: applyEvent(previous, channel.platform, message.event, settings),
    settings,
    sentAt: message.sentAt,
    messageId: message.messageId,
    now,
  })
  if (
    opened &&
    channel.automations.hold_replies.enabled &&
    (await tx.listHolds(channel.id, contactId, 'held')).length > 0
  ) {
    await tx.scheduleJob(
      {
        id: contactJobId(JOB_KINDS.releaseHeld, channel.id, contactId),
        kind: JOB_KINDS.releaseHeld,
        channelId: channel.id,
        contactId,
        dueAt: now,
        payload: {},
      },
      now,
    )
  }
  return true
}

/** A customer's message as stored, before it is applied: `received`, with no decision or price. */
export function inboundMessageRecord(
  channel: ChannelRecord,
  message: {
    readonly contactId: string
    /** Meta's message id (WhatsApp) or the event's id (Messenger): Meta's retries are told apart by it. */
    readonly externalId: string
    readonly at: number
    readonly body: unknown
    readonly receivedAt: number
  },
  now: number,
): MessageRecord {
  return {
    id: timeOrderedId('msg', now),
    tenantId: channel.tenantId,
    channelId: channel.id,
    contactId: message.contactId,
    direction: 'inbound',
    externalId: message.externalId,
    at: message.at,
    bodyJson: JSON.stringify(message.body),
    allowed: null,
    reason: null,
    decisionJson: null,
    priceMicros: null,
    currency: null,
    status: 'received',
    statusAt: message.receivedAt,
    metaPricingJson: null,
    errorJson: null,
    createdAt: now,
  }
}
