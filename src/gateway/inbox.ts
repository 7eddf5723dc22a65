import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { ReceiptRecord, Store } from '../store/store.js'
import type { Clock } from './clock.js'

/** Processes one stored notification inside the transaction that marks it processed. */
export type ReceiptHandler = (tx: Store, receipt: ReceiptRecord) => Promise<void>

/** Receipts processed per transaction. */
const BATCH = 100

/**
 * Times a notification is tried on its own before it is kept with its error. A failure can be passing (the
 * database restarting, a deadlock), so a receipt is retried at later polls before it is given up.
 */
const MAX_ATTEMPTS = 5

/**
 * Batches processed at the same time. On PostgreSQL each worker claims other receipts (`SKIP LOCKED`), exactly as
 * several carewindow instances do, so processing is not limited to one chain of database round trips; SQLite has
 * a single writer, where a second worker would only wait.
 */
const WORKERS: Readonly<Record<Store['dialect'], number>> = { sqlite: 1, postgres: 4 }

/** How the inbox shares the process with the requests it serves. */
export interface InboxPacing {
  /**
   * A count that grows with every request the process answers (any route). When it moved while a batch was
   * processed, requests are waiting for the same event loop.
   */
  readonly answered: () => number
  /**
   * The share of the event loop (0–1] processing takes while requests keep arriving, no one waits for the inbox
   * and the backlog is young. 1 never rests.
   */
  readonly minShare: number
  /**
   * The lag (how long the oldest receipt in a batch had waited) at which processing takes the whole loop again.
   * The share grows with the lag up to it, so a storm that does not pass cannot grow the backlog for ever. 0:
   * never rests.
   */
  readonly fullSpeedLagMs: number
}

/** Never rests: processing takes the event loop whenever it has work (tests that do not exercise pacing). */
const UNPACED: InboxPacing = { answered: () => 0, minShare: 1, fullSpeedLagMs: 0 }

/** What a batch did. */
interface BatchOutcome {
  readonly processed: number
  /** When the oldest receipt of the batch was received (null when the batch does not say). */
  readonly oldestReceivedAt: number | null
  /** Claimed for a subject a decision waits for: a short batch says nothing about the rest of the inbox. */
  readonly isScoped: boolean
}

/**
 * Works through stored webhook notifications (the inbox), oldest first — except those a decision waits for (see
 * {@link drain}), which go first: on SQLite otherwise in arrival order; on PostgreSQL several batches at a time,
 * as several instances would, so a batch may commit before an older one (as Meta's own late deliveries do:
 * windows fold late messages in by their own instants, consent is ordered by its instants and statuses never go
 * back). Each batch is processed and marked processed in one transaction, so
 * a crash never applies a notification twice or loses one; what a crash left unprocessed is picked up at the next
 * start (or by another instance). A notification that fails is tried again at the next polls; one that still
 * cannot be processed after {@link MAX_ATTEMPTS} tries is marked with its error and kept, never retried forever.
 *
 * Between batches the inbox lets the event loop take a turn: on SQLite a batch runs without waiting on I/O, so a
 * backlog (after a restart, say) would otherwise hold every request — `/healthz` included — until it was worked
 * off. And while requests keep coming (a webhook storm) processing takes only its share of the loop (see
 * {@link InboxPacing}): a webhook is acknowledged once its receipt is stored, so answering Meta quickly matters
 * more than applying at once, and the backlog is worked off as the storm passes. A {@link drain} lifts the pacing:
 * while a decision waits, processing goes at full speed.
 */
export class Inbox {
  private running: Promise<void> | null = null
  private isDirty = true
  private timer: NodeJS.Timeout | null = null
  /** Callers waiting for the next batch to end (see {@link drain}). */
  private batchWaiters: (() => void)[] = []
  /** Failed tries of receipts not yet given up, by receipt id (in memory: a restart grants a few more). */
  private readonly failures = new Map<number, number>()
  /** Subjects decisions are waiting for (see {@link drain}), with how many wait for each. */
  private readonly urgent = new Map<string, number>()
  /** The last batch for a subject found nothing: the next one takes the oldest receipts. */
  private isUrgentSkipped = false
  /** End the rests workers are taking (see {@link rest}). */
  private readonly wakers = new Set<() => void>()
  private isStopping = false

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly handler: ReceiptHandler,
    private readonly logger: Logger,
    /** Called after each batch that processed something (relayed notifications wait in the outbox). */
    private readonly onProcessed: () => void = () => undefined,
    private readonly pacing: InboxPacing = UNPACED,
  ) {}

  /** New receipts were stored: process them soon. */
  kick(): void {
    this.isDirty = true
    this.running ??= this.run()
  }

  /**
   * Resolves once every receipt stored before the call — by any instance — has been processed, so a decision made
   * next sees every notification already acknowledged to Meta. Receipts that arrive meanwhile are not waited for:
   * under a steady stream of webhooks a send waits for what came before it, not for the stream to stop. Also
   * resolves when a pass over the inbox ends with some of them left, failing: those wait for later polls.
   *
   * With a `subject` (a contact's: see receipt-subjects.ts) only the receipts that can change its decisions are
   * waited for, and they are processed first: a send to one contact does not wait for a storm's backlog.
   */
  async drain(subject?: string): Promise<void> {
    if (!this.isDirty && this.running === null) return
    if (subject !== undefined) this.urgent.set(subject, (this.urgent.get(subject) ?? 0) + 1)
    try {
      const through = await this.store.lastReceiptId()
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
        const batchEnded = this.nextBatch()
        this.wakeUp()
        await Promise.race([running, batchEnded])
        const oldest = await this.store.oldestPendingReceiptId(subject)
        if (oldest === null || oldest > through) return
      }
    } finally {
      if (subject !== undefined) {
        const waiting = (this.urgent.get(subject) ?? 1) - 1
        if (waiting === 0) this.urgent.delete(subject)
        else this.urgent.set(subject, waiting)
      }
    }
  }

  /** Also looks for work every `pollMs` (receipts another instance stored or a crash left behind). */
  start(pollMs: number): void {
    this.kick()
    this.timer = setInterval(() => {
      this.kick()
    }, pollMs)
    this.timer.unref()
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
    const left = await this.store.countPendingReceipts().catch(() => 0)
    if (left > 0)
      this.logger.info(
        { receipts: left },
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
      this.logger.error({ err: error }, 'inbox processing failed; will retry')
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
      const { processed, oldestReceivedAt, isScoped } = await this.processBatch()
      this.batchDone()
      if (processed === 0 && !isScoped) return
      if (processed > 0) this.onProcessed()
      if (this.isStopping) return
      if (this.pacing.answered() !== answered) {
        const lagMs = oldestReceivedAt === null ? 0 : this.clock() - oldestReceivedAt
        await this.rest(performance.now() - started, lagMs)
        continue
      }
      if (processed < BATCH && !isScoped) return
      if (processed === BATCH) onFullBatch()
      await nextTurn()
    }
  }

  /**
   * After a batch that took `spentMs` while requests were being answered: waits long enough for processing to
   * keep to its share at this lag — or less, when a {@link drain} starts waiting or the inbox is stopped.
   */
  private async rest(spentMs: number, lagMs: number): Promise<void> {
    const { minShare, fullSpeedLagMs } = this.pacing
    const share = lagMs >= fullSpeedLagMs ? 1 : Math.max(minShare, lagMs / fullSpeedLagMs)
    if (share >= 1 || this.batchWaiters.length > 0 || this.isStopping) {
      await nextTurn()
      return
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.wakers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, (spentMs * (1 - share)) / share)
      this.wakers.add(done)
    })
  }

  private wakeUp(): void {
    for (const wake of [...this.wakers]) wake()
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

  /**
   * One batch: the receipts a waiting decision needs first (one subject per batch, in turn), otherwise the oldest.
   * A batch for a subject says nothing about the rest of the inbox, so the run goes on after it.
   */
  private async processBatch(): Promise<BatchOutcome> {
    const subject = this.nextUrgentSubject()
    try {
      return await this.store.transaction(async (tx) => {
        const receipts = await tx.claimReceipts(BATCH, subject)
        for (const receipt of receipts) await this.handler(tx, receipt)
        await tx.markReceiptsProcessed(
          receipts.map((receipt) => receipt.id),
          this.clock(),
        )
        // Nothing left for the subject (or held by another worker): the next batch takes the oldest instead.
        this.isUrgentSkipped = subject !== undefined && receipts.length === 0
        return {
          processed: receipts.length,
          oldestReceivedAt: receipts[0]?.receivedAt ?? null,
          isScoped: subject !== undefined,
        }
      })
    } catch (error) {
      this.logger.warn({ err: error }, 'a batch of webhook receipts failed; processing them one by one')
      return { processed: await this.processOneByOne(), oldestReceivedAt: null, isScoped: false }
    }
  }

  /** A subject a decision waits for, each in turn, or `undefined`. */
  private nextUrgentSubject(): string | undefined {
    if (this.isUrgentSkipped) {
      this.isUrgentSkipped = false
      return undefined
    }
    const first = this.urgent.entries().next()
    if (first.done === true) return undefined
    const [subject, waiting] = first.value
    // Moved to the back: the next batch serves the next subject.
    this.urgent.delete(subject)
    this.urgent.set(subject, waiting)
    return subject
  }

  /**
   * After a batch failed: the same receipts (the oldest unprocessed), each in a transaction of its own that claims
   * it as a batch does — receipts another worker holds are left to it — so one bad notification does not hold up
   * the others for long. A receipt that fails is left unprocessed and this pass ends, so it is tried again at a
   * later poll, not in a tight loop, with the ones after it waiting (arrival order is kept); after
   * {@link MAX_ATTEMPTS} failures on its own it is kept with its error and the others go on.
   */
  private async processOneByOne(): Promise<number> {
    let processed = 0
    while (processed < BATCH) {
      let claimed: ReceiptRecord | undefined
      try {
        const isDone = await this.store.transaction(async (tx) => {
          const [receipt] = await tx.claimReceipts(1)
          if (receipt === undefined) return true
          claimed = receipt
          await this.handler(tx, receipt)
          await tx.markReceiptProcessed(receipt.id, this.clock(), null)
          return false
        })
        if (isDone) break
        if (claimed !== undefined) this.failures.delete(claimed.id)
      } catch (error) {
        if (claimed === undefined) throw error
        const attempts = (this.failures.get(claimed.id) ?? 0) + 1
        if (attempts < MAX_ATTEMPTS) {
          this.failures.set(claimed.id, attempts)
          this.logger.warn(
            { err: error, receipt: claimed.id, attempts },
            'webhook receipt could not be processed; it will be tried again',
          )
          return processed
        }
        this.failures.delete(claimed.id)
        this.logger.error(
          { err: error, receipt: claimed.id, attempts },
          'webhook receipt could not be processed; kept with its error',
        )
        await this.store.markReceiptProcessed(
          claimed.id,
          this.clock(),
          error instanceof Error ? error.message : String(error),
        )
      }
      processed++
    }
    return processed
  }
}
