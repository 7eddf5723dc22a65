import { windowAt, type ContactState, type Instant, type PolicySettings } from '../domain/index.js'
import { contactJobId, JOB_KINDS, scheduleWindowJobs } from '../scheduler/jobs.js'
import type { ChannelRecord, Store } from '../store/store.js'
import { emitEvent } from './events.js'

/** A customer's message, just folded into the contact's stored state. */
export interface InboundMessage {
  readonly channel: ChannelRecord
  readonly contactId: string
  /** The contact's state before the message, and after it. */
  readonly previous: ContactState
  readonly state: ContactState
  /** When the customer sent it (Meta's timestamp), not when it was processed. */
  readonly sentAt: Instant
  /** Meta's message id (WhatsApp) or the event's id (Messenger). */
  readonly messageId: string
  readonly settings: PolicySettings
}

/**
 * What follows a customer's message once its window is stored: the window's timed work is (re)scheduled,
 * `window.opened` goes out when the business last heard the window was closed (or never heard of it), and
 * replies held for this contact are released now that the window is open. Inside the processing transaction.
 *
 * When the message came after the previous window had closed but before the scheduler announced it (a lagging
 * or stopped scheduler), `window.closed` for that window goes out first — with the id its job would have given
 * it — so the business hears of every window once, in order, and held replies are not left waiting.
 */
export async function afterInbound(tx: Store, message: InboundMessage, now: Instant): Promise<void> {
  const { channel, contactId, state, settings } = message
  const { wasAnnouncedClosed, expiresAt } = await scheduleWindowJobs(
    tx,
    channel,
    contactId,
    state,
    settings,
    now,
  )
  if (expiresAt === null) return
  const before = windowAt(channel.platform, message.previous, message.sentAt, settings)
  const closedUnannounced =
    !wasAnnouncedClosed &&
    before.state === 'closed' &&
    before.expiresAt !== null &&
    before.expiresAt < expiresAt
  if (!wasAnnouncedClosed && !closedUnannounced) return
  if (closedUnannounced)
    await emitEvent(tx, {
      type: 'window.closed',
      channel,
      contactId,
      key: String(before.expiresAt),
      state: message.previous,
      settings,
      at: now,
    })
  await emitEvent(tx, {
    type: 'window.opened',
    channel,
    contactId,
    key: String(expiresAt),
    state,
    settings,
    at: now,
    data: { message_id: message.messageId },
  })
  if (
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
}
