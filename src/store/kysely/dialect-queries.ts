import type { ContactState, Instant } from '../../domain/index.js'
import type { ContactRecord, JobStatus, ScheduledJob, WindowRecord } from '../store.js'
import type { Connection } from './connection.js'

/**
 * The store methods each database does its own way: locking a window for a read-modify-write, and the inbound
 * path's round trips. SQLite's (sqlite/queries.ts) are the portable steps one after the other; PostgreSQL's
 * (postgres/round-trips.ts) lock rows and fuse steps into one statement.
 */
export interface DialectQueries {
  lockWindow(c: Connection, channelId: string, contactId: string): Promise<ContactState | undefined>
  ensureContactAndLockWindow(c: Connection, contact: ContactRecord): Promise<ContactState | undefined>
  scheduleJobs(c: Connection, jobs: readonly ScheduledJob[], now: Instant): Promise<(JobStatus | null)[]>
  saveWindowAndScheduleJobs(
    c: Connection,
    window: WindowRecord,
    jobs: readonly ScheduledJob[],
    now: Instant,
  ): Promise<(JobStatus | null)[]>
}
