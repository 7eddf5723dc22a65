import { MINUTE_MS, windowAt, type ContactState, type Instant, type PolicySettings } from '../domain/index.js'
import type { ChannelRecord, ScheduledJob } from '../store/store.js'

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
 * The timed work of a contact's window after it changed (a customer message): `window.closed` at the expiry (always
 * first), `window.expiring` at the expiry minus the channel's lead time, the keep-alive reminder if the channel has
 * it — none when the window has no expiry or is closed. Scheduled with the contact's id, each moves as the window
 * moves; the status `window.closed` had before says whether the window had been announced closed (or never
 * announced open). Jobs only fire if the window really is at that point when they run, so a message processed
 * between scheduling and firing is never missed.
 */
export function windowJobs(
  channel: ChannelRecord,
  contactId: string,
  state: ContactState,
  settings: PolicySettings,
  now: Instant,
): { readonly jobs: readonly ScheduledJob[]; readonly expiresAt: Instant | null } {
  const window = windowAt(channel.platform, state, now, settings)
  const expiresAt = window.expiresAt
  if (expiresAt === null || window.state === 'closed') return { jobs: [], expiresAt }
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
  return { jobs, expiresAt }
}
