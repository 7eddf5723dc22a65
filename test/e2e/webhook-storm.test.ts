import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import {
  API_KEY,
  autumnSale,
  APP_SECRET,
  Cleanup,
  type E2eDatabase,
  graphErrorOf,
  inboundTextNotification,
  PHONE_NUMBER_ID,
  postMessage,
  postWebhook,
  startE2eStack,
  textMessage,
} from '../support/test-gateway.js'

/** Notifications in the storm, and how many are posted at a time (as Meta's parallel deliveries would). */
const STORM = 2_000
const CONCURRENCY = 50

/** Opted in to marketing before the storm; writes STOP near its end. */
const STOPPING = '31612345001'
/** Writes for the first time near the storm's end: its message opens the window a reply needs. */
const LATE_WRITER = '31612345002'

describe.each(['sqlite', 'postgres'] as const)('a webhook storm on %s', { timeout: 120_000 }, (dialect) => {
  let database: E2eDatabase
  let graph: FakeGraph
  let server: RunningServer
  const cleanup = new Cleanup()

  beforeAll(async () => {
    ;({ database, graph, server } = await startE2eStack(dialect, cleanup))
  })

  afterAll(() => cleanup.run())

  it('is acknowledged before it is applied, and a send right after it still sees every notification acknowledged', async () => {
    const optIn = await fetch(`${server.url}/v1/channels/${PHONE_NUMBER_ID}/contacts/${STOPPING}/consent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'marketing', source: 'website_form', evidence: 'form v3' }),
    })
    expect(optIn.status).toBe(201)
    // Meta stamps the STOP to the second, often the opt-in's own second: it still comes after the opt-in.
    const now = Date.now()
    const notifications = Array.from({ length: STORM }, (_, index) =>
      inboundTextNotification({
        id: `wamid.storm-${index}`,
        from: `3161000${String(index).padStart(4, '0')}`,
        atMs: now,
      }),
    )
    notifications[STORM - 20] = inboundTextNotification({
      id: 'wamid.storm-stop',
      from: STOPPING,
      atMs: now,
      text: 'STOP',
    })
    notifications[STORM - 10] = inboundTextNotification({
      id: 'wamid.storm-late',
      from: LATE_WRITER,
      atMs: now,
    })
    const statuses: number[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < notifications.length) {
          const answer = await postWebhook(server.url, notifications[next++]!, { secret: APP_SECRET })
          statuses.push(answer.status)
        }
      }),
    )
    expect(statuses.filter((status) => status === 200)).toHaveLength(STORM)

    // Every notification is stored; while the storm lasted, applying them took a share of the loop, so some wait.
    expect(await database.count('webhook_notifications')).toBe(STORM)
    expect(await server.gateway.store.countPendingNotifications()).toBeGreaterThan(0)

    // Sends right away, with no drain by the test: each waits for what was acknowledged before it.
    const reply = await postMessage(server.url, textMessage(LATE_WRITER, 'Thanks for writing!'))
    expect(reply.status).toBe(200)
    expect(reply.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
    const marketing = await postMessage(server.url, autumnSale(STOPPING))
    expect(marketing.status).toBe(400)
    expect(graphErrorOf(marketing).code).toBe(131050)
    expect(graph.requests).toHaveLength(1)
  })

  it('lets a send wait only for the notifications about its contact, not for the storm’s backlog', async () => {
    const now = Date.now()
    let isStorming = true
    let sent = 0
    const storm = Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, lane) => {
        while (isStorming) {
          const id = `${lane}-${sent++}`
          const body = inboundTextNotification({
            id: `wamid.backlog-${id}`,
            from: `3162${String(sent).padStart(7, '0')}`,
            atMs: now,
          })
          const answer = await postWebhook(server.url, body, { secret: APP_SECRET })
          if (answer.status !== 200) throw new Error(`a storm notification answered ${answer.status}`)
        }
      }),
    )
    try {
      while ((await server.gateway.store.countPendingNotifications()) < 1_000)
        await new Promise((resolve) => setTimeout(resolve, 10))
      const writer = '31612345003'
      const inbound = await postWebhook(
        server.url,
        inboundTextNotification({ id: 'wamid.during-storm', from: writer, atMs: now }),
        { secret: APP_SECRET },
      )
      expect(inbound.status).toBe(200)
      const acknowledged = await server.gateway.store.lastNotificationId()

      const reply = await postMessage(server.url, textMessage(writer, 'We are on it'))

      expect(reply.status).toBe(200)
      expect(reply.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
      // Notifications about other contacts acknowledged before the send are still waiting: it did not wait for them.
      const oldest = await server.gateway.store.oldestPendingNotificationId(Date.now())
      expect(oldest).not.toBeNull()
      expect(oldest!).toBeLessThan(acknowledged)
    } finally {
      isStorming = false
      await storm
    }
  })
})

// PostgreSQL is where a storm's batches are slowest (a batch of batched notifications takes seconds while the storm
// lasts), so it is where a waiting decision is most at risk of being stuck behind one.
describe('a 20 s webhook storm on postgres', { timeout: 120_000 }, () => {
  let server: RunningServer
  const cleanup = new Cleanup()

  beforeAll(async () => {
    ;({ server } = await startE2eStack('postgres', cleanup))
  })

  afterAll(() => cleanup.run())

  it(
    'answers every customer who wrote during a 20 s storm of batched notifications — each reply decided on their message',
    { timeout: 90_000 },
    async () => {
      const STORM_MS = 20_000
      /** Customers who write during the storm, one a second, each answered right after their message is acknowledged. */
      const CUSTOMERS = 10
      const now = Date.now()
      let isStorming = true
      let posted = 0
      // Meta batches: five customers' messages per notification, and statuses — what a storm of real traffic holds.
      const storm = Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, lane) => {
          while (isStorming) {
            const n = posted++
            const messages = Array.from({ length: 5 }, (_, index) => ({
              from: `3163${String(lane).padStart(2, '0')}${String(n * 5 + index).padStart(6, '0')}`,
              id: `wamid.batch-${n}-${index}`,
              timestamp: String(Math.floor(now / 1000)),
              type: 'text',
              text: { body: 'Hello' },
            }))
            const notification = JSON.parse(inboundTextNotification({ id: 'x', from: '1', atMs: now })) as {
              entry: { changes: { value: { messages: unknown[]; contacts?: unknown } }[] }[]
            }
            const value = notification.entry[0]!.changes[0]!.value
            value.messages = messages
            delete value.contacts
            const answer = await postWebhook(server.url, JSON.stringify(notification), { secret: APP_SECRET })
            if (answer.status !== 200) throw new Error(`a storm notification answered ${answer.status}`)
          }
        }),
      )
      const replies: { status: number; decision: string | null }[] = []
      try {
        const startedAt = Date.now()
        for (let customer = 0; customer < CUSTOMERS; customer++) {
          await new Promise((resolve) => setTimeout(resolve, 1_000))
          const writer = `3164${String(customer).padStart(7, '0')}`
          const inbound = await postWebhook(
            server.url,
            inboundTextNotification({ id: `wamid.customer-${customer}`, from: writer, atMs: Date.now() }),
            { secret: APP_SECRET },
          )
          expect(inbound.status).toBe(200)
          const reply = await postMessage(server.url, textMessage(writer, 'We are on it'))
          replies.push({ status: reply.status, decision: reply.headers.get('x-carewindow-decision') })
        }
        // The storm goes on for its 20 s, however quickly the customers were answered.
        const leftMs = STORM_MS - (Date.now() - startedAt)
        if (leftMs > 0) await new Promise((resolve) => setTimeout(resolve, leftMs))
      } finally {
        isStorming = false
        await storm
      }
      // Each reply waited for its customer's message only — never for the storm — and well within
      // inbox.decision_wait_ms: past it, the reply would have been a 503.
      expect(replies.map((reply) => [reply.status, reply.decision])).toEqual(
        replies.map(() => [200, 'IN_CARE_WINDOW']),
      )
    },
  )
})
