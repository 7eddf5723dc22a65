import { AsyncLocalStorage } from 'node:async_hooks'
import type { Kysely, Transaction } from 'kysely'
import type { Batches } from '../group-commit.js'
import type { SqlDialect } from '../migrations/migrations.js'
import type { Database } from '../schema.js'
import { groupedTransactions } from '../sqlite/grouped-transactions.js'
import type { CommitListener, CommittedEvent, Store, StoreSession } from '../store.js'
import type { Connection, RunAtOnce } from './connection.js'
import type { DialectQueries } from './dialect-queries.js'

export interface KyselyStoreOptions {
  readonly dialect: SqlDialect
  /** What the database does its own way (sqlite/queries.ts, postgres/round-trips.ts). */
  readonly queries: DialectQueries
  /** Catch a query on the root store made from inside one of its own transactions (see transaction-check.ts). */
  readonly checkTransactions: boolean
  /** SQLite: how a transaction's store runs SQL text at once on the connection it holds (connection.ts). */
  readonly runAtOnce?: RunAtOnce
  readonly onClose?: () => Promise<void>
}

type Work = (tx: Store) => Promise<unknown>

/**
 * One database for the Kysely store, or one transaction on it: what the aggregates' query functions run on
 * (Connection), and the store's transactions — PostgreSQL's own, SQLite's grouped into shared commits.
 */
export abstract class KyselyConnection implements Connection, StoreSession {
  readonly dialect: SqlDialect
  protected readonly queries: DialectQueries
  /** The root store whose transaction the current async call chain is inside (when transactions are checked). */
  private readonly openTransaction: AsyncLocalStorage<KyselyConnection> | undefined
  private readonly grouped: Batches<Work, unknown> | undefined
  /** Who hears committed events (the root store's set, shared by its transactions' stores). */
  private readonly listeners: Set<CommitListener>
  /** What this transaction does once it commits: events to tell, callbacks to run (a transaction's store). */
  private onCommit: (() => void)[] | undefined
  readonly runAtOnce: RunAtOnce | undefined
  constructor(
    private readonly database: Kysely<Database>,
    protected readonly options: KyselyStoreOptions,
    private readonly root?: KyselyConnection,
  ) {
    this.dialect = options.dialect
    this.queries = options.queries
    this.openTransaction =
      root?.openTransaction ?? (options.checkTransactions ? new AsyncLocalStorage() : undefined)
    this.listeners = root?.listeners ?? new Set()
    this.runAtOnce = root === undefined ? undefined : options.runAtOnce
    this.grouped =
      root === undefined && options.dialect === 'sqlite'
        ? groupedTransactions<Work>(database, (trx, work) => this.runInside(trx, work))
        : undefined
  }

  protected get inTransaction(): boolean {
    return this.root !== undefined
  }

  /**
   * Every query goes through here. SQLite has one connection: a query on the root store from inside one of its
   * own transactions would wait for that transaction forever, so it fails at once, naming the mistake.
   */
  get db(): Kysely<Database> {
    this.assertOutsideOwnTransaction()
    return this.database
  }

  get locks(): boolean {
    return this.dialect === 'postgres' && this.inTransaction
  }

  private assertOutsideOwnTransaction(): void {
    if (!this.inTransaction && this.dialect === 'sqlite' && this.openTransaction?.getStore() === this)
      throw new Error(
        'a store query inside a transaction must use the transaction’s store (the `tx` argument)',
      )
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this.over(null))
    const onCommit: (() => void)[] = []
    const tracked = (tx: Store): Promise<T> => {
      if (tx instanceof KyselyConnection) tx.onCommit = onCommit
      return work(tx)
    }
    let committed: Promise<T>
    if (this.grouped === undefined)
      committed = this.db.transaction().execute((trx) => this.runInside(trx, tracked) as Promise<T>)
    else {
      // A transaction opened from inside one of this store's own would wait for it forever: fail at once.
      this.assertOutsideOwnTransaction()
      // A grouped work that fails is rolled back to its savepoint and rejects: its events are never told.
      committed = this.grouped.submit(tracked) as Promise<T>
    }
    return committed.then((value) => {
      for (const done of onCommit) runCommitted(done)
      return value
    })
  }

  notify(event: CommittedEvent): void {
    this.afterCommit(() => {
      this.tell(event)
    })
  }

  afterCommit(callback: () => void): void {
    if (this.onCommit === undefined) runCommitted(callback)
    else this.onCommit.push(callback)
  }

  get isHeard(): boolean {
    return this.listeners.size > 0
  }

  listen(listener: CommitListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A listener that throws is its own problem: the transaction has committed, its caller is answered. */
  private tell(event: CommittedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // Listeners catch and report their own errors (event-feed.ts); nothing to undo here.
      }
    }
  }

  /** Runs `work` on a store of its own over `trx` (its own cache of tenants read), inside the guard. */
  private runInside(trx: Transaction<Database>, work: Work): Promise<unknown> {
    const inside = () => work(this.over(trx))
    return this.openTransaction === undefined ? inside() : this.openTransaction.run(this, inside)
  }

  /** The same store over a transaction (`null`: this one, already inside it). */
  protected abstract over(trx: Transaction<Database> | null): Store

  async ping(): Promise<void> {
    await this.db.selectFrom('tenants').select('id').limit(1).execute()
  }

  close(): Promise<void> {
    return this.options.onClose?.() ?? this.database.destroy()
  }
}

/** Runs what follows a commit; one that throws does not keep the others from running, nor undo the commit. */
function runCommitted(callback: () => void): void {
  try {
    callback()
  } catch {
    // The transaction has committed and its caller is answered; the callback reports its own errors.
  }
}
