import type { Logger } from 'pino'
import type { Instant } from '../domain/index.js'
import type { Clock } from '../gateway/clock.js'
import type { JobRecord, Store } from '../store/store.js'

/** What a job's run decided: it is done, or it must run again at a later instant (the window moved). */
export type JobOutcome = { readonly done: true } | { readonly done: false; readonly runAt: Instant }

/** Runs one due job. Must be idempotent: a job whose process died mid-run is run again by another. */
export type JobHandler = (job: JobRecord, now: Instant) => Promise<JobOutcome>

export interface SchedulerOptions {
  /** Jobs claimed per round. */
  readonly batchSize: number
  /** How long a claimed job is reserved for this process; after that another may take it over. */
  readonly leaseMs: number
  /** How often an idle scheduler looks for due jobs. */
  readonly pollIntervalMs: number
  /** Jobs run at the same time within a round. */
  readonly concurrency: number
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  batchSize: 500,
  leaseMs: 60_000,
  pollIntervalMs: 250,
  concurrency: 32,
}

/**
 * Timed work kept in the database, not in memory timers: jobs have a kind, a due instant and a payload, and are
 * claimed in batches with row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a single writer) plus a
 * lease, so any number of carewindow processes sharing one database run each job once. Handlers are idempotent
 * (events have stable ids, sends idempotency keys), so a job re-run after a crash has no second effect.
 *
 * `tick()` runs one round at the clock's instant — tests drive it with a fake clock. A scheduler that was stopped
 * catches up oldest-first in bounded batches; handlers skip work that has gone stale (a reminder for a window that
 * has closed meanwhile), so a late start is not a storm.
 */
export class Scheduler {
  private running: Promise<void> | null = null
  private wake: (() => void) | null = null
  private isStopped = true

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly logger: Logger,
    private readonly options: SchedulerOptions = DEFAULT_SCHEDULER_OPTIONS,
  ) {}

  start(): void {
    if (!this.isStopped) return
    this.isStopped = false
    this.running = this.loop()
  }

  async stop(): Promise<void> {
    this.isStopped = true
    this.wake?.()
    await this.running
    this.running = null
  }

  /** Something became due sooner than the next poll (a hold to release now): look at once. */
  kick(): void {
    this.wake?.()
  }

  /** Claims and runs the jobs due now, one batch; returns how many ran. */
  async tick(): Promise<number> {
    const now = this.clock()
    const jobs = await this.store.claimDueJobs(now, this.options.batchSize, now + this.options.leaseMs)
    if (jobs.length === 0) return 0
    const done: JobRecord[] = []
    const later: { job: JobRecord; runAt: Instant }[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++] as JobRecord
        const handler = this.handlers[job.kind]
        try {
          if (handler === undefined) throw new Error(`no handler for jobs of kind ${job.kind}`)
          const outcome = await handler(job, now)
          if (outcome.done) done.push(job)
          else later.push({ job, runAt: outcome.runAt })
        } catch (error) {
          // Left claimed: the lease runs out and the job is tried again (by this or another process).
          await this.store.failJob(job.id, error instanceof Error ? error.message : String(error))
          this.logger.warn({ err: error, job: job.id }, 'job failed; it will be retried when its lease ends')
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, jobs.length) }, worker))
    await this.store.completeJobs(done, now)
    for (const { job, runAt } of later) await this.store.rescheduleJob(job.id, job.dueAt, runAt)
    return jobs.length
  }

  /** Runs rounds until nothing is due (tests: "everything due by now has happened"). */
  async runDue(): Promise<number> {
    let total = 0
    for (let ran = await this.tick(); ran > 0; ran = await this.tick()) total += ran
    return total
  }

  private async loop(): Promise<void> {
    while (!this.isStopped) {
      let ran = 0
      try {
        ran = await this.tick()
      } catch (error) {
        this.logger.error({ err: error }, 'scheduler round failed; retrying at the next poll')
      }
      if (ran === this.options.batchSize || this.hasStopped()) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs)
        timer.unref()
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }

  private hasStopped(): boolean {
    return this.isStopped
  }
}
