import { setImmediate as nextTurn } from 'node:timers/promises'
import { isStoreUnavailable } from './store-errors.js'

/** What became of one item of a batch. */
export type Settled<R> = { readonly value: R } | { readonly error: unknown }

interface Pending<T, R> {
  readonly item: T
  readonly resolve: (value: R) => void
  readonly reject: (error: unknown) => void
}

/**
 * The queue behind every group commit: each caller waits for its own item's outcome, but items handed over while
 * a batch is being written go together into the next one. Idle, an item is written at once (after the current
 * turn of the event loop, so the requests of that turn join it); under load, many share one write, and its commit
 * — most of a small write's cost — is paid once for all of them.
 */
export class Batches<T, R> {
  private queue: Pending<T, R>[] = []
  private writing: Promise<void> | null = null

  constructor(
    /** Writes a batch and says what became of each item, in order; throwing fails every item of the batch. */
    private readonly writeBatch: (items: readonly T[]) => Promise<readonly Settled<R>[]>,
    /** Items written together at most. */
    private readonly maxBatch: number,
    /** Called after each batch in which something was written. */
    private readonly onWritten: () => void = () => undefined,
  ) {}

  submit(item: T): Promise<R> {
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
    await nextTurn()
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch)
      let outcomes: readonly Settled<R>[]
      try {
        outcomes = await this.writeBatch(batch.map((pending) => pending.item))
      } catch (error) {
        outcomes = batch.map(() => ({ error }))
      }
      let isAnyWritten = false
      for (const [index, pending] of batch.entries()) {
        const outcome = outcomes[index]
        if (outcome !== undefined && 'value' in outcome) {
          isAnyWritten = true
          pending.resolve(outcome.value)
        } else pending.reject(outcome?.error)
      }
      if (isAnyWritten) this.onWritten()
    }
    this.writing = null
  }
}

/**
 * Group commit of items written atomically together (one transaction or one statement): every caller waits until
 * its item is durably written. When a batch fails, its items are written one by one, so one bad item fails only
 * its own caller.
 */
export class GroupCommit<T> {
  private readonly batches: Batches<T, undefined>

  constructor(
    /** Writes the items atomically. */
    commit: (items: readonly T[]) => Promise<void>,
    /** Called after each batch in which something was written. */
    onCommitted: () => void = () => undefined,
    /** Items written together at most. */
    maxBatch = 512,
  ) {
    const attempt = async (items: readonly T[]): Promise<Settled<undefined>> => {
      try {
        await commit(items)
        return { value: undefined }
      } catch (error) {
        return { error }
      }
    }
    this.batches = new Batches(
      async (items) => {
        const together = await attempt(items)
        // A database that cannot be reached would fail each item alone too, each after the same wait.
        if ('value' in together || items.length === 1 || isStoreUnavailable(together.error))
          return items.map(() => together)
        const alone: Settled<undefined>[] = []
        for (const item of items) alone.push(await attempt([item]))
        return alone
      },
      maxBatch,
      onCommitted,
    )
  }

  write(item: T): Promise<void> {
    return this.batches.submit(item)
  }

  flushed(): Promise<void> {
    return this.batches.flushed()
  }
}
