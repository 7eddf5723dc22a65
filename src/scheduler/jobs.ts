import type { ScheduledJob } from '../store/store.js'

/** The kinds of timed work carewindow schedules. */
export const JOB_KINDS = {
  windowExpiring: 'window.expiring',
  windowClosed: 'window.closed',
  keepAlive: 'keep-alive',
  reengage: 'reengage',
  releaseHeld: 'release-held',
  holdExpiry: 'hold-expiry',
  /** A channel's templates read from Meta (at start, on a schedule, after a webhook about an unknown one). */
  templateSync: 'templates.sync',
  /** A tenant's daily cost totals filled for the days that are over (at start, then nightly). */
  costDays: 'costs.fill-days',
  /** A channel's spent records of announced window closes pruned (at start, then daily). */
  pruneCloses: 'windows.prune-closes',
} as const
export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS]

/** A contact-level job's id: one job of each kind per contact, moved as the window moves. */
export function contactJobId(kind: JobKind, channelId: string, contactId: string): string {
  return `${kind}:${channelId}:${contactId}`
}

/** A channel-level job's id: one job of the kind per channel, so scheduling it again moves it. */
export function channelJobId(kind: JobKind, channelId: string): string {
  return `${kind}:${channelId}`
}

/** The channel's job of `kind`, due at `dueAt` (a channel's job belongs to no contact). */
export function channelJob(kind: JobKind, channelId: string, dueAt: number): ScheduledJob {
  return { id: channelJobId(kind, channelId), kind, channelId, contactId: '', dueAt, payload: {} }
}
