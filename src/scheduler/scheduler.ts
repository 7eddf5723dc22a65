import type { Logger } from 'pino'
import type { Instant } from '../domain/index.js'
import type { Clock } from '../shared/clock.js'
import { repeatLimiterOf } from '../shared/logging.js'
import type { JobRecord, Store } from '../store/store.js'

/** What a job's run decided: it is done, or it must run again at a later instant (the window moved). */
export type JobOutcome = { readonly done: true } | { readonly done: false; readonly runAt: Instant }

/**
 * Runs one due job. Must be idempotent: a job whose process died mid-run is run again by another.
 *
 * `batch`, when a kind has it, runs all of a round's due jobs of that kind at once — a few set-wise reads and one
 * write instead of several round trips per job — with the same effect as running each alone, and returns their
 * outcomes in order. If it throws, the round runs those jobs one by one instead, so a bad job fails alone.
 */
export type JobHandler = ((job: JobRecord, now: Instant) => Promise<JobOutcome>) & {
  readonly batch?: (jobs: readonly JobRecord[], now: Instant) => Promise<readonly JobOutcome[]>
}

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
  /** The loop now running (or finishing after `stop()`); each run has its own flag, so runs never overlap. */
  private run: { isStopped: boolean; readonly done: Promise<void> } | null = null
  private wake: (() => void) | null = null
  /** A kick that came while a round was running (no sleep to cut short yet): the loop goes round again at once. */
  private isKicked = false

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly logger: Logger,
    private readonly options: SchedulerOptions = DEFAULT_SCHEDULER_OPTIONS,
  ) {}

  /** Starts the loop; after a `stop()` that has not finished yet, the new loop begins once the old one ended. */
  start(): void {
    const previous = this.run
    if (previous !== null && !previous.isStopped) return
    const control = { isStopped: false }
    const done = (previous?.done ?? Promise.resolve()).then(() => this.loop(control))
    this.run = Object.assign(control, { done })
  }

  /** Stops the loop: resolves once the round in progress (if any) has finished. */
  async stop(): Promise<void> {
    const run = this.run
    if (run === null) return
    run.isStopped = true
    this.wake?.()
    await run.done
    if (this.run === run) this.run = null
  }

  /** Something became due sooner than the next poll (a hold to release now): look at once. */
  kick(): void {
    this.isKicked = true
    this.wake?.()
  }

  /** Claims and runs the jobs due now, one batch; returns how many ran. */
  async tick(): Promise<number> {
    const now = this.clock()
    const jobs = await this.store.claimDueJobs(now, this.options.batchSize, now + this.options.leaseMs)
    if (jobs.length === 0) return 0
    const done: JobRecord[] = []
    const later: { job: JobRecord; runAt: Instant }[] = []
    const record = (job: JobRecord, outcome: JobOutcome): void => {
      if (outcome.done) done.push(job)
      else later.push({ job, runAt: outcome.runAt })
    }
    const single = await this.runBatches(jobs, now, record)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < single.length) {
        const job = single[next++] as JobRecord
        const handler = this.handlers[job.kind]
        try {
          if (handler === undefined) throw new Error(`no handler for jobs of kind ${job.kind}`)
          record(job, await handler(job, now))
        } catch (error) {
          // Left claimed: the lease runs out and the job is tried again (by this or another process).
          await this.store.failJob(job.id, error instanceof Error ? error.message : String(error))
          this.logger.warn({ err: error, job: job.id }, 'job failed; it will be retried when its lease ends')
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, single.length) }, worker))
    await this.store.completeJobs(done, now)
    for (const { job, runAt } of later) await this.store.rescheduleJob(job.id, job.dueAt, runAt)
    return jobs.length
  }

  /**
   * Runs the round's jobs whose kind has a batch form, one kind at a time, and returns the others — with those
   * of a batch that failed, to be run one by one.
   */
  private async runBatches(
    jobs: readonly JobRecord[],
    now: Instant,
    record: (job: JobRecord, outcome: JobOutcome) => void,
  ): Promise<JobRecord[]> {
    const single: JobRecord[] = []
    const batches = new Map<string, { run: NonNullable<JobHandler['batch']>; jobs: JobRecord[] }>()
    for (const job of jobs) {
      const run = this.handlers[job.kind]?.batch
      const known = batches.get(job.kind)
      if (run === undefined) single.push(job)
      else if (known === undefined) batches.set(job.kind, { run, jobs: [job] })
      else known.jobs.push(job)
    }
    for (const [kind, batch] of batches) {
      try {
        const outcomes = await batch.run(batch.jobs, now)
        if (outcomes.length !== batch.jobs.length)
          throw new Error(
            `the ${kind} batch returned ${outcomes.length} outcomes for ${batch.jobs.length} jobs`,
          )
        batch.jobs.forEach((job, index) => {
          record(job, outcomes[index] as JobOutcome)
        })
      } catch (error) {
        this.logger.warn({ err: error, kind }, 'a batch of jobs failed; running them one by one')
        single.push(...batch.jobs)
      }
    }
    return single
  }

  /** Runs rounds until nothing is due (tests: "everything due by now has happened"). */
  async runDue(): Promise<number> {
    let total = 0
    for (let ran = await this.tick(); ran > 0; ran = await this.tick()) total += ran
    return total
  }

  private async loop(control: { readonly isStopped: boolean }): Promise<void> {
    const hasStopped = (): boolean => control.isStopped
    while (!hasStopped()) {
      let ran = 0
      try {
        ran = await this.tick()
      } catch (error) {
        // Once per interval with a count: during a database outage every poll fails the same way.
        repeatLimiterOf(this.logger).log(
          this.logger,
          'error',
          { err: error },
          'scheduler round failed; retrying at the next poll',
        )
      }
      if (ran === this.options.batchSize || hasStopped() || this.takeKick()) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs)
        timer.unref()
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
      // A kick during the sleep is answered by the round that follows.
      this.isKicked = false
    }
  }

  private takeKick(): boolean {
    const wasKicked = this.isKicked
    this.isKicked = false
    return wasKicked
  }
}
