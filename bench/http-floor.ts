/**
 * The floor under the HTTP benchmarks: the least a gateway that keeps carewindow's promises does per request, and
 * nothing more. It runs next to bare Fastify and carewindow on the same store, so a report shows what durability
 * alone costs on the machine (floor against bare) apart from what carewindow adds (carewindow against floor).
 *
 * - Webhook ingest: checks `X-Hub-Signature-256` over the raw bytes (HMAC-SHA256, compared in constant time),
 *   parses the JSON, stores the body and answers 200 once it is committed. It notes each sender's last message
 *   in memory, but applies nothing: no contacts, windows, consent, messages or relays.
 * - Proxy sends: looks the API key up in memory, parses the body and judges the window from memory. It stores one
 *   row with the message and its decision, committed before the reply, and answers Graph's reply with a new id.
 *   It keeps no idempotency keys, no consent or templates, records no second write for the upstream's answer,
 *   and forwards nothing.
 *
 * Writes are group-committed the way carewindow's are (every request waits for the commit of its own row; the
 * rows of one turn of the event loop share it), with the same durability: SQLite in WAL with `synchronous =
 * NORMAL` and checkpoints in a worker thread, PostgreSQL with its defaults. The tables have integer keys and no other index, so every insert
 * appends. Nothing is logged and nothing is counted.
 */
import { createHash } from 'node:crypto'
import BetterSqlite3 from 'better-sqlite3'
import Fastify from 'fastify'
import pg from 'pg'
import { isValidSignature } from '../src/channels/signature.js'
import { randomToken } from '../src/shared/ids.js'
import { GroupCommit } from '../src/store/group-commit.js'
import {
  startSqliteCheckpointer,
  WRITER_AUTOCHECKPOINT_PAGES,
} from '../src/store/sqlite/sqlite-checkpointer.js'
import { API_KEY, APP_SECRET } from './http-fixture.js'
import type { StoredCounts } from './http-server.js'

const WINDOW_MS = 24 * 60 * 60 * 1000

/** What the floor writes: one row per acknowledged webhook and per decided send. */
interface FloorTables {
  insertNotifications(rows: readonly FloorNotification[]): Promise<void>
  insertMessages(rows: readonly FloorMessage[]): Promise<void>
  /** Rows of a `select count(*) as n …`. */
  count(query: string): Promise<number>
  close(): Promise<void>
}

interface FloorNotification {
  readonly body: string
  readonly receivedAt: number
}

interface FloorMessage {
  readonly contact: string
  readonly body: string
  readonly allowed: boolean
  readonly reason: string
  readonly wamid: string | null
  readonly at: number
}

const CREATE_TABLES = [
  'create table floor_notifications (id integer primary key, body text not null, received_at bigint not null)',
  'create table floor_messages (id integer primary key, contact text not null, body text not null, ' +
    'allowed integer not null, reason text not null, wamid text, at bigint not null)',
]

/** `(?, ?), (?, ?)` for SQLite, `($1, $2), ($3, $4)` for PostgreSQL: `rows` rows of `columns` values. */
function placeholders(rows: number, columns: number, numbered: boolean): string {
  let next = 1
  return Array.from(
    { length: rows },
    () => `(${Array.from({ length: columns }, () => (numbered ? `$${next++}` : '?')).join(', ')})`,
  ).join(', ')
}

const notificationValues = (rows: readonly FloorNotification[]) =>
  rows.flatMap((row) => [row.body, row.receivedAt])
const messageValues = (rows: readonly FloorMessage[]) =>
  rows.flatMap((row) => [row.contact, row.body, row.allowed ? 1 : 0, row.reason, row.wamid, row.at])

function sqliteTables(path: string): FloorTables {
  const database = new BetterSqlite3(path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  for (const create of CREATE_TABLES) database.exec(create)
  // Checkpoints off the event loop, as carewindow's store does them.
  database.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`)
  const checkpointer = startSqliteCheckpointer(path)
  const statements = new Map<string, BetterSqlite3.Statement>()
  const insert = (table: string, columns: readonly string[], rows: number, values: unknown[]): void => {
    const key = `${table}:${rows}`
    let statement = statements.get(key)
    if (statement === undefined) {
      statement = database.prepare(
        `insert into ${table} (${columns.join(', ')}) values ${placeholders(rows, columns.length, false)}`,
      )
      statements.set(key, statement)
    }
    database.transaction(() => statement.run(values))()
  }
  return {
    insertNotifications(rows) {
      insert('floor_notifications', ['body', 'received_at'], rows.length, notificationValues(rows))
      return Promise.resolve()
    },
    insertMessages(rows) {
      const columns = ['contact', 'body', 'allowed', 'reason', 'wamid', 'at']
      insert('floor_messages', columns, rows.length, messageValues(rows))
      return Promise.resolve()
    },
    count(query) {
      const row = database.prepare(query).get() as { n: number }
      return Promise.resolve(row.n)
    },
    async close() {
      await checkpointer.stop()
      database.close()
    },
  }
}

async function postgresTables(url: string): Promise<FloorTables> {
  // As carewindow's pool: ten connections.
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  for (const create of CREATE_TABLES)
    await pool.query(
      create.replace('id integer primary key', 'id bigint generated always as identity primary key'),
    )
  const insert = async (table: string, columns: readonly string[], rows: number, values: unknown[]) => {
    await pool.query({
      name: `${table}:${rows}`,
      text: `insert into ${table} (${columns.join(', ')}) values ${placeholders(rows, columns.length, true)}`,
      values,
    })
  }
  return {
    insertNotifications: (rows) =>
      insert('floor_notifications', ['body', 'received_at'], rows.length, notificationValues(rows)),
    insertMessages: (rows) =>
      insert(
        'floor_messages',
        ['contact', 'body', 'allowed', 'reason', 'wamid', 'at'],
        rows.length,
        messageValues(rows),
      ),
    async count(query) {
      const result = await pool.query<{ n: string }>(query)
      return Number(result.rows[0]?.n ?? 0)
    },
    close: () => pool.end(),
  }
}

/** The senders of the inbound messages in a WhatsApp notification, with their instants (ms). */
function inboundSenders(json: unknown): { from: string; at: number }[] {
  const senders: { from: string; at: number }[] = []
  const entries = (json as { entry?: unknown }).entry
  for (const entry of Array.isArray(entries) ? entries : []) {
    const changes = (entry as { changes?: unknown }).changes
    for (const change of Array.isArray(changes) ? changes : []) {
      const messages = (change as { value?: { messages?: unknown } }).value?.messages
      for (const message of Array.isArray(messages) ? messages : []) {
        const { from, timestamp } = message as { from?: unknown; timestamp?: unknown }
        if (typeof from === 'string') senders.push({ from, at: Number(timestamp) * 1000 })
      }
    }
  }
  return senders
}

export interface FloorServer {
  readonly url: string
  stats(): Promise<StoredCounts>
  close(): Promise<void>
}

/** The floor on `databaseUrl` (`sqlite:<path>` or `postgres://…`), listening on a free port of 127.0.0.1. */
export async function startFloor(databaseUrl: string): Promise<FloorServer> {
  const tables = /^postgres(ql)?:\/\//.test(databaseUrl)
    ? await postgresTables(databaseUrl)
    : sqliteTables(databaseUrl.replace(/^sqlite:(\/\/)?/, ''))
  const notifications = new GroupCommit<FloorNotification>((rows) => tables.insertNotifications(rows))
  const messages = new GroupCommit<FloorMessage>((rows) => tables.insertMessages(rows))
  const keyHash = createHash('sha256').update(API_KEY).digest('hex')
  /** Each contact's last inbound message (ms). */
  const lastInbound = new Map<string, number>()

  const app = Fastify({ logger: false })
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body)
  })
  app.post('/webhooks/whatsapp', async (request, reply) => {
    const raw = request.body as Buffer
    const signature = request.headers['x-hub-signature-256']
    if (!isValidSignature(raw, typeof signature === 'string' ? signature : undefined, APP_SECRET))
      return reply.status(401).send({ error: 'invalid signature' })
    const body = raw.toString('utf8')
    const json: unknown = JSON.parse(body)
    await notifications.write({ body, receivedAt: Date.now() })
    for (const { from, at } of inboundSenders(json))
      lastInbound.set(from, Math.max(at, lastInbound.get(from) ?? at))
    return reply.status(200).type('text/plain').send('EVENT_RECEIVED')
  })
  app.post('/:version/:phoneNumberId/messages', async (request, reply) => {
    const authorization = request.headers.authorization ?? ''
    const presented = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : ''
    if (createHash('sha256').update(presented).digest('hex') !== keyHash)
      return reply.status(401).send({ error: 'unknown API key' })
    const raw = request.body as Buffer
    const body = raw.toString('utf8')
    const { to } = JSON.parse(body) as { to?: unknown }
    if (typeof to !== 'string') return reply.status(400).send({ error: '"to" is required' })
    const now = Date.now()
    const last = lastInbound.get(to)
    const allowed = last !== undefined && now - last < WINDOW_MS
    const wamid = allowed ? `wamid.${randomToken(24, 'base64url')}` : null
    await messages.write({
      contact: to,
      body,
      allowed,
      reason: allowed ? 'IN_CARE_WINDOW' : 'WINDOW_CLOSED',
      wamid,
      at: now,
    })
    if (!allowed)
      return reply.status(400).send({
        error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047 },
      })
    return reply.status(200).send({
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id: wamid }],
    })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url,
    async stats() {
      const now = Date.now()
      let openWindows = 0
      for (const at of lastInbound.values()) if (now - at < WINDOW_MS) openWindows++
      return {
        notifications: await tables.count('select count(*) as n from floor_notifications'),
        pendingNotifications: 0,
        inboundMessages: 0,
        acceptedSends: await tables.count('select count(*) as n from floor_messages where allowed = 1'),
        openWindows,
      }
    },
    async close() {
      await app.close()
      await notifications.flushed()
      await messages.flushed()
      await tables.close()
    },
  }
}
