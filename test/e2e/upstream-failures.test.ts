import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import { GRAPH_UNDELIVERABLE } from '../support/fake-graph.js'
import {
  APP_SECRET,
  CHANNEL_ACCESS_TOKEN,
  Cleanup,
  type E2eDatabase,
  graphErrorOf,
  type HttpAnswer,
  inboundTextNotification,
  postMessage,
  postWebhook,
  startE2eStack,
  textMessage,
} from '../support/test-gateway.js'

const CUSTOMER = '31612345678'

describe.each(['sqlite', 'postgres'] as const)('when Graph fails (%s)', { timeout: 60_000 }, (dialect) => {
  let database: E2eDatabase
  let graph: FakeGraph
  let server: RunningServer
  const cleanup = new Cleanup()
  let sequence = 0
  let body: string

  beforeAll(async () => {
    // With rate cards, so every send has a price: one that was not sent is not billed.
    ;({ database, graph, server } = await startE2eStack(dialect, cleanup, {
      overrides: { rate_cards: 'sample' },
    }))
    const opened = await postWebhook(
      server.url,
      inboundTextNotification({
        from: CUSTOMER,
        id: 'wamid.window-opener',
        atMs: Date.now() - 60_000,
        text: 'Where is my order?',
        profileName: 'Femke',
      }),
      { secret: APP_SECRET },
    )
    expect(opened.status).toBe(200)
  })

  afterAll(() => cleanup.run())

  beforeEach(() => {
    graph.reset()
    sequence++
    body = textMessage(CUSTOMER, `Update number ${sequence} on your order`)
  })

  /** Graph's requests carrying this test's message. */
  const attempts = () => graph.requests.filter((request) => request.body.toString('utf8') === body)
  const messageOf = (answer: HttpAnswer) =>
    server.gateway.store.getMessage(answer.headers.get('x-carewindow-message-id')!)

  it('retries two 500s and the third attempt reaches Graph: accepted exactly once, the client gets 200', async () => {
    graph.failNext(2)

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(200)
    expect(attempts().map((request) => request.status)).toEqual([500, 500, 200])
    expect(graph.acceptedBodies(body)).toBe(1)
    expect(JSON.parse(answer.text)).toMatchObject({ messages: [{ id: attempts()[2]!.wamid }] })
    expect(await messageOf(answer)).toMatchObject({
      status: 'accepted',
      externalId: attempts()[2]!.wamid,
      priceMicros: expect.any(Number) as unknown,
    })
  })

  it('does not send again after an attempt Graph never answers: 504 with the message id, recorded as unknown', async () => {
    graph.hangNext(1)

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(504)
    const error = graphErrorOf(answer)
    expect(error).toMatchObject({ code: 2, error_data: { messaging_product: 'whatsapp' } })
    const messageId = answer.headers.get('x-carewindow-message-id')!
    expect(error.error_data?.details).toContain(`message ${messageId}: no answer within 300 ms`)
    expect(error.error_data?.details).toContain('Graph may or may not have taken the message')
    expect(attempts().map((request) => request.status)).toEqual([null])
    // It may have gone out, so it keeps its price.
    expect(await messageOf(answer)).toMatchObject({
      allowed: true,
      status: 'unknown',
      priceMicros: expect.any(Number) as unknown,
    })
  })

  it('does not send again when Graph took the message and the connection dropped before its answer', async () => {
    graph.takeThenResetNext()

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(504)
    expect(graphErrorOf(answer).error_data?.details).toMatch(/broke before Graph answered/)
    expect(attempts()).toHaveLength(1)
    expect(graph.acceptedBodies(body)).toBe(1)
    expect(await messageOf(answer)).toMatchObject({ status: 'unknown' })
  })

  it('records a 200 whose body is not JSON as an upstream error: 504, unknown, never sent again', async () => {
    graph.takeThenGarbleNext()

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(504)
    expect(graphErrorOf(answer).error_data?.details).toContain(
      'Graph answered 200 without a message id carewindow could read ("<html><body>Service Unavailable</body></html>")',
    )
    expect(attempts()).toHaveLength(1)
    const stored = await messageOf(answer)
    expect(stored).toMatchObject({ status: 'unknown', externalId: null })
    expect(JSON.parse(stored?.errorJson ?? '{}')).toMatchObject({
      upstream: expect.stringContaining('without a message id') as string,
    })
  })

  it('passes Graph’s 429 on with its Retry-After, records the message as failed, and does not retry it', async () => {
    graph.rateLimitNext(17)

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('17')
    expect(graphErrorOf(answer).code).toBe(130429)
    expect(answer.headers.get('x-carewindow-message-id')).toMatch(/^msg_/)
    expect(attempts()).toHaveLength(1)
    expect(await messageOf(answer)).toMatchObject({ status: 'failed', priceMicros: null })
  })

  it('answers 502 with Graph’s envelope (code 2) when every attempt fails, and records the message as failed, unbilled', async () => {
    graph.failNext(3)

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(502)
    expect(graphErrorOf(answer)).toMatchObject({
      code: 2,
      type: 'OAuthException',
      message: '(#2) Service temporarily unavailable',
      error_data: { messaging_product: 'whatsapp' },
    })
    expect(graphErrorOf(answer).error_data?.details).toContain('after 3 attempts')
    expect(attempts()).toHaveLength(3)
    expect(graph.acceptedBodies(body)).toBe(0)
    expect(await messageOf(answer)).toMatchObject({ allowed: true, status: 'failed', priceMicros: null })
  })

  it('never sends a refused message to Graph', async () => {
    const stranger = textMessage('491701234567', 'Hello from a business you never wrote to')

    const answer = await postMessage(server.url, stranger)

    expect(answer.status).toBe(400)
    expect(graphErrorOf(answer).code).toBe(131047)
    expect(graph.requests).toHaveLength(0)
    expect(await messageOf(answer)).toMatchObject({ allowed: false, status: 'refused' })
  })

  it('passes Graph’s own 4xx error through unchanged, without retrying', async () => {
    graph.answerNextWithError(GRAPH_UNDELIVERABLE)

    const answer = await postMessage(server.url, body)

    expect(answer.status).toBe(GRAPH_UNDELIVERABLE.status)
    expect(answer.text).toBe(JSON.stringify(GRAPH_UNDELIVERABLE.body))
    expect(attempts()).toHaveLength(1)
    expect(attempts()[0]!.authorization).toBe(`Bearer ${CHANNEL_ACCESS_TOKEN}`)
    expect(await messageOf(answer)).toMatchObject({
      status: 'failed',
      errorJson: JSON.stringify(GRAPH_UNDELIVERABLE.body),
    })
  })

  it('keeps the window open for the next message after Graph failed one', async () => {
    graph.failNext(3)
    await postMessage(server.url, body)

    const next = await postMessage(server.url, textMessage(CUSTOMER, 'Trying again'))

    expect(next.status).toBe(200)
    expect(await database.count('messages', { contact_id: CUSTOMER, status: 'accepted' })).toBeGreaterThan(0)
  })
})
