import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { SqlDialect } from '../../src/store/migrations/migrations.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import type { Database } from '../../src/store/schema.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'

/** One database the contract suite runs on: a SQLite file, or a PostgreSQL schema of its own. */
export interface TestDatabase {
  /** Opens a store on this database, running the migrations (again); `destroy` closes it. */
  open(): Promise<Store>
  /** Deletes every row and restarts the id sequences, keeping the tables. */
  empty(): Promise<void>
  /** Closes every store opened here and deletes the database. */
  destroy(): Promise<void>
}

export interface TestDialect {
  readonly name: SqlDialect
  /**
   * Whether two transactions can be open at the same moment. SQLite has one connection and one writer:
   * a second transaction starts only when the first has ended.
   */
  readonly overlappingTransactions: boolean
  createDatabase(): Promise<TestDatabase>
}

// Every table; the compiler rejects the list when the schema gains or loses one.
const TABLES = Object.keys({
  // Children before parents, so emptying them in this order never trips a foreign key.
  message_cost_days_done: true,
  message_cost_days: true,
  jobs: true,
  cases: true,
  held_messages: true,
  rate_limits: true,
  rate_cards: true,
  tenants: true,
  api_keys: true,
  channels: true,
  contacts: true,
  windows: true,
  window_closes: true,
  consent_events: true,
  templates: true,
  messages: true,
  notification_subjects: true,
  webhook_notifications: true,
  webhook_deliveries: true,
  idempotency_keys: true,
  imported_notifications: true,
} satisfies Record<keyof Database, true>)
/** Tables only PostgreSQL has (see migrations/0013-message-costs.ts). */
const POSTGRES_ONLY: readonly string[] = ['message_cost_days_done']

const sqlite: TestDialect = {
  name: 'sqlite',
  overlappingTransactions: false,
  async createDatabase() {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-sqlite-'))
    const path = join(directory, 'carewindow.db')
    const stores: Store[] = []
    return {
      async open() {
        const store = await openSqliteStore({ path })
        stores.push(store)
        return store
      },
      empty() {
        // A second connection, as another process would have; the store's connection sees its writes.
        const connection = new BetterSqlite3(path)
        try {
          connection.pragma('busy_timeout = 5000')
          connection.transaction(() => {
            for (const table of TABLES.filter((name) => !POSTGRES_ONLY.includes(name)))
              connection.prepare(`delete from ${table}`).run()
            connection.prepare('delete from sqlite_sequence').run()
          })()
        } finally {
          connection.close()
        }
        return Promise.resolve()
      },
      async destroy() {
        await Promise.all(stores.map((store) => store.close()))
        await rm(directory, { recursive: true, force: true })
      },
    }
  },
}

const postgres: TestDialect = {
  name: 'postgres',
  overlappingTransactions: true,
  createDatabase() {
    const schema = uniqueSchemaName()
    const stores: Store[] = []
    return Promise.resolve({
      async open() {
        const store = await openPostgresStore({ url: postgresUrl(), schema })
        stores.push(store)
        return store
      },
      async empty() {
        const tables = TABLES.map((table) => `${quoteSchema(schema)}.${table}`).join(', ')
        await withPostgresClient((client) =>
          client.query(`truncate table ${tables} restart identity cascade`),
        )
      },
      async destroy() {
        await Promise.all(stores.map((store) => store.close()))
        await dropSchema(schema)
      },
    })
  },
}

/** The stores the contract suite runs against, in the style of Kysely's `for (const dialect of DIALECTS)`. */
export const DIALECTS: readonly TestDialect[] = [sqlite, postgres]
