import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WhatsAppAPI } from 'whatsapp-api-js'
import { BodyComponent, BodyParameter, Template, Text } from 'whatsapp-api-js/messages'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import {
  API_KEY,
  APP_SECRET,
  CHANNEL_ACCESS_TOKEN,
  Cleanup,
  HOUR_MS,
  PHONE_NUMBER_ID,
  postWebhook,
  startE2eStack,
  TestClock,
  VERIFY_TOKEN,
  windowFromApi,
  windowOf,
  type Dialect,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { INBOUND_TEXT } from './fixtures/meta-examples.js'

/** The customer of Meta's inbound text example, and the instant (ms) of that message. */
const CUSTOMER = '16505551234'
const INBOUND_AT = 1_749_416_383_000

interface ClientExchange {
  readonly url: string
  readonly body: string
  readonly status: number
  readonly headers: Headers
}

/**
 * A business's unchanged `whatsapp-api-js` code, pointed at carewindow through the library's `ponyfill.fetch`
 * (it has no base-URL option): every request to https://graph.facebook.com goes to carewindow instead.
 */
function whatsappClient(serverUrl: string): { api: WhatsAppAPI; exchanges: ClientExchange[] } {
  const exchanges: ClientExchange[] = []
  const rewritingFetch: typeof fetch = async (input, init) => {
    const original = input instanceof Request ? input.url : String(input)
    const url = original.replace('https://graph.facebook.com', serverUrl)
    const response = await fetch(url, init)
    exchanges.push({
      url,
      body: typeof init?.body === 'string' ? init.body : '',
      status: response.status,
      headers: response.headers,
    })
    return response
  }
  const api = new WhatsAppAPI({
    token: API_KEY,
    appSecret: APP_SECRET,
    webhookVerifyToken: VERIFY_TOKEN,
    v: 'v21.0',
    ponyfill: { fetch: rewritingFetch, subtle: crypto.subtle },
  })
  return { api, exchanges }
}

const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres']

for (const dialect of DIALECTS) {
  describe(`the Graph-compatible proxy driven by whatsapp-api-js (${dialect})`, { timeout: 60_000 }, () => {
    let database: E2eDatabase
    let graph: FakeGraph
    let server: RunningServer
    const cleanup = new Cleanup()
    let client: ReturnType<typeof whatsappClient>
    const clock = new TestClock()

    beforeAll(async () => {
      // The day of Meta's example, five minutes after the customer's message.
      clock.setTo(INBOUND_AT + 5 * 60_000)
      ;({ database, graph, server } = await startE2eStack(dialect, cleanup, { clock: clock.now }))
      client = whatsappClient(server.url)
    })

    afterAll(() => cleanup.run())

    const lastExchange = () => client.exchanges.at(-1)!

    it('refuses a text to a customer who never wrote with Graph’s 131047 and carewindow’s reason, sending nothing', async () => {
      const reply = await client.api.sendMessage(
        PHONE_NUMBER_ID,
        CUSTOMER,
        new Text('Your parcel is on its way'),
      )

      expect(lastExchange().status).toBe(400)
      expect(reply.error).toMatchObject({
        code: 131047,
        type: 'OAuthException',
        message: '(#131047) Re-engagement message',
        error_data: {
          messaging_product: 'whatsapp',
          details: 'The recipient has never replied to the sender number, so only templates can be sent.',
        },
      })
      expect(lastExchange().headers.get('x-carewindow-decision')).toBe('WINDOW_CLOSED')
      expect(graph.requests).toHaveLength(0)
    })

    it('accepts Meta’s signed inbound text example and opens the window at the message’s own timestamp', async () => {
      const answer = await postWebhook(server.url, INBOUND_TEXT, { secret: APP_SECRET })

      expect(answer).toMatchObject({ status: 200, text: 'EVENT_RECEIVED' })
      await server.gateway.inbox.drain()
      const window = await windowOf(server, PHONE_NUMBER_ID, CUSTOMER)
      expect(window).toMatchObject({ lastUserMessageAt: INBOUND_AT, expiresAt: INBOUND_AT + 24 * HOUR_MS })
      expect(await windowFromApi(server.url, PHONE_NUMBER_ID, CUSTOMER)).toMatchObject({
        status: 200,
        window: {
          state: 'open',
          type: 'customer_care',
          last_user_message_at: '2025-06-08T20:59:43.000Z',
          expires_at: '2025-06-09T20:59:43.000Z',
        },
      })
    })

    it('then forwards the same text to Graph exactly once, byte for byte, with the channel’s own access token', async () => {
      const reply = await client.api.sendMessage(
        PHONE_NUMBER_ID,
        CUSTOMER,
        new Text('Your parcel is on its way'),
      )

      expect(reply.error).toBeUndefined()
      expect(lastExchange().status).toBe(200)
      expect(lastExchange().headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
      expect(graph.accepted).toHaveLength(1)
      const forwarded = graph.accepted[0]!
      expect(reply).toMatchObject({ messaging_product: 'whatsapp', messages: [{ id: forwarded.wamid }] })
      expect(forwarded.authorization).toBe(`Bearer ${CHANNEL_ACCESS_TOKEN}`)
      expect(forwarded.authorization).not.toContain(API_KEY)
      expect(forwarded).toMatchObject({ version: 'v21.0', phoneNumberId: PHONE_NUMBER_ID })
      expect(forwarded.body.toString('utf8')).toBe(lastExchange().body)
      const messageId = lastExchange().headers.get('x-carewindow-message-id')!
      expect(await server.gateway.store.getMessage(messageId)).toMatchObject({
        direction: 'outbound',
        allowed: true,
        reason: 'IN_CARE_WINDOW',
        status: 'accepted',
        externalId: forwarded.wamid,
      })
    })

    it('refuses a template to a contact without opt-in once the window has closed', async () => {
      clock.advance(25 * HOUR_MS)
      expect((await windowFromApi(server.url, PHONE_NUMBER_ID, CUSTOMER)).window).toMatchObject({
        state: 'closed',
      })
      const template = new Template(
        'order_confirmation',
        'en_US',
        new BodyComponent(new BodyParameter('A-1001'), new BodyParameter('Monday')),
      )

      const reply = await client.api.sendMessage(PHONE_NUMBER_ID, CUSTOMER, template)

      expect(lastExchange().status).toBe(400)
      expect(lastExchange().headers.get('x-carewindow-decision')).toBe('NO_OPT_IN')
      expect(reply.error?.code).toBe(100)
      expect(reply.error?.error_data.details).toMatch(/opt/i)
      expect(graph.requests).toHaveLength(1)
    })

    it('allows an Issue Resolution template after the window without opt-in and forwards it once', async () => {
      const template = new Template(
        'ticket_update',
        'en',
        new BodyComponent(new BodyParameter('T-42', 'ticket_id')),
      )

      const reply = await client.api.sendMessage(PHONE_NUMBER_ID, CUSTOMER, template)

      expect(reply.error).toBeUndefined()
      expect(lastExchange().status).toBe(200)
      expect(lastExchange().headers.get('x-carewindow-decision')).toBe('ISSUE_RESOLUTION_TEMPLATE')
      expect(graph.accepted).toHaveLength(2)
      expect(graph.accepted[1]!.body.toString('utf8')).toBe(lastExchange().body)
      expect(JSON.parse(lastExchange().body)).toMatchObject({
        type: 'template',
        template: { name: 'ticket_update', language: { code: 'en' } },
      })
      expect(await database.count('messages', { direction: 'outbound' })).toBe(4)
      expect(await database.count('messages', { direction: 'outbound', status: 'refused' })).toBe(2)
    })
  })
}
