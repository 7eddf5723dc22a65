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
