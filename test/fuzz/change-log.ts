import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import type { Dialect } from '../support/test-gateway.js'

/** The rows one request (or anything else) inserted, updated and deleted, by table and operation. */
export type Changes = Readonly<Record<string, number>>

/**
 * Every row carewindow writes, logged by triggers the suite adds to its database once migrated: each insert,
 * update and delete on each of carewindow's tables adds a row to `fuzz_changes`, in the writing transaction (so a
 * rolled-back write leaves nothing). Comparing the log's high-water mark before and after a request shows whether
 * it wrote anything — in any table, an update as well as an insert — and exactly what.
 */
export interface ChangeLog {
  /** The log's high-water mark now. */
  mark(): Promise<number>
  /** What was written after `mark`, as `table.operation` → rows. */
  since(mark: number): Promise<Changes>
  /** Forgets the entries up to `mark` (keeps the log small on long runs). */
  prune(mark: number): Promise<void>
  close(): Promise<void>
}

const LOG_TABLE = 'fuzz_changes'

/** Opens the change log of carewindow's database at `url` (as `database.url` says it), installing its triggers. */
export async function openChangeLog(dialect: Dialect, url: string): Promise<ChangeLog> {
  return dialect === 'sqlite' ? openSqliteLog(url.replace(/^sqlite:(\/\/)?/, '')) : openPostgresLog(url)
}

function openSqliteLog(path: string): ChangeLog {
  const connection = new BetterSqlite3(path, { fileMustExist: true })
  connection.pragma('busy_timeout = 10000')
  const tables = (
    connection
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' and name <> ?",
      )
      .all(LOG_TABLE) as { name: string }[]
  ).map((row) => row.name)
  connection.exec(
    `create table if not exists ${LOG_TABLE} (id integer primary key autoincrement, tbl text not null, op text not null)`,
  )
  for (const table of tables)
    for (const op of ['insert', 'update', 'delete'])
      connection.exec(
        `create trigger if not exists fuzz_${table}_${op} after ${op} on "${table}" begin ` +
          `insert into ${LOG_TABLE} (tbl, op) values ('${table}', '${op}'); end`,
      )
  const markQuery = connection.prepare(`select coalesce(max(id), 0) as mark from ${LOG_TABLE}`)
  const sinceQuery = connection.prepare(
    `select tbl, op, count(*) as rows from ${LOG_TABLE} where id > ? group by tbl, op`,
  )
  const pruneQuery = connection.prepare(`delete from ${LOG_TABLE} where id < ?`)
  return {
    mark: () => Promise.resolve((markQuery.get() as { mark: number }).mark),
    since: (mark) => Promise.resolve(changesOf(sinceQuery.all(mark) as LogRow[])),
    prune(mark) {
      pruneQuery.run(mark)
      return Promise.resolve()
    },
    close() {
      connection.close()
      return Promise.resolve()
    },
  }
}

async function openPostgresLog(url: string): Promise<ChangeLog> {
  const schema = /search_path%3D([a-z0-9_]+)/.exec(url)?.[1]
  if (schema === undefined) throw new Error('the PostgreSQL URL names no search_path')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ tablename: string }>(
    "select tablename from pg_tables where schemaname = $1 and tablename not like 'kysely_%' and tablename <> $2",
    [schema, LOG_TABLE],
  )
  const log = `"${schema}".${LOG_TABLE}`
  await client.query(
    `create table if not exists ${log} (id bigserial primary key, tbl text not null, op text not null)`,
  )
  // Sequences never wait for locks, so the triggers add no lock between carewindow's concurrent transactions.
  await client.query(
    `create or replace function "${schema}".fuzz_log_change() returns trigger language plpgsql as $$ ` +
      `begin insert into ${log} (tbl, op) values (TG_TABLE_NAME, lower(TG_OP)); return null; end $$`,
  )
  for (const { tablename } of rows)
    await client.query(
      `create or replace trigger fuzz_log after insert or update or delete on "${schema}"."${tablename}" ` +
        `for each row execute function "${schema}".fuzz_log_change()`,
    )
  return {
    async mark() {
      const result = await client.query<{ mark: string }>(`select coalesce(max(id), 0) as mark from ${log}`)
      return Number(result.rows[0]?.mark ?? 0)
    },
    async since(mark) {
      const result = await client.query<LogRow>(
        `select tbl, op, count(*)::int as rows from ${log} where id > $1 group by tbl, op`,
        [mark],
      )
      return changesOf(result.rows)
    },
    async prune(mark) {
      await client.query(`delete from ${log} where id < $1`, [mark])
    },
    close: () => client.end(),
  }
}

interface LogRow {
  readonly tbl: string
  readonly op: string
  readonly rows: number
}

function changesOf(rows: readonly LogRow[]): Changes {
  return Object.fromEntries(rows.map((row) => [`${row.tbl}.${row.op}`, row.rows]))
}
