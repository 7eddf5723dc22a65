import type { Transaction } from 'kysely'
import type { Instant } from '../../domain/index.js'
import type { Database } from '../schema.js'
import type { JobRecord, JobStatus, ScheduledJob, Store } from '../store.js'
import * as jobs from './jobs.js'
import { MessageRoles } from './message-roles.js'

export type { KyselyStoreOptions } from './kysely-connection.js'

/**
 * The Store over Kysely, for both databases: each aggregate's queries are functions in this folder taking the
 * connection first; the store hands them its connection (the database, or one transaction). Its methods come in
 * layers of roles, each a class over the one before — KyselyConnection (the session: transactions), AccountRoles,
 * ContactRoles, MessageRoles — only so that no file grows past a screenful of delegations; this last one adds the
 * jobs and makes a transaction's store.
 */
export class KyselyStore extends MessageRoles implements Store {
  protected over(trx: Transaction<Database> | null): Store {
    return trx === null ? this : new KyselyStore(trx, this.options, this)
  }

  // Jobs
  async scheduleJob(job: ScheduledJob, now: Instant): Promise<JobStatus | null> {
    const [previous] = await this.scheduleJobs([job], now)
    return previous ?? null
  }
  scheduleJobs(scheduled: readonly ScheduledJob[], now: Instant): Promise<(JobStatus | null)[]> {
    return jobs.scheduleJobs(this, scheduled, now)
  }
  getJob(id: string): Promise<JobRecord | undefined> {
    return jobs.getJob(this, id)
  }
  claimDueJobs(now: Instant, limit: number, leaseUntil: Instant): Promise<JobRecord[]> {
    return jobs.claimDueJobs(this, now, limit, leaseUntil)
  }
  completeJobs(
    done: readonly { readonly id: string; readonly dueAt: Instant }[],
    at: Instant,
  ): Promise<void> {
    return jobs.completeJobs(this, done, at)
  }
  rescheduleJob(id: string, fromDueAt: Instant, dueAt: Instant): Promise<void> {
    return jobs.rescheduleJob(this, id, fromDueAt, dueAt)
  }
  failJob(id: string, error: string): Promise<void> {
    return jobs.failJob(this, id, error)
  }
  cancelJob(id: string, at: Instant): Promise<void> {
    return jobs.cancelJob(this, id, at)
  }
  countJobs(status: JobStatus): Promise<number> {
    return jobs.countJobs(this, status)
  }
}
