/**
 * What an import leaves in a database, read behind carewindow's back — every row that history makes (messages,
 * windows, consent, contacts, timed work, deliveries, stored notifications), without what differs from one run to
 * another (generated ids, when it was written) — so two databases can be compared row for row.
 */
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { parseDatabaseUrl } from '../../src/config/database-url.js'

export interface HistoryState {
  readonly messages: readonly string[]
  readonly windows: readonly string[]
  readonly consent: readonly string[]
  readonly counts: Readonly<Record<string, number>>
}

const ROWS = {
  messages:
    'select ch.external_id as channel, m.contact_id, m.direction, m.external_id, m.at, m.status, m.status_at, ' +
    'm.meta_pricing_json, m.body_json, m.allowed, m.price_micros from messages m join channels ch on ch.id = m.channel_id ' +
    'order by ch.external_id, m.contact_id, m.direction, m.external_id',
  windows:
    'select ch.external_id as channel, w.contact_id, w.state_json, w.expires_at, w.last_user_message_at ' +
    'from windows w join channels ch on ch.id = w.channel_id order by ch.external_id, w.contact_id',
  consent:
    'select ch.external_id as channel, c.contact_id, c.kind, c.scope, c.source, c.evidence, c.at ' +
    'from consent_events c join channels ch on ch.id = c.channel_id order by ch.external_id, c.contact_id, c.at, c.kind',
} as const

const COUNTS =
  'select (select count(*) from contacts) as contacts, (select count(*) from jobs) as jobs, ' +
  '(select count(*) from webhook_deliveries) as deliveries, ' +
  '(select count(*) from webhook_notifications) as notifications, ' +
  '(select count(*) from webhook_notifications where processed_at is null) as unprocessed, ' +
  '(select count(*) from imported_notifications) as imported'

type Row = Readonly<Record<string, string | number | null>>

/** Each row as one line of text; PostgreSQL's bigints (text) and SQLite's integers read the same. */
const lines = (rows: readonly Row[]): string[] =>
  rows.map((row) =>
    JSON.stringify(Object.values(row).map((value) => (value === null ? null : String(value)))),
  )

const numbers = (row: Row | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)]))

export async function historyState(url: string): Promise<HistoryState> {
  const location = parseDatabaseUrl(url)
  if (location?.kind === 'sqlite') {
    const connection = new BetterSqlite3(location.path, { readonly: true, fileMustExist: true })
    try {
      const all = (sql: string) => connection.prepare(sql).all() as Row[]
      return {
        messages: lines(all(ROWS.messages)),
        windows: lines(all(ROWS.windows)),
        consent: lines(all(ROWS.consent)),
        counts: numbers(all(COUNTS)[0]),
      }
    } finally {
      connection.close()
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const all = async (sql: string) => (await client.query<Row>(sql)).rows
    return {
      messages: lines(await all(ROWS.messages)),
      windows: lines(await all(ROWS.windows)),
      consent: lines(await all(ROWS.consent)),
      counts: numbers((await all(COUNTS))[0]),
    }
  } finally {
    await client.end()
  }
}

/** How many notifications are imported so far (a test waits for some before it kills the import). */
export async function importedSoFar(url: string): Promise<number> {
  const location = parseDatabaseUrl(url)
  const sql = 'select count(*) as count from imported_notifications'
  try {
    if (location?.kind === 'sqlite') {
      const connection = new BetterSqlite3(location.path, { readonly: true, fileMustExist: true })
      try {
        return Number((connection.prepare(sql).get() as Row).count)
      } finally {
        connection.close()
      }
    }
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return Number((await client.query<Row>(sql)).rows[0]?.count)
    } finally {
      await client.end()
    }
  } catch {
    // Not created yet: the import is still starting.
    return 0
  }
}
