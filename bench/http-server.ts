/**
 * The server side of the HTTP benchmarks, forked by http.bench.ts into a process of its own so that the
 * server and autocannon never share an event loop (on a small machine each gets about a core).
 *
 * - `node http-server.js carewindow <database url> [<graph url> pooled|fetch]`: carewindow as `carewindow serve` runs
 *   it (`startServer`), its channel on the sandbox upstream or forwarding to the Graph at that URL with that client.
 * - `node http-server.js bare`: Fastify with the same two routes, each parsing the JSON body and answering 200.
 * - `node http-server.js floor <database url>`: the least a gateway keeping carewindow's promises does (http-floor.ts).
 * - `node http-server.js graph`: a local fake Graph that accepts every send (http-graph.ts).
 * - `node http-server.js naive-pg|redis-ttl <store url> <graph url>`: the simple designs (http-simple-designs.ts).
 *
 * It reports `ready` with its URL, then answers the parent's commands over IPC.
 */
import BetterSqlite3 from 'better-sqlite3'
import Fastify from 'fastify'
import pg from 'pg'
import { resolveConfig } from '../src/config/config.js'
import { createLogger } from '../src/shared/logging.js'
import { startServer, type RunningServer } from '../src/server.js'
import type { GraphClientKind } from '../src/channels/graph-client.js'
import { benchConfigFile } from './http-fixture.js'
import { startFloor } from './http-floor.js'
import { startFakeGraph } from './http-graph.js'
import { startSimpleDesign, type SimpleDesign } from './http-simple-designs.js'

export type ServerCommand = 'stats' | 'drain' | 'cpu' | 'stop'

export interface ServerRequest {
  readonly id: number
  readonly command: ServerCommand
}

/** What carewindow stored, read from the database (a connection of its own). */
export interface StoredCounts {
  readonly notifications: number
  /** `countPendingNotifications()`: stored, not yet processed. */
  readonly pendingNotifications: number
  readonly inboundMessages: number
  /** Outbound messages the upstream accepted. */
  readonly acceptedSends: number
  readonly openWindows: number
}

export type ServerMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'reply'; readonly id: number; readonly result: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly error: string }

interface Role {
  readonly url: string
  stats(): Promise<StoredCounts>
  drain(): Promise<void>
  close(): Promise<void>
}

/** How long a run waits for the inbox to work off the backlog a storm left (ms): longer than a decision may wait. */
const BACKLOG_DRAIN_MS = 600_000

const COUNTS_SQL = {
  notifications: 'select count(*) as n from webhook_notifications',
  inboundMessages: "select count(*) as n from messages where direction = 'inbound'",
  acceptedSends: "select count(*) as n from messages where direction = 'outbound' and status = 'accepted'",
  openWindows: 'select count(*) as n from windows where expires_at > $1',
} as const

/** Where carewindow forwards its sends: the Graph at `url`, reached with `client`. */
interface Forwarding {
  readonly url: string
  readonly client: GraphClientKind
}

async function startCarewindow(databaseUrl: string, forwarding: Forwarding | undefined): Promise<Role> {
  const config = resolveConfig(benchConfigFile(databaseUrl, forwarding?.url), {}, 'bench')
  const logger = createLogger(config.logLevel, process.stderr)
  const server: RunningServer = await startServer({
    config,
    logger,
    version: 'bench',
    ...(forwarding === undefined ? {} : { graphClient: forwarding.client }),
  })
  const count = countQuery(databaseUrl)
  return {
    url: server.url,
    async stats() {
      const now = Date.now()
      return {
        notifications: await count.run(COUNTS_SQL.notifications),
        pendingNotifications: await server.gateway.store.countPendingNotifications(),
        inboundMessages: await count.run(COUNTS_SQL.inboundMessages),
        acceptedSends: await count.run(COUNTS_SQL.acceptedSends),
        openWindows: await count.run(COUNTS_SQL.openWindows, now),
      }
    },
    // A storm's backlog takes longer to apply than a decision may wait.
    drain: () => server.gateway.inbox.drain(undefined, { waitMs: BACKLOG_DRAIN_MS }),
    async close() {
      await server.close()
      await count.close()
    },
  }
}

/** Counts over a connection of their own, so the gateway's store is only used the way the gateway uses it. */
function countQuery(databaseUrl: string): {
  run(sql: string, parameter?: number): Promise<number>
  close(): Promise<void>
} {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
    return {
      async run(sql, parameter) {
        const result = await pool.query<{ n: string }>(sql, parameter === undefined ? [] : [parameter])
        return Number(result.rows[0]?.n ?? 0)
      },
      close: () => pool.end(),
    }
  }
  const database = new BetterSqlite3(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), { readonly: true })
  return {
    run(sql, parameter) {
      const row = database
        .prepare(sql.replace('$1', '?'))
        .get(...(parameter === undefined ? [] : [parameter])) as { n: number }
      return Promise.resolve(row.n)
    },
    close() {
      database.close()
      return Promise.resolve()
    },
  }
}

/** The baseline: what Fastify itself costs for the same request, with the same body handling (raw buffer, `JSON.parse`). */
async function startBare(): Promise<Role> {
  const app = Fastify({ logger: false })
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body)
  })
  const parse = (body: unknown): unknown => JSON.parse((body as Buffer).toString('utf8'))
  app.post('/webhooks/whatsapp', async (request, reply) => {
    parse(request.body)
    return reply.status(200).type('text/plain').send('EVENT_RECEIVED')
  })
  app.post('/:version/:phoneNumberId/messages', async (request, reply) => {
    parse(request.body)
    return reply.status(200).send({ messaging_product: 'whatsapp' })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const none: StoredCounts = {
    notifications: 0,
    pendingNotifications: 0,
    inboundMessages: 0,
    acceptedSends: 0,
    openWindows: 0,
  }
  return {
    url,
    stats: () => Promise.resolve(none),
    drain: () => Promise.resolve(),
    close: () => app.close(),
  }
}

async function floorRole(databaseUrl: string): Promise<Role> {
  const floor = await startFloor(databaseUrl)
  return {
    url: floor.url,
    stats: () => floor.stats(),
    drain: () => Promise.resolve(),
    close: () => floor.close(),
  }
}

async function graphRole(): Promise<Role> {
  const graph = await startFakeGraph()
  return {
    url: graph.url,
    stats: () =>
      Promise.resolve({
        notifications: 0,
        pendingNotifications: 0,
        inboundMessages: 0,
        acceptedSends: graph.accepted(),
        openWindows: 0,
      }),
    drain: () => Promise.resolve(),
    close: () => graph.close(),
  }
}

async function simpleRole(design: SimpleDesign, storeUrl: string, graphUrl: string): Promise<Role> {
  const server = await startSimpleDesign(design, storeUrl, graphUrl)
  return {
    url: server.url,
    stats: () => server.stats(),
    drain: () => Promise.resolve(),
    close: () => server.close(),
  }
}

function forwardingOf(graphUrl: string | undefined, client: string | undefined): Forwarding | undefined {
  if (graphUrl === undefined) return undefined
  if (client !== 'pooled' && client !== 'fetch') throw new Error(`the Graph client must be pooled or fetch`)
  return { url: graphUrl, client }
}

async function main(): Promise<void> {
  const [kind, databaseUrl, graphUrl, client] = process.argv.slice(2)
  const role =
    kind === 'bare'
      ? await startBare()
      : kind === 'carewindow' && databaseUrl !== undefined
        ? await startCarewindow(databaseUrl, forwardingOf(graphUrl, client))
        : kind === 'floor' && databaseUrl !== undefined
          ? await floorRole(databaseUrl)
          : kind === 'graph'
            ? await graphRole()
            : (kind === 'naive-pg' || kind === 'redis-ttl') &&
                databaseUrl !== undefined &&
                graphUrl !== undefined
              ? await simpleRole(kind, databaseUrl, graphUrl)
              : undefined
  if (role === undefined)
    throw new Error(
      'usage: http-server.js bare | carewindow <database url> [<graph url> pooled|fetch] | floor <database url> | graph' +
        ' | naive-pg <postgres url> <graph url> | redis-ttl <redis url> <graph url>',
    )
  const send = (message: ServerMessage): void => {
    process.send?.(message)
  }
  process.on('message', (message: ServerRequest) => {
    void handle(role, message.command).then(
      (result) => {
        send({ type: 'reply', id: message.id, result })
        if (message.command === 'stop') process.disconnect()
      },
      (error: unknown) => {
        send({
          type: 'failed',
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        })
      },
    )
  })
  send({ type: 'ready', url: role.url })
}

async function handle(role: Role, command: ServerCommand): Promise<unknown> {
  switch (command) {
    case 'stats':
      return role.stats()
    case 'drain':
      await role.drain()
      return null
    case 'cpu':
      return process.cpuUsage()
    case 'stop':
      await role.close()
      return null
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `http-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
})
