import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { NotificationRecord, Store, UnappliedNotification } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import type { GatewayError } from '../../shared/errors.js'
import { repeatLimiterOf } from '../../shared/logging.js'
import { Pacer, UNPACED, type InboxPacing } from './inbox-pacing.js'
import { beforeDeadline, TIMED_OUT, waitAtMost } from '../../shared/timing.js'
import { stateUnknown, statePending } from './notification-failures.js'
import { BATCH, processBatch, type BatchContext, type NotificationHandler } from './inbox-batches.js'
import { WaitingDecisions } from './waiting-decisions.js'

export { MAX_ATTEMPTS, RETRY_BASE_MS } from './notification-failures.js'

export type { NotificationHandler } from './inbox-batches.js'

/** How often a decision that waits looks again, when no batch of this process ends to wake it sooner. */
const WAIT_POLL_MS = 50

/**
 * Batches processed at the same time. On PostgreSQL each worker claims other notifications (`SKIP LOCKED`), exactly as
 * several carewindow instances do, so processing is not limited to one chain of database round trips; SQLite has
 * a single writer, where a second worker would only wait.
 */
const WORKERS: Readonly<Record<Store['dialect'], number>> = { sqlite: 1, postgres: 4 }

export type { InboxPacing } from './inbox-pacing.js'

export interface InboxOptions {
  /** Called after each batch that processed something (relayed notifications wait in the outbox). */
  readonly onProcessed: () => void
  readonly pacing: InboxPacing
  /**
   * How long a decision waits for the notifications about its subjects that are stored but not applied yet (ms);
   * then it is refused with 503 and `Retry-After` rather than decided on what may be stale.
   */
  readonly decisionWaitMs: number
  /** What a notification concerns, read from its body: a dead letter keeps exactly these decisions refused. */
  readonly subjectsOf: (notification: NotificationRecord) => readonly string[]
  /**
   * Whether a failure is the database's, not the notification's (the database unreachable, restarting): such a
   * failure is not counted against the notification, which is tried again once the database answers.
   */
  readonly isPassing: (error: unknown) => boolean
  /** Called when a notification's try failed: it is tried again later, or (`isDead`) kept as a dead letter. */
  readonly onSetAside: (isDead: boolean) => void
}

const DEFAULT_OPTIONS: InboxOptions = {
  onProcessed: () => undefined,
  pacing: UNPACED,
  decisionWaitMs: 5_000,
  subjectsOf: () => [],
  isPassing: () => false,
  onSetAside: () => undefined,
}

/**
 * Works through stored webhook notifications (the inbox), oldest first — except those a decision waits for (see
 * {@link drain}), which go first: on SQLite otherwise in arrival order; on PostgreSQL several batches at a time,
 * as several instances would, so a batch may commit before an older one (as Meta's own late deliveries do:
 * windows fold late messages in by their own instants, consent is ordered by its instants and statuses never go
 * back). Each batch is processed and marked processed in one transaction, so
 * a crash never applies a notification twice or loses one; what a crash left unprocessed is picked up at the next
 * start (or by another instance). A notification that fails is set aside and tried again later, while the ones
 * behind it go on; one that still cannot be applied after {@link MAX_ATTEMPTS} tries is kept as a dead letter for an
 * operator, and decisions about what it concerns are refused until it is retried or discarded (fail closed).
 *
 * Between batches the inbox lets the event loop take a turn: on SQLite a batch runs without waiting on I/O, so a
 * backlog (after a restart, say) would otherwise hold every request — `/healthz` included — until it was worked
 * off. And while requests keep coming (a webhook storm) processing takes only its share of the loop (see
 * {@link InboxPacing}): a webhook is acknowledged once its notification is stored, so answering Meta quickly matters
 * more than applying at once, and the backlog is worked off as the storm passes. A {@link drain} lifts the pacing:
 * while a decision waits, processing goes at full speed.
 */
export class Inbox {
  private running: Promise<void> | null = null
  private isDirty = true
  private timer: NodeJS.Timeout | null = null
  /** Callers waiting for the next batch to end (see {@link drain}). */
  private batchWaiters: (() => void)[] = []
  /**
   * Whether a notification may be failing (waiting for a retry, or dead): then even an idle inbox has something a
   * decision must look at. Set by every failure here, and read from the store at each poll — on PostgreSQL other
   * instances fail notifications too, so decisions there always look.
   */
  private mayHaveFailures = true
  /** The subjects decisions are waiting for (see {@link drain}). */
  private readonly waiting = new WaitingDecisions()
  private isStopping = false
  private readonly options: InboxOptions
  private readonly pacer: Pacer
  private readonly batches: BatchContext

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    handler: NotificationHandler,
    private readonly logger: Logger,
    options: Partial<InboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options }
    this.pacer = new Pacer(this.options.pacing)
    this.batches = {
      store,
      clock,
      handler,
      logger,
      waiting: this.waiting,
      isPassing: this.options.isPassing,
      subjectsOf: this.options.subjectsOf,
      onSetAside: (isDead) => {
        this.mayHaveFailures = true
        this.options.onSetAside(isDead)
      },
    }
  }

  private get pacing(): InboxPacing {
    return this.options.pacing
  }

  /** Ends the rests workers are taking: a decision waits, or the inbox stops. */
  private wakeUp(): void {
    this.pacer.wakeUp()
  }

  /** New notifications were stored: process them soon. */
  kick(): void {
    this.isDirty = true
    this.running ??= this.run()
  }

  /**
   * Resolves once every notification stored before the call — by any instance — has been applied, so a decision made
   * next sees every notification already acknowledged to Meta. Notifications that arrive meanwhile are not waited for:
   * under a steady stream of webhooks a decision waits for what came before it, not for the stream to stop.
   *
   * With `subjects` (a contact's, a template's: see notification-subjects.ts) only the notifications that concern them are
   * waited for, and they are processed first: a send to one contact does not wait for a storm's backlog. And the
   * wait is bounded: when they are not all applied within `decisionWaitMs` (a storm on a slow database, a notification
   * waiting for its retry), or one of them is a dead letter, it throws a {@link GatewayError} that says so, and
   * nothing is decided on what may be stale. `waitMs` bounds it otherwise (tools that wait for a whole backlog).
   */
  async drain(subjects?: readonly string[], options: { readonly waitMs?: number } = {}): Promise<void> {
    const waitMs = options.waitMs ?? this.options.decisionWaitMs
    if (subjects === undefined || subjects.length === 0) return this.drainAll(waitMs)
    const isIdle = !this.isDirty && this.running === null && !this.mayHaveFailures
    if (isIdle && this.store.dialect === 'sqlite') return
    const deadline = performance.now() + waitMs
    let stopWaiting: (() => void) | undefined
    let through: number | undefined
    try {
      for (;;) {
        // The store's answer is waited for within the bound too: on SQLite it comes after the batch in progress.
        const unapplied = await beforeDeadline(
          this.store.unappliedNotifications(subjects, through ?? Number.MAX_SAFE_INTEGER),
          deadline,
        )
        if (unapplied === TIMED_OUT) throw this.statePending([], 0, waitMs)
        const dead = unapplied.find((notification) => notification.deadAt !== null)
        if (dead !== undefined) throw stateUnknown(dead)
        if (unapplied.length === 0) return
        if (through === undefined) {
          // Only what was stored before this decision is waited for; it is processed first.
          const last = await beforeDeadline(this.store.lastNotificationId(), deadline)
          if (last === TIMED_OUT) throw this.statePending(unapplied, 0, waitMs)
          through = last
          stopWaiting = this.waiting.add(subjects)
        }
        const leftMs = deadline - performance.now()
        const retryAt = Math.max(...unapplied.map((notification) => notification.retryAt ?? 0))
        if (leftMs <= 0 || retryAt - this.clock() > leftMs)
          throw this.statePending(unapplied, retryAt, waitMs)
        this.kick()
        this.wakeUp()
        await waitAtMost(Math.min(leftMs, WAIT_POLL_MS), [this.nextBatch()])
      }
    } finally {
      stopWaiting?.()
    }
  }

  /** {@link drain} without subjects: for reads that only need what this process was sent (the sandbox, messages). */
  private async drainAll(waitMs: number): Promise<void> {
    if (!this.isDirty && this.running === null) return
    const deadline = performance.now() + waitMs
    const through = await beforeDeadline(this.store.lastNotificationId(), deadline)
    if (through === TIMED_OUT) throw this.statePending([], 0, waitMs)
    for (;;) {
      // While the inbox stops, the batch in progress ends its run; processing resumes once it has stopped.
      if (this.isStopping) {
        await (this.inProgress ?? nextTurn())
        continue
      }
      // A run that ended while this waited has processed what it could; a pending kick starts the next one.
      if (this.inProgress === null && this.isDirty) this.kick()
      const running = this.inProgress
      if (running === null) return
      const leftMs = deadline - performance.now()
      if (leftMs <= 0) throw this.statePending([], 0, waitMs)
      const batchEnded = this.nextBatch()
      this.wakeUp()
      await waitAtMost(leftMs, [running, batchEnded])
      const oldest = await beforeDeadline(this.store.oldestPendingNotificationId(this.clock()), deadline)
      if (oldest === TIMED_OUT) throw this.statePending([], 0, waitMs)
      if (oldest === null || oldest > through) return
    }
  }

  private statePending(
    unapplied: readonly UnappliedNotification[],
    retryAt: number,
    waitMs: number,
  ): GatewayError {
    return statePending(unapplied, retryAt - this.clock(), waitMs)
  }

  /** Also looks for work every `pollMs` (notifications another instance stored or a crash left behind). */
  start(pollMs: number): void {
    this.kick()
    this.timer = setInterval(() => {
      this.kick()
      void this.lookForFailures()
    }, pollMs)
    this.timer.unref()
  }

  /** Whether any notification is failing now, read from the store (see {@link mayHaveFailures}). */
  private async lookForFailures(): Promise<void> {
    try {
      this.mayHaveFailures = await this.store.hasFailingNotifications()
    } catch {
      // The store cannot say: decisions keep looking for themselves.
      this.mayHaveFailures = true
    }
  }

  /**
   * Stops after the batch in progress: what is left stays stored and is applied at the next start (or by another
   * instance), so a shutdown after a storm does not wait for its backlog.
   */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    this.isStopping = true
    this.wakeUp()
    await this.running
    this.isStopping = false
    // What was left is still to do: a drain (or a restart) picks it up.
    this.isDirty = true
    const left = await this.store.countPendingNotifications().catch(() => 0)
    if (left > 0)
      this.logger.info(
        { notifications: left },
        'inbox stopped; the notifications left are applied at the next start',
      )
  }

  private async run(): Promise<void> {
    try {
      while (this.isDirty && !this.isStopping) {
        this.isDirty = false
        await this.pass()
      }
    } catch (error) {
      // Once per interval with a count: during a database outage every poll fails the same way.
      repeatLimiterOf(this.logger).log(
        this.logger,
        'error',
        { err: error },
        'inbox processing failed; will retry',
      )
    } finally {
      this.running = null
    }
  }

  /**
   * One pass over the inbox. It starts with one worker; each full batch adds another, up to the dialect's limit,
   * so a light load costs one claim per pass and a backlog is worked off by several.
   */
  private async pass(): Promise<void> {
    // Each worker's outcome, caught as it happens: a worker failing while an earlier one is awaited is not left
    // unhandled.
    const outcomes: Promise<{ readonly failed: unknown } | null>[] = []
    const addWorker = (): void => {
      if (outcomes.length < WORKERS[this.store.dialect])
        outcomes.push(
          this.work(addWorker).then(
            () => null,
            (error: unknown) => ({ failed: error }),
          ),
        )
    }
    addWorker()
    let failure: { readonly failed: unknown } | null = null
    // Workers may be added while earlier ones are awaited; an array's iterator sees them.
    for (const outcome of outcomes) {
      const settled = await outcome
      failure ??= settled
    }
    if (failure !== null) throw failure.failed
  }

  /**
   * Processes batches until one comes back short: nothing (unclaimed) is left. While requests keep arriving, each
   * batch is followed by a rest (and no worker is added), so processing keeps to its share of the loop.
   */
  private async work(onFullBatch: () => void): Promise<void> {
    for (;;) {
      const started = performance.now()
      const answered = this.pacing.answered()
      const { processed, oldestReceivedAt, isPartial } = await processBatch(this.batches)
      this.batchDone()
      if (processed === 0 && !isPartial) return
      if (processed > 0) this.options.onProcessed()
      if (this.isStopping) return
      if (this.pacing.answered() !== answered) {
        const lagMs = oldestReceivedAt === null ? 0 : this.clock() - oldestReceivedAt
        // No rest while a decision waits; one that starts waiting (or a stop) ends the rest.
        if (this.batchWaiters.length > 0) await nextTurn()
        else await this.pacer.rest(performance.now() - started, lagMs)
        continue
      }
      if (processed < BATCH && !isPartial) return
      if (processed === BATCH) onFullBatch()
      await nextTurn()
    }
  }

  /** The processing run, if one is going (read afresh: it changes across awaits). */
  private get inProgress(): Promise<void> | null {
    return this.running
  }

  private nextBatch(): Promise<void> {
    return new Promise((resolve) => this.batchWaiters.push(resolve))
  }

  private batchDone(): void {
    const waiters = this.batchWaiters
    this.batchWaiters = []
    for (const resolve of waiters) resolve()
  }
}
