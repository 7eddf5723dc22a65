import { AsyncLocalStorage } from 'node:async_hooks'
import type { Kysely, Transaction } from 'kysely'
import type { Batches } from '../group-commit.js'
import type { SqlDialect } from '../migrations/migrations.js'
import type { Database } from '../schema.js'
import { groupedTransactions } from '../sqlite/grouped-transactions.js'
import type { Store, StoreSession } from '../store.js'
import type { Connection } from './connection.js'
import type { DialectQueries } from './dialect-queries.js'

export interface KyselyStoreOptions {
  readonly dialect: SqlDialect
  /** What the database does its own way (sqlite/queries.ts, postgres/round-trips.ts). */
  readonly queries: DialectQueries
  /** Catch a query on the root store made from inside one of its own transactions (see transaction-check.ts). */
  readonly checkTransactions: boolean
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
  constructor(
    private readonly database: Kysely<Database>,
    protected readonly options: KyselyStoreOptions,
    private readonly root?: KyselyConnection,
  ) {
    this.dialect = options.dialect
    this.queries = options.queries
    this.openTransaction =
      root?.openTransaction ?? (options.checkTransactions ? new AsyncLocalStorage() : undefined)
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
    if (this.grouped === undefined)
      return this.db.transaction().execute((trx) => this.runInside(trx, work) as Promise<T>)
    // A transaction opened from inside one of this store's own would wait for it forever: fail at once.
    this.assertOutsideOwnTransaction()
    return this.grouped.submit(work) as Promise<T>
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
