import type { Instant } from '../../domain/index.js'

export type JobStatus = 'pending' | 'done' | 'cancelled'

/** A piece of timed work (scheduler). */
export interface JobRecord {
  /** The job's identity: scheduling the same id again moves the job. */
  readonly id: string
  readonly kind: string
  readonly channelId: string
  readonly contactId: string
  readonly dueAt: Instant
  readonly payload: Readonly<Record<string, unknown>>
  readonly status: JobStatus
  readonly attempts: number
  readonly lastError: string | null
  readonly createdAt: Instant
}

/** What scheduling a job takes: the rest of a {@link JobRecord} starts afresh. */
export type ScheduledJob = Pick<JobRecord, 'id' | 'kind' | 'channelId' | 'contactId' | 'dueAt' | 'payload'>

/**
 * Timed work kept in the database (a window's expiry warning and close, keep-alive reminders, re-engagement, held
 * replies' expiry): scheduled by id, claimed with a lease by whichever instance is free, done at most once.
 */
export interface JobStore {
  /**
   * Schedules a job, or moves it (same id) to a new due instant with a new payload, pending again. Returns the
   * status it had before (`null` for a new job).
   */
  scheduleJob(job: ScheduledJob, now: Instant): Promise<JobStatus | null>
  /** `scheduleJob` for several jobs (distinct ids) in one write; their previous statuses, in order. */
  scheduleJobs(jobs: readonly ScheduledJob[], now: Instant): Promise<(JobStatus | null)[]>
  getJob(id: string): Promise<JobRecord | undefined>
  /** Pending jobs due at `now`, oldest first, leased until `leaseUntil` (`SKIP LOCKED` on PostgreSQL). */
  claimDueJobs(now: Instant, limit: number, leaseUntil: Instant): Promise<JobRecord[]>
  /**
   * Marks jobs done — each only if it is still due when it was claimed: a job moved meanwhile (the customer wrote
   * again while it ran) stays pending at its new time.
   */
  completeJobs(jobs: readonly { readonly id: string; readonly dueAt: Instant }[], at: Instant): Promise<void>
  /** Pending again at `dueAt`, lease released — unless it was moved meanwhile (no longer due at `fromDueAt`). */
  rescheduleJob(id: string, fromDueAt: Instant, dueAt: Instant): Promise<void>
  /** Records a failed run; the lease stays, so the job is retried when it ends. */
  failJob(id: string, error: string): Promise<void>
  cancelJob(id: string, at: Instant): Promise<void>
  countJobs(status: JobStatus): Promise<number>
}
