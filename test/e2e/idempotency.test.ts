import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import {
  APP_SECRET,
  Cleanup,
  type Dialect,
  type E2eDatabase,
  graphErrorOf,
  inboundTextNotification,
  postMessage,
  postWebhook,
  startE2eStack,
  textMessage,
} from '../support/test-gateway.js'

const CUSTOMER = '31623456789'

const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres']

for (const dialect of DIALECTS)
  describe(`sends with an Idempotency-Key (${dialect})`, { timeout: 60_000 }, () => {
    let database: E2eDatabase
    let graph: FakeGraph
    let server: RunningServer
    const cleanup = new Cleanup()
    let sequence = 0
    let body: string
    let key: string

    beforeAll(async () => {
      ;({ database, graph, server } = await startE2eStack(dialect, cleanup))
      expect(
        (
          await postWebhook(
            server.url,
            inboundTextNotification({
              from: CUSTOMER,
              id: 'wamid.idempotency-window',
              atMs: Date.now() - 60_000,
              text: 'Hi',
              profileName: null,
            }),
            { secret: APP_SECRET },
          )
        ).status,
      ).toBe(200)
    })

    afterAll(() => cleanup.run())

    beforeEach(() => {
      sequence++
      body = textMessage(CUSTOMER, `Your refund number ${sequence} is on its way`)
      key = `refund-${sequence}-${Date.now()}`
    })

    const messageRows = (text: string) => database.count('messages', { body_json: text })

    it('sends and bills once when the same key and body come twice, and answers the same both times', async () => {
      const first = await postMessage(server.url, body, { idempotencyKey: key })
      const second = await postMessage(server.url, body, { idempotencyKey: key })

      expect(first.status).toBe(200)
      expect(second.status).toBe(200)
      expect(second.text).toBe(first.text)
      expect(second.headers.get('idempotent-replayed')).toBe('true')
      expect(graph.acceptedBodies(body)).toBe(1)
      expect(await messageRows(body)).toBe(1)
      expect(await database.count('idempotency_keys', { key })).toBe(1)
    })

    it('sends once when the same key and body arrive concurrently, and every caller gets the same reply', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => postMessage(server.url, body, { idempotencyKey: key })),
      )

      expect(graph.acceptedBodies(body)).toBe(1)
      expect(await messageRows(body)).toBe(1)
      const first = answers[0]!
      for (const answer of answers)
        expect({ status: answer.status, text: answer.text }).toEqual({
          status: 200,
          text: first.text,
        })
    })

    it('sends once when concurrent duplicates arrive while Graph is slow to answer the first', async () => {
      graph.takeAfterNext(() => new Promise((resolve) => setTimeout(resolve, 200)))

      const answers = await Promise.all(
        Array.from({ length: 4 }, () => postMessage(server.url, body, { idempotencyKey: key })),
      )

      expect(graph.acceptedBodies(body)).toBe(1)
      expect(await messageRows(body)).toBe(1)
      expect(new Set(answers.map((answer) => `${answer.status} ${answer.text}`)).size).toBe(1)
      expect(answers[0]!.status).toBe(200)
    })

    it('refuses the same key with a different body with 422 and sends nothing for it', async () => {
      const other = textMessage(CUSTOMER, `Something else entirely ${sequence}`)
      await postMessage(server.url, body, { idempotencyKey: key })

      const reused = await postMessage(server.url, other, { idempotencyKey: key })

      expect(reused.status).toBe(422)
      expect(graphErrorOf(reused)).toMatchObject({ code: 100, type: 'OAuthException' })
      expect(graphErrorOf(reused).error_data?.details).toContain(`Idempotency-Key "${key}"`)
      expect(graph.acceptedBodies(other)).toBe(0)
      expect(await messageRows(other)).toBe(0)
      expect(graph.acceptedBodies(body)).toBe(1)
    })

    it('replays a refusal without deciding again', async () => {
      const stranger = textMessage('491709876543', `Hello stranger ${sequence}`)

      const first = await postMessage(server.url, stranger, { idempotencyKey: key })
      const second = await postMessage(server.url, stranger, { idempotencyKey: key })

      expect(first.status).toBe(400)
      expect(second.status).toBe(400)
      expect(second.text).toBe(first.text)
      expect(await messageRows(stranger)).toBe(1)
    })

    it('replays the first answer with its message id and decision, so a client that lost it learns them', async () => {
      const first = await postMessage(server.url, body, { idempotencyKey: key })
      const second = await postMessage(server.url, body, { idempotencyKey: key })

      expect(first.headers.get('idempotent-replayed')).toBeNull()
      expect(second.headers.get('idempotent-replayed')).toBe('true')
      expect(first.headers.get('x-carewindow-message-id')).toMatch(/^msg_/)
      expect(second.headers.get('x-carewindow-message-id')).toBe(first.headers.get('x-carewindow-message-id'))
      expect(first.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
      expect(second.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
    })

    it("replays a refusal with the refused message's id and the reason it was refused", async () => {
      const stranger = textMessage('491709876543', `Are you there ${sequence}?`)

      const first = await postMessage(server.url, stranger, { idempotencyKey: key })
      const second = await postMessage(server.url, stranger, { idempotencyKey: key })

      expect([first.status, second.status]).toEqual([400, 400])
      expect(second.headers.get('idempotent-replayed')).toBe('true')
      expect(second.headers.get('x-carewindow-message-id')).toBe(first.headers.get('x-carewindow-message-id'))
      expect(second.headers.get('x-carewindow-decision')).toBe('WINDOW_CLOSED')
      expect(first.headers.get('x-carewindow-decision')).toBe('WINDOW_CLOSED')
    })

    it('replays a key answered before results were kept with the reply it kept, as it kept it', async () => {
      const first = await postMessage(server.url, body, { idempotencyKey: key })
      // The form a key's answer was kept in before 0009: the reply as sent, and no result.
      const kept = first.text.replaceAll("'", "''")
      await database.execute(
        `update idempotency_keys set response_status = ${first.status}, response_body = '${kept}', result_json = null where key = '${key}'`,
      )

      const second = await postMessage(server.url, body, { idempotencyKey: key })

      expect(second.status).toBe(first.status)
      expect(second.text).toBe(first.text)
      expect(second.headers.get('idempotent-replayed')).toBe('true')
      expect(second.headers.get('x-carewindow-message-id')).toBe(first.headers.get('x-carewindow-message-id'))
      expect(second.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
      expect(graph.acceptedBodies(body)).toBe(1)
      expect(await messageRows(body)).toBe(1)
    })

    it('does not remember a 502, so a retry with the same key is sent once Graph is back', async () => {
      graph.failNext(3)

      const failed = await postMessage(server.url, body, { idempotencyKey: key })
      const retried = await postMessage(server.url, body, { idempotencyKey: key })

      expect(failed.status).toBe(502)
      expect(retried.status).toBe(200)
      expect(retried.headers.get('idempotent-replayed')).toBeNull()
      expect(graph.acceptedBodies(body)).toBe(1)
    })

    it('does not remember Graph’s 429: it passes Retry-After on, and a retry with the same key is sent', async () => {
      graph.rateLimitNext(23)

      const limited = await postMessage(server.url, body, { idempotencyKey: key })
      const retried = await postMessage(server.url, body, { idempotencyKey: key })

      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).toBe('23')
      expect(retried.status).toBe(200)
      expect(retried.headers.get('idempotent-replayed')).toBeNull()
      expect(graph.acceptedBodies(body)).toBe(1)
      expect(await messageRows(body)).toBe(2)
    })
  })
