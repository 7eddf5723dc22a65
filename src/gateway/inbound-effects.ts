import {
  applyEvent,
  NEW_CONTACT,
  windowAt,
  type ContactEvent,
  type Instant,
  type PolicySettings,
} from '../domain/index.js'
import { contactJobId, JOB_KINDS, windowJobs } from '../scheduler/jobs.js'
import type { ChannelRecord, Store } from '../store/store.js'
import { contactRecord, windowRecordOf } from './contacts.js'
import { emitEvent } from './events.js'

/** A customer's message, to be folded into the contact's stored state. */
export interface InboundMessage {
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
 * Records a customer's message and what follows from it, inside the processing transaction. The contact is created
 * on first sight and its window row locked for the read-modify-write (concurrent writers never lose each other's
 * events); the message is folded in with the policy engine's own fold; the window is saved and its timed work
 * (re)scheduled in the same write. Then `window.opened` goes out when the business last heard the window was closed
 * (or never heard of it), and replies held for this contact are released now that the window is open.
 *
 * When the message came after the previous window had closed but before the scheduler announced it (a lagging
 * or stopped scheduler), `window.closed` for that window goes out first — with the id its job would have given
 * it — so the business hears of every window once, in order, and held replies are not left waiting.
 */
export async function recordInbound(tx: Store, message: InboundMessage, now: Instant): Promise<void> {
  const { channel, contactId, settings } = message
  const previous =
    (await tx.ensureContactAndLockWindow(contactRecord(channel, contactId, now, message.profileName))) ??
    NEW_CONTACT
  const state = applyEvent(previous, channel.platform, message.event, settings)
  const { jobs, expiresAt } = windowJobs(channel, contactId, state, settings, now)
  const [closedBefore] = await tx.saveWindowAndScheduleJobs(
    windowRecordOf(channel, contactId, state, settings, now),
    jobs,
    now,
  )
  if (expiresAt === null) return
  // `window.closed` is the first job: a new one (null) or one that ran means the window was announced closed.
  const wasAnnouncedClosed = jobs.length > 0 && closedBefore !== 'pending'
  const before = windowAt(channel.platform, previous, message.sentAt, settings)
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
      state: previous,
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
