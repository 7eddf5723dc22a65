import { MINUTE_MS, windowAt, type ContactState, type Instant, type PolicySettings } from '../domain/index.js'
import type { ChannelRecord, ScheduledJob, Store } from '../store/store.js'

/** The kinds of timed work carewindow schedules. */
export const JOB_KINDS = {
  windowExpiring: 'window.expiring',
  windowClosed: 'window.closed',
  keepAlive: 'keep-alive',
  reengage: 'reengage',
  releaseHeld: 'release-held',
  holdExpiry: 'hold-expiry',
} as const
export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS]

/** A contact-level job's id: one job of each kind per contact, moved as the window moves. */
export function contactJobId(kind: JobKind, channelId: string, contactId: string): string {
  return `${kind}:${channelId}:${contactId}`
}

/**
 * After a contact's window changed (a customer message): (re)schedules its window jobs — `window.expiring` at the
 * expiry minus the channel's lead time, `window.closed` at the expiry, the keep-alive reminder if the channel has
 * it — and, when the window had been announced closed (or never announced open), says so: the caller emits
 * `window.opened`. Jobs only fire if the window really is at that point when they run, so a message processed
 * between scheduling and firing is never missed.
 */
export async function scheduleWindowJobs(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  state: ContactState,
  settings: PolicySettings,
  now: Instant,
): Promise<{ readonly wasAnnouncedClosed: boolean; readonly expiresAt: Instant | null }> {
  const window = windowAt(channel.platform, state, now, settings)
  const expiresAt = window.expiresAt
  if (expiresAt === null || window.state === 'closed') return { wasAnnouncedClosed: false, expiresAt }
  const automations = channel.automations
  const job = (kind: JobKind, dueAt: Instant): ScheduledJob => ({
    id: contactJobId(kind, channel.id, contactId),
    kind,
    channelId: channel.id,
    contactId,
    dueAt,
    payload: { expires_at: expiresAt },
  })
  const jobs = [
    job(JOB_KINDS.windowClosed, expiresAt),
    job(JOB_KINDS.windowExpiring, expiresAt - automations.window_expiring_lead_minutes * MINUTE_MS),
  ]
  if (automations.keep_alive.enabled)
    jobs.push(job(JOB_KINDS.keepAlive, expiresAt - automations.keep_alive.lead_minutes * MINUTE_MS))
  // One write for all of them.
  const [closedBefore] = await tx.scheduleJobs(jobs, now)
  return { wasAnnouncedClosed: closedBefore !== 'pending', expiresAt }
}
