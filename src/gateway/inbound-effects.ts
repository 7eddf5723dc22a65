import type { ContactState, Instant, PolicySettings } from '../domain/index.js'
import { contactJobId, JOB_KINDS, scheduleWindowJobs } from '../scheduler/jobs.js'
import type { ChannelRecord, Store } from '../store/store.js'
import { emitEvent } from './events.js'

/**
 * What follows a customer's message once its window is stored: the window's timed work is (re)scheduled,
 * `window.opened` goes out when the business last heard the window was closed (or never heard of it), and
 * replies held for this contact are released now that the window is open. Inside the processing transaction.
 */
export async function afterInbound(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  state: ContactState,
  settings: PolicySettings,
  now: Instant,
  messageId: string,
): Promise<void> {
  const { wasAnnouncedClosed, expiresAt } = await scheduleWindowJobs(
    tx,
    channel,
    contactId,
    state,
    settings,
    now,
  )
  if (expiresAt === null || !wasAnnouncedClosed) return
  await emitEvent(tx, {
    type: 'window.opened',
    channel,
    contactId,
    key: String(expiresAt),
    state,
    settings,
    at: now,
    data: { message_id: messageId },
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
