import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely'
import type { RunAtOnce } from '../kysely/connection.js'
import { KyselyStore } from '../kysely/kysely-store.js'
import { migrateToLatest } from '../migrations/migrations.js'
import type { Database } from '../schema.js'
import type { Store } from '../store.js'
import { transactionsCheckedByDefault } from '../transaction-check.js'
import { sqliteQueries } from './queries.js'
import { startSqliteCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer.js'

/** The embedded default: `./data/carewindow.db`. */
export const DEFAULT_SQLITE_PATH = './data/carewindow.db'

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string
  readonly migrate?: boolean
  /** Catch a query made outside a transaction from inside it (default: transaction-check.ts). */
  readonly checkTransactions?: boolean
}

/** How long a statement waits for another process's write lock before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 1_000

/**
 * The SQLite adapter (better-sqlite3). WAL journal with `synchronous = NORMAL`: a committed transaction
 * survives the process being killed (it is in the WAL, handed to the OS); only a power cut can lose the
 * last few. One writer: run one carewindow process per database file, or use PostgreSQL to scale out.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true })
  const database = new BetterSqlite3(options.path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('foreign_keys = ON')
  // better-sqlite3 waits for a lock synchronously: the whole process stops while it does. Another writer (the CLI,
  // a backup) holds the lock for milliseconds; one that holds it longer is an outage, answered 503 after a second.
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  const cached = withStatementCache(database)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) })
  if (options.migrate !== false) await migrateToLatest(db as Kysely<unknown>, 'sqlite')
  const store = {
    dialect: 'sqlite',
    queries: sqliteQueries,
    checkTransactions: options.checkTransactions ?? transactionsCheckedByDefault(),
    runAtOnce: runningAtOnce(cached),
  } as const
  if (options.path === ':memory:') return new KyselyStore(db, store)
  database.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`)
  const checkpointer = startSqliteCheckpointer(options.path)
  return new KyselyStore(db, {
    ...store,
    async onClose() {
      await checkpointer.stop()
      await db.destroy()
    },
  })
}

/** Runs the migrations on a SQLite file without opening a store. */
export async function migrateSqlite(path: string): Promise<void> {
  const store = await openSqliteStore({ path, migrate: true })
  await store.close()
}

// Kysely prepares every query anew; carewindow runs the same few dozen statements over and over, and
// preparing is a large part of their cost. Statements are reused per SQL text (bounded, for multi-row inserts).
const MAX_CACHED_STATEMENTS = 512

function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>()
  return {
    close: () => {
      database.close()
    },
    prepare: (text: string) => {
      let statement = statements.get(text)
      if (statement === undefined) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear()
        statement = database.prepare(text)
        statements.set(text, statement)
      }
      return statement
    },
  }
}

/** Runs SQL text on the cached statements as Kysely's SQLite driver would, answering what it answers. */
function runningAtOnce(database: SqliteDatabase): RunAtOnce {
  return (text, parameters) => {
    const statement = database.prepare(text)
    if (statement.reader) return { rows: statement.all(parameters) }
    const { changes, lastInsertRowid } = statement.run(parameters)
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
  }
}
