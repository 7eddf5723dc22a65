/**
 * Two gateways a user might build instead of carewindow, for the HTTP benchmarks to measure it against on the same
 * requests and machine. Both check the webhook's signature and the API key as carewindow does, and forward an
 * allowed send over carewindow's own Graph client (the pooled undici client) to the same local fake Graph.
 *
 * - *Insert per message on PostgreSQL* (`naive-pg`): the webhook inserts a row per inbound message and answers
 *   once it is in; a send decides the window with `max(created_at)` of the contact's inbound rows, forwards, and
 *   inserts the outbound row with Graph's message id. Every write is applied when it is acknowledged.
 * - *TTL keys in Redis* (`redis-ttl`): the webhook sets a key per sender with a 24 h time to live; a send checks
 *   that the key exists and forwards. Nothing else is kept.
 *
 * Neither keeps consent, templates, prices, idempotency keys, statuses, events or a record that survives Redis
 * losing its keys: they are what "just track the last message" looks like, and what carewindow's extra promises
 * are measured against.
 */
import { createHash } from 'node:crypto'
import Fastify, { type FastifyReply } from 'fastify'
import { Redis } from 'ioredis'
import pg from 'pg'
import { graphUpstream } from '../src/channels/graph-upstream.js'
import { isValidSignature } from '../src/channels/signature.js'
import { ACCESS_TOKEN, API_KEY, APP_SECRET } from './http-fixture.js'
import type { StoredCounts } from './http-server.js'

const WINDOW_MS = 24 * 60 * 60 * 1000
const WINDOW_SECONDS = WINDOW_MS / 1000

export type SimpleDesign = 'naive-pg' | 'redis-ttl'

export interface SimpleServer {
  readonly url: string
  stats(): Promise<StoredCounts>
  close(): Promise<void>
}

/** What a design keeps: an inbound message noted, the instant of a contact's last one, an outbound one recorded. */
interface WindowKeeping {
  noteInbound(messages: readonly InboundMessage[]): Promise<void>
  lastInboundAt(contact: string, now: number): Promise<number | null>
  noteOutbound(contact: string, wamid: string, body: string, at: number): Promise<void>
  stats(): Promise<StoredCounts>
  close(): Promise<void>
}

interface InboundMessage {
  readonly contact: string
  readonly wamid: string
  readonly body: string
  readonly at: number
}

/** Starts `design` on `storeUrl` (a PostgreSQL or Redis URL), forwarding to the Graph at `graphUrl`. */
export async function startSimpleDesign(
  design: SimpleDesign,
  storeUrl: string,
  graphUrl: string,
): Promise<SimpleServer> {
  const keeping = design === 'naive-pg' ? await insertPerMessage(storeUrl) : redisTtl(storeUrl)
  const upstream = graphUpstream({ timeoutMs: 10_000, retries: 0, client: 'pooled' })
  const keyHash = createHash('sha256').update(API_KEY).digest('hex')
  const app = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 })
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body)
  })
  app.post('/webhooks/whatsapp', async (request, reply) => {
    const raw = request.body as Buffer
    const signature = request.headers['x-hub-signature-256']
    if (!isValidSignature(raw, typeof signature === 'string' ? signature : undefined, APP_SECRET))
      return reply.status(401).send({ error: 'invalid signature' })
    await keeping.noteInbound(inboundMessages(JSON.parse(raw.toString('utf8'))))
    return reply.status(200).type('text/plain').send('EVENT_RECEIVED')
  })
  app.post<{ Params: { version: string; phoneNumberId: string } }>(
    '/:version/:phoneNumberId/messages',
    async (request, reply) => {
      const authorization = request.headers.authorization ?? ''
      const presented = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : ''
      if (createHash('sha256').update(presented).digest('hex') !== keyHash)
        return reply.status(401).send({ error: 'unknown API key' })
      const body = (request.body as Buffer).toString('utf8')
      const { to } = JSON.parse(body) as { to?: unknown }
      if (typeof to !== 'string') return reply.status(400).send({ error: '"to" is required' })
      const now = Date.now()
      const last = await keeping.lastInboundAt(to, now)
      if (last === null || now - last >= WINDOW_MS) return refuseOutsideWindow(reply)
      const { phoneNumberId, version } = request.params
      const answer = await upstream.forward({
        channel: {
          externalId: phoneNumberId,
          upstream: { mode: 'cloud', baseUrl: graphUrl, accessToken: ACCESS_TOKEN },
        },
        version,
        path: `/${phoneNumberId}/messages`,
        body,
        contentType: 'application/json',
      })
      const wamid = answer.status === 200 ? messageIdOf(answer.body) : null
      if (wamid !== null) await keeping.noteOutbound(to, wamid, body, now)
      return reply.status(answer.status).type('application/json').send(answer.body)
    },
  )
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url,
    stats: () => keeping.stats(),
    async close() {
      await app.close()
      await keeping.close()
    },
  }
}

function refuseOutsideWindow(reply: FastifyReply): FastifyReply {
  return reply.status(400).send({
    error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047 },
  })
}

function messageIdOf(body: string): string | null {
  const parsed = JSON.parse(body) as { messages?: { id?: unknown }[] }
  const id = parsed.messages?.[0]?.id
  return typeof id === 'string' ? id : null
}

/** The customers' messages in a WhatsApp notification (meta-platform.md §2.3). */
function inboundMessages(json: unknown): InboundMessage[] {
  const found: InboundMessage[] = []
  const entries = (json as { entry?: { changes?: { value?: { messages?: unknown[] } }[] }[] }).entry ?? []
  for (const entry of entries)
    for (const change of entry.changes ?? [])
      for (const message of change.value?.messages ?? []) {
        const { from, id, timestamp } = message as { from?: unknown; id?: unknown; timestamp?: unknown }
        if (typeof from === 'string' && typeof id === 'string')
          found.push({
            contact: from,
            wamid: id,
            body: JSON.stringify(message),
            at: Number(timestamp) * 1000,
          })
      }
  return found
}

const NAIVE_TABLE = `create table naive_messages (
  id bigint generated always as identity primary key,
  contact text not null,
  direction text not null,
  wamid text not null,
  body text not null,
  created_at bigint not null
)`

/** One row per message, an index to find a contact's last inbound one; a pool of 10 as carewindow has. */
async function insertPerMessage(databaseUrl: string): Promise<WindowKeeping> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })
  await pool.query(NAIVE_TABLE)
  await pool.query('create index naive_messages_window on naive_messages (contact, direction, created_at)')
  const insert = (
    message: InboundMessage | { contact: string; wamid: string; body: string; at: number },
    direction: string,
  ) =>
    pool.query(
      'insert into naive_messages (contact, direction, wamid, body, created_at) values ($1, $2, $3, $4, $5)',
      [message.contact, direction, message.wamid, message.body, message.at],
    )
  const count = async (where: string): Promise<number> => {
    const result = await pool.query<{ n: string }>(`select count(*) as n from naive_messages where ${where}`)
    return Number(result.rows[0]?.n ?? 0)
  }
  const countContacts = async (where: string): Promise<number> => {
    const result = await pool.query<{ n: string }>(
      `select count(distinct contact) as n from naive_messages where ${where}`,
    )
    return Number(result.rows[0]?.n ?? 0)
  }
  return {
    async noteInbound(messages) {
      for (const message of messages) await insert(message, 'inbound')
    },
    async lastInboundAt(contact) {
      const result = await pool.query<{ last: string | null }>(
        "select max(created_at) as last from naive_messages where contact = $1 and direction = 'inbound'",
        [contact],
      )
      const last = result.rows[0]?.last ?? null
      return last === null ? null : Number(last)
    },
    async noteOutbound(contact, wamid, body, at) {
      await insert({ contact, wamid, body, at }, 'outbound')
    },
    async stats() {
      const inbound = await count("direction = 'inbound'")
      return {
        notifications: inbound,
        pendingNotifications: 0,
        inboundMessages: inbound,
        acceptedSends: await count("direction = 'outbound'"),
        openWindows: await countContacts(`direction = 'inbound' and created_at > ${Date.now() - WINDOW_MS}`),
      }
    },
    close: () => pool.end(),
  }
}

/** A key per contact that expires when the window would; the counts are kept in this process (Redis keeps none). */
function redisTtl(redisUrl: string): WindowKeeping {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3_000, lazyConnect: false })
  // A fresh keyspace of its own per run, so keys from an earlier run never open a window.
  const prefix = `cw-bench:${Date.now().toString(36)}:`
  let inbound = 0
  let outbound = 0
  return {
    async noteInbound(messages) {
      for (const message of messages) {
        await redis.set(`${prefix}${message.contact}`, String(message.at), 'EX', WINDOW_SECONDS)
        inbound++
      }
    },
    async lastInboundAt(contact) {
      const at = await redis.get(`${prefix}${contact}`)
      return at === null ? null : Number(at)
    },
    noteOutbound() {
      outbound++
      return Promise.resolve()
    },
    async stats() {
      let open = 0
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        cursor = next
        open += keys.length
      } while (cursor !== '0')
      return {
        notifications: inbound,
        pendingNotifications: 0,
        inboundMessages: inbound,
        acceptedSends: outbound,
        openWindows: open,
      }
    },
    async close() {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        cursor = next
        if (keys.length > 0) await redis.del(...keys)
      } while (cursor !== '0')
      redis.disconnect()
    },
  }
}
