import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import { TcpProxy } from '../support/tcp-proxy.js'
import {
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  type E2eDatabase,
  graphErrorOf,
  inboundTextNotification,
  postMessage,
  postWebhook,
  startTestGateway,
  TestClock,
  textMessage,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'

const CUSTOMER = '31687654321'

/** Short waits, so a send's budget — and what makes an unanswered one stale — is a couple of seconds here. */
const OVERRIDES = { inbox: { decision_wait_ms: 500 } }
/** 500 ms for the inbox, three attempts of 300 ms, 200 + 400 ms between them (see sendBudgetMs). */
const SEND_BUDGET_MS = 500 + 3 * 300 + 600

/** Makes the suite's database unreachable for carewindow, and reachable again. */
interface Outage {
  /** The database URL carewindow is given (through the proxy, on PostgreSQL). */
  readonly url: string
  begin(): Promise<void>
  end(): Promise<void>
}

/** PostgreSQL goes away: carewindow reaches it through a proxy the test cuts. */
async function postgresOutage(database: E2eDatabase, cleanup: Cleanup): Promise<Outage> {
  const target = new URL(database.url)
  const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
  cleanup.add(() => proxy.close())
  return { url: proxy.through(database.url), begin: () => proxy.cut(), end: () => proxy.restore() }
}

/** The SQLite file is locked by another writer (a backup, a migration, a stuck process) for the outage. */
function sqliteOutage(database: E2eDatabase): Outage {
  let locker: BetterSqlite3.Database | null = null
  return {
    url: database.url,
    begin() {
      locker = new BetterSqlite3(database.url.slice('sqlite:'.length))
      locker.exec('begin exclusive')
      return Promise.resolve()
    },
    end() {
      locker?.exec('commit')
      locker?.close()
      locker = null
      return Promise.resolve()
    },
  }
}

describe.each(['sqlite', 'postgres'] as const)(
  'a database outage while Graph takes a message, on %s',
  { timeout: 90_000 },
  (dialect) => {
    const cleanup = new Cleanup()
    const clock = new TestClock()
    let database: E2eDatabase
    let graph: FakeGraph
    let outage: Outage
    let server: RunningServer

    const start = async (): Promise<RunningServer> => {
      const started = await startTestGateway({
        databaseUrl: outage.url,
        graphUrl: graph.url,
        clock: clock.now,
        overrides: OVERRIDES,
      })
      cleanup.add(() => started.close())
      return started
    }

    beforeAll(async () => {
      database = await createE2eDatabase(dialect)
      cleanup.add(() => database.destroy())
      graph = await FakeGraph.start()
      cleanup.add(() => graph.close())
      outage = dialect === 'postgres' ? await postgresOutage(database, cleanup) : sqliteOutage(database)
      server = await start()
      const opened = await postWebhook(
        server.url,
        inboundTextNotification({ from: CUSTOMER, id: 'wamid.outage-window', atMs: clock.now() - 60_000 }),
        { secret: APP_SECRET },
      )
      expect(opened.status).toBe(200)
      await server.gateway.inbox.drain()
    })

    afterAll(() => cleanup.run())

    const sentToGraph = (body: string) =>
      graph.requests.filter((request) => request.body.toString('utf8') === body)

    it('sends once under an Idempotency-Key when the database drops while Graph takes the message, whatever the client retries', async () => {
      const body = textMessage(CUSTOMER, 'Your refund is on its way')
      const key = `refund-${dialect}-1`
      graph.takeAfterNext(() => outage.begin())

      // Graph took it. The client is told so — or, when the outage also held up Graph's answer past its timeout (a
      // locked SQLite file stops the whole process while it waits), that the outcome is unknown (504). Either way
      // carewindow could not record it yet.
      const first = await postMessage(server.url, body, { idempotencyKey: key })
      expect([200, 504]).toContain(first.status)
      if (first.status === 200)
        expect(JSON.parse(first.text)).toMatchObject({ messages: [{ id: sentToGraph(body)[0]?.wamid }] })

      // A retry while the database is gone cannot be decided: refused, and nothing more goes to Graph.
      let during
      try {
        during = await postMessage(server.url, body, { idempotencyKey: key })
      } finally {
        await outage.end()
      }
      expect(during.status).toBe(503)
      expect(during.headers.get('retry-after')).not.toBeNull()

      const replayed = await waitFor('the outcome kept meanwhile to be recorded', async () => {
        const answer = await postMessage(server.url, body, { idempotencyKey: key })
        return answer.headers.get('idempotent-replayed') === 'true' ? answer : null
      })
      expect([replayed.status, replayed.text]).toEqual([first.status, first.text])
      expect(sentToGraph(body)).toHaveLength(1)
      const messageId = first.headers.get('x-carewindow-message-id')!
      expect(await server.gateway.store.getMessage(messageId)).toMatchObject(
        first.status === 200
          ? { status: 'accepted', externalId: sentToGraph(body)[0]?.wamid }
          : { status: 'unknown' },
      )
    })

    it('settles as unknown — never sending again — a send whose process stopped before it could record the outcome', async () => {
      const body = textMessage(CUSTOMER, 'Your replacement ships today')
      const key = `replacement-${dialect}-1`
      graph.takeAfterNext(() => outage.begin())

      let first
      try {
        first = await postMessage(server.url, body, { idempotencyKey: key })
        // It stops while the database is still gone: what it kept for the database is lost with it.
        await server.close()
      } finally {
        await outage.end()
      }
      expect([200, 504]).toContain(first.status)
      const messageId = first.headers.get('x-carewindow-message-id')!
      clock.advance(2 * SEND_BUDGET_MS + 1_000)
      server = await start()

      const retried = await postMessage(server.url, body, { idempotencyKey: key })

      expect(retried.status).toBe(504)
      expect(retried.headers.get('x-carewindow-message-id')).toBe(messageId)
      expect(graphErrorOf(retried).error_data?.details).toContain(
        `message ${messageId}: no outcome was recorded within`,
      )
      const again = await postMessage(server.url, body, { idempotencyKey: key })
      expect([again.status, again.text]).toEqual([504, retried.text])
      expect(sentToGraph(body)).toHaveLength(1)
      expect(await server.gateway.store.getMessage(messageId)).toMatchObject({ status: 'unknown' })
    })
  },
)
