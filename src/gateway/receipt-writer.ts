import type { ReceiptRecord, Store } from '../store/store.js'

interface Pending {
  readonly receipt: Omit<ReceiptRecord, 'id'>
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** Receipts written together at most. */
const MAX_BATCH = 512

/**
 * Group commit for webhook receipts: every request waits until its body is durably stored (that is when
 * carewindow may answer 200), but requests that arrive while a write is in flight are stored together in the
 * next one. Idle, a receipt is written at once; in a storm, hundreds share a transaction.
 */
export class ReceiptWriter {
  private queue: Pending[] = []
  private writing: Promise<void> | null = null

  constructor(
    private readonly store: Store,
    /** Called after each batch is stored, to wake the processor. */
    private readonly onStored: () => void,
  ) {}

  write(receipt: Omit<ReceiptRecord, 'id'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ receipt, resolve, reject })
      this.writing ??= this.writeAll()
    })
  }

  /** Resolves when everything handed over so far is stored. */
  async flushed(): Promise<void> {
    while (this.writing !== null) await this.writing
  }

  private async writeAll(): Promise<void> {
    // Let the requests of this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve))
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH)
      try {
        await this.store.insertReceipts(batch.map((pending) => pending.receipt))
        for (const pending of batch) pending.resolve()
        this.onStored()
      } catch (error) {
        for (const pending of batch) pending.reject(error)
      }
    }
    this.writing = null
  }
}
