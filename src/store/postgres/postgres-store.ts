import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely'
import pg from 'pg'
import { KyselyStore } from '../kysely/kysely-store.js'
import { transactionsCheckedByDefault } from '../transaction-check.js'
import { PreparedStatements } from './prepared-statements.js'
import { postgresQueries } from './round-trips.js'
import { migrateToLatest } from '../migrations/migrations.js'
import type { Database } from '../schema.js'
import type { Store } from '../store.js'

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` */
  readonly url: string
  readonly migrate?: boolean
  /** Connections in the pool (default 10). */
  readonly poolSize?: number
  /** A schema to use instead of `public` (created if missing); tests use one per suite. */
  readonly schema?: string
  /**
   * Longest wait for a connection, in ms — for a new one to be made, or for one of the pool's to come free
   * (default {@link DEFAULT_CONNECT_TIMEOUT_MS}). Then the query fails, and the request is answered 503.
   */
  readonly connectTimeoutMs?: number
  /** Catch a query made outside a transaction from inside it (default: transaction-check.ts). */
  readonly checkTransactions?: boolean
  /**
   * Send the statements carewindow makes again and again as named prepared statements (default `true`; see
   * prepared-statements.ts). Off behind a pooler that does not keep them (PgBouncer in transaction mode before 1.21).
   */
  readonly preparedStatements?: boolean
}

/**
 * 5 s: a reachable PostgreSQL connects in milliseconds, and a pool that has had no free connection for this long is
 * overloaded; without a bound a request would wait as long as the operating system's TCP timeout (minutes), or for
 * ever in the pool's queue.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000

// int8 (bigint) columns hold millisecond instants and counts: numbers, not the strings pg returns by default.
function parseInt8(value: string): number {
  return Number(value)
}
// pg types its own parser table loosely (enum ids, `any` parsers); this keeps every other type as pg parses it.
/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-enum-assignment */
const typeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser
/* eslint-enable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-enum-assignment */

/**
 * The PostgreSQL adapter: for more than one carewindow process. Instants are `bigint` columns, read back as
 * numbers (milliseconds fit in 2^53). Row locks (`FOR UPDATE`, `SKIP LOCKED`) keep concurrent writers apart.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    types: { getTypeParser: typeParser },
    ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
  })
  // An idle client that errors (the server restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  // Nor one in use: pg-pool listens for errors only while a client is idle, and a connection that drops while a
  // client is checked out emits 'error' besides failing its query — unheard, an uncaught exception that would end
  // the process at the start of a database outage. The query's own error is what the caller sees; the pool drops
  // the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined)
  })
  if (options.schema !== undefined) {
    await pool.query(`create schema if not exists ${quoteIdentifier(options.schema)}`)
  }
  const prepared = options.preparedStatements === false ? null : new PreparedStatements()
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: clientsOf(pool, prepared) }) })
  if (options.migrate !== false) {
    const schema = options.schema ?? (await currentSchema(pool))
    await migrateToLatest(db as Kysely<unknown>, 'postgres', schema)
  }
  return new KyselyStore(db, {
    dialect: 'postgres',
    queries: postgresQueries,
    checkTransactions: options.checkTransactions ?? transactionsCheckedByDefault(),
  })
}

/**
 * The pool's clients as Kysely uses them, with two changes to what they send.
 *
 * PostgreSQL text cannot hold U+0000, and a query with one fails. carewindow's own API refuses such text (400), but
 * Meta's notifications are taken as they come, and a NUL in a customer's profile name must not keep their message
 * from opening the window: string parameters reach PostgreSQL without NUL characters. (JSON kept as text holds
 * them escaped, `\u0000`, and keeps them.)
 *
 * With `prepared`, the statements made again and again go as named prepared statements (prepared-statements.ts).
 * One PostgreSQL refuses after a migration changed its table is prepared afresh: at once outside a transaction,
 * else when the transaction is retried.
 */
function clientsOf(pool: pg.Pool, prepared: PreparedStatements | null): PostgresPool {
  const clean = (value: unknown): unknown =>
    typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '') : value
  return {
    async connect() {
      const client = await pool.connect()
      const query = (text: string, parameters: readonly unknown[] = []) => {
        const values = parameters.map(clean)
        const name = prepared?.nameOf(text, values.length)
        if (name === undefined) return client.query(text, values)
        return client.query({ name, text, values }).catch((error: unknown) => {
          if (!prepared?.failed(error)) throw error
          // Outside a transaction nothing else was lost: the statement is prepared afresh at once. Inside one the
          // transaction has failed, and its caller retries it (a passing failure: store-errors.ts).
          if (transactionStatusOf(client) !== 'I') throw error
          return client.query({ name: prepared.nameOf(text, values.length), text, values })
        })
      }
      return {
        // A cursor (Kysely's streaming) carries no parameters to clean and goes through as it is.
        query: ((sql: string | pg.Submittable, parameters?: readonly unknown[]) =>
          typeof sql === 'string'
            ? query(sql, parameters)
            : client.query(sql)) as unknown as PostgresPoolClient['query'],
        release: () => {
          client.release()
        },
      }
    },
    end: () => pool.end(),
  }
}

/** `I` when the client is outside a transaction (pg's ReadyForQuery status); `null` when pg does not say. */
function transactionStatusOf(client: pg.PoolClient): string | null {
  const status = (client as { getTransactionStatus?: () => unknown }).getTransactionStatus?.()
  return typeof status === 'string' ? status : null
}

/** Where unqualified tables are created: the first existing schema on the `search_path` (usually `public`). */
async function currentSchema(pool: pg.Pool): Promise<string | undefined> {
  const result = await pool.query<{ schema: string | null }>('select current_schema() as schema')
  return result.rows[0]?.schema ?? undefined
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a schema name: ${name}`)
  return `"${name}"`
}
