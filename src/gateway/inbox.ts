import type { Logger } from 'pino'
import type { ReceiptRecord, Store } from '../store/store.js'
import type { Clock } from './clock.js'

/** Processes one stored notification inside the transaction that marks it processed. */
export type ReceiptHandler = (tx: Store, receipt: ReceiptRecord) => Promise<void>

/** Receipts processed per transaction. */
const BATCH = 100

/**
 * Works through stored webhook notifications (the inbox) in arrival order. Each batch is processed and marked
 * processed in one transaction, so a crash never applies a notification twice or loses one; what a crash left
 * unprocessed is picked up at the next start (or by another instance). A notification that cannot be processed
 * is marked with its error and kept, never retried forever.
 */
export class Inbox {
  private running: Promise<void> | null = null
  private isDirty = true
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly handler: ReceiptHandler,
    private readonly logger: Logger,
    /** Called after each batch that processed something (relayed notifications wait in the outbox). */
    private readonly onProcessed: () => void = () => undefined,
  ) {}

  /** New receipts were stored: process them soon. */
  kick(): void {
    this.isDirty = true
    this.running ??= this.run()
  }

  /** Resolves when every receipt stored before the call (by this process) has been processed. */
  async drain(): Promise<void> {
    while (this.isDirty || this.running !== null) {
      this.running ??= this.run()
      await this.running
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

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.running
  }

  private async run(): Promise<void> {
    try {
      while (this.isDirty) {
        this.isDirty = false
        let processed: number
        do {
          processed = await this.processBatch()
          if (processed > 0) this.onProcessed()
        } while (processed === BATCH)
      }
    } catch (error) {
      this.logger.error({ err: error }, 'inbox processing failed; will retry')
    } finally {
      this.running = null
    }
  }

  private async processBatch(): Promise<number> {
    try {
      return await this.store.transaction(async (tx) => {
        const receipts = await tx.claimReceipts(BATCH)
        for (const receipt of receipts) {
          await this.handler(tx, receipt)
          await tx.markReceiptProcessed(receipt.id, this.clock(), null)
        }
        return receipts.length
      })
    } catch (error) {
      this.logger.warn({ err: error }, 'a batch of webhook receipts failed; processing them one by one')
      return this.processOneByOne()
    }
  }

  private async processOneByOne(): Promise<number> {
    const receipts = await this.store.claimReceipts(BATCH)
    for (const receipt of receipts) {
      try {
        await this.store.transaction(async (tx) => {
          await this.handler(tx, receipt)
          await tx.markReceiptProcessed(receipt.id, this.clock(), null)
        })
      } catch (error) {
        this.logger.error(
          { err: error, receipt: receipt.id },
          'webhook receipt could not be processed; kept with its error',
        )
        await this.store.markReceiptProcessed(
          receipt.id,
          this.clock(),
          error instanceof Error ? error.message : String(error),
        )
      }
    }
    return receipts.length
  }
}
