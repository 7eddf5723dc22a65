interface Pending<T> {
  readonly item: T
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Group commit: every caller waits until its item is durably written, but items handed over while a write is in
 * flight are written together in the next one. Idle, an item is written at once (after the current turn of the
 * event loop, so the requests of that turn join it); under load, hundreds share a transaction, and the commit —
 * most of a small write's cost — is paid once for all of them.
 *
 * When a batch fails, its items are written one by one, so one bad item fails only its own caller.
 */
export class GroupCommit<T> {
  private queue: Pending<T>[] = []
  private writing: Promise<void> | null = null

  constructor(
    /** Writes the items atomically (one transaction or one statement). */
    private readonly commit: (items: readonly T[]) => Promise<void>,
    /** Called after each batch that was written. */
    private readonly onCommitted: () => void = () => undefined,
    /** Items written together at most. */
    private readonly maxBatch = 512,
  ) {}

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.writing ??= this.writeAll()
    })
  }

  /** Resolves when everything handed over so far is written (or has failed). */
  async flushed(): Promise<void> {
    while (this.writing !== null) await this.writing
  }

  private async writeAll(): Promise<void> {
    // Let the requests of this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve))
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch)
      if (await this.settle(batch)) this.onCommitted()
      else if (batch.length > 1) {
        let isAnyWritten = false
        for (const pending of batch) isAnyWritten = (await this.settle([pending])) || isAnyWritten
        if (isAnyWritten) this.onCommitted()
      }
    }
    this.writing = null
  }

  /** Writes a batch and settles its callers: resolved when written; rejected if it was a single item that failed. */
  private async settle(batch: readonly Pending<T>[]): Promise<boolean> {
    try {
      await this.commit(batch.map((pending) => pending.item))
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error)
      return false
    }
    for (const pending of batch) pending.resolve()
    return true
  }
}
