import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import {
  APP_SECRET,
  channelOf,
  Cleanup,
  createE2eDatabase,
  type E2eDatabase,
  graphErrorOf,
  HOUR_MS,
  type HttpAnswer,
  inboundTextNotification,
  metaSignature,
  OTHER_APP_SECRET,
  PHONE_NUMBER_ID,
  POSTMAN_PHONE_NUMBER_ID,
  postMessage,
  postWebhook,
  startTestGateway,
  textMessage,
  ticketUpdate,
  UNKNOWN_APP_SECRET,
  VERIFY_TOKEN,
  WEBHOOK_SECRET,
  windowFromApi,
  windowOf,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'
import {
  CLICK_TO_WHATSAPP_AD,
  ESCAPED_UNICODE_TEXT,
  INBOUND_TEXT,
  POSTMAN_QUICK_REPLY_BUTTON,
  POSTMAN_TEXT,
  RAW_UTF8_TEXT,
  STATUS_FAILED,
  STATUS_READ,
  STATUS_SENT,
  TEMPLATE_PAUSED,
  USER_PREFERENCES_STOP,
} from './fixtures/meta-examples.js'

const DAY_MS = 24 * HOUR_MS
const SENT_WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA='
const FAILED_WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA'

/** Every example, in the order Meta could send them. */
const EXAMPLES = {
  'inbound text': INBOUND_TEXT,
  'click-to-WhatsApp ad message': CLICK_TO_WHATSAPP_AD,
  'Postman text': POSTMAN_TEXT,
  'Postman quick-reply button': POSTMAN_QUICK_REPLY_BUTTON,
  'status sent': STATUS_SENT,
  'status read': STATUS_READ,
  'status failed': STATUS_FAILED,
  'user_preferences stop': USER_PREFERENCES_STOP,
  message_template_status_update: TEMPLATE_PAUSED,
  'text with escaped non-ASCII': ESCAPED_UNICODE_TEXT,
  'text with raw UTF-8': RAW_UTF8_TEXT,
} as const

describe('Meta webhooks through carewindow', { timeout: 60_000 }, () => {
  let database: E2eDatabase
  let graph: FakeGraph
  let receiver: WebhookReceiver
  let server: RunningServer
  const cleanup = new Cleanup()

  beforeAll(async () => {
    database = await createE2eDatabase('sqlite')
    cleanup.add(() => database.destroy())
    graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
    cleanup.add(() => receiver.close())
    server = await startTestGateway({
      databaseUrl: database.url,
      graphUrl: graph.url,
      webhookUrl: receiver.url,
    })
  })

  afterAll(() => cleanup.run())

  const inboundMessage = async (phoneNumberId: string, wamid: string) =>
    server.gateway.store.findMessageByExternalId(
      (await channelOf(server, phoneNumberId)).id,
      'inbound',
      wamid,
    )

  it('answers Meta’s verification handshake with the challenge, and refuses a wrong verify token', async () => {
    const query = (token: string) =>
      `hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`

    const good = await fetch(`${server.url}/webhooks/whatsapp?${query(VERIFY_TOKEN)}`)
    const bad = await fetch(`${server.url}/webhooks/whatsapp?${query('meatyhamhock')}`)

    expect(good.status).toBe(200)
    expect(await good.text()).toBe('1158201444')
    expect(bad.status).toBe(403)
  })

  describe('every Meta example payload, signed', () => {
    const answers = new Map<string, HttpAnswer>()
    let notificationsBefore: number

    beforeAll(async () => {
      // Two messages carewindow sent, so that the status examples find them: Graph answers with their wamids.
      graph.useMessageIds(SENT_WAMID, FAILED_WAMID)
      for (const ticket of ['T-1', 'T-2']) {
        const sent = await postMessage(server.url, ticketUpdate('16505551234', ticket))
        expect(sent.status).toBe(200)
      }
      notificationsBefore = await database.count('webhook_notifications')
      for (const [name, body] of Object.entries(EXAMPLES))
        answers.set(name, await postWebhook(server.url, body, { secret: APP_SECRET }))
      await server.gateway.inbox.drain()
    })

    it.each(Object.keys(EXAMPLES))('acknowledges the %s example with 200', (name) => {
      expect(answers.get(name)).toMatchObject({ status: 200, text: 'EVENT_RECEIVED' })
    })

    it('stores every notification exactly as received', async () => {
      expect(await database.count('webhook_notifications')).toBe(
        notificationsBefore + Object.keys(EXAMPLES).length,
      )
      expect(await server.gateway.store.countPendingNotifications()).toBe(0)
    })

    it('stores each inbound message once, under Meta’s message id', async () => {
      const inbound = [
        [PHONE_NUMBER_ID, 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA='],
        [PHONE_NUMBER_ID, 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA='],
        [POSTMAN_PHONE_NUMBER_ID, 'wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W'],
        [POSTMAN_PHONE_NUMBER_ID, 'wamid.ABGGFlCGg0cvAgo-sHWxBA2VFD_S'],
        [PHONE_NUMBER_ID, 'wamid.HBgLNDY3MDEyMzQ1NjcVAgASGBQzQUVTQ0FQRURVTklDT0RFMDAxAA=='],
        [PHONE_NUMBER_ID, 'wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQVJBV1VURjhFTU9KSTAwMQA='],
      ] as const
      for (const [phoneNumberId, wamid] of inbound) {
        expect(await database.count('messages', { direction: 'inbound', external_id: wamid })).toBe(1)
        expect(await inboundMessage(phoneNumberId, wamid)).toMatchObject({ status: 'received' })
      }
    })

    it('opens each window at the latest customer message’s own timestamp, per business number', async () => {
      const expectations = [
        // The ad message (2025-06-18) is later than the inbound text (2025-06-08): it sets the window.
        [PHONE_NUMBER_ID, '16505551234', 1_750_275_992_000],
        [POSTMAN_PHONE_NUMBER_ID, '16315551234', 1_603_087_229_000],
        [PHONE_NUMBER_ID, '46701234567', 1_750_300_000_000],
        [PHONE_NUMBER_ID, '33612345678', 1_750_300_100_000],
      ] as const
      for (const [phoneNumberId, contact, at] of expectations) {
        expect(await windowOf(server, phoneNumberId, contact)).toMatchObject({
          lastUserMessageAt: at,
          expiresAt: at + DAY_MS,
        })
        expect(await windowFromApi(server.url, phoneNumberId, contact)).toMatchObject({
          status: 200,
          window: {
            last_user_message_at: new Date(at).toISOString(),
            expires_at: new Date(at + DAY_MS).toISOString(),
          },
        })
      }
    })

    it('reads non-ASCII text the same whether Meta escaped it or sent raw UTF-8', async () => {
      const escaped = await inboundMessage(
        PHONE_NUMBER_ID,
        'wamid.HBgLNDY3MDEyMzQ1NjcVAgASGBQzQUVTQ0FQRURVTklDT0RFMDAxAA==',
      )
      const raw = await inboundMessage(
        PHONE_NUMBER_ID,
        'wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQVJBV1VURjhFTU9KSTAwMQA=',
      )
      const channel = await channelOf(server, PHONE_NUMBER_ID)

      expect(JSON.parse(escaped!.bodyJson!)).toMatchObject({ text: { body: 'Har ni den i äöå?' } })
      expect(JSON.parse(raw!.bodyJson!)).toMatchObject({ text: { body: 'Café ☕ ou thé 🍵 — ça marche ?' } })
      expect(await server.gateway.store.getContact(channel.id, '46701234567')).toMatchObject({
        profileName: 'Åsa Löfgren',
      })
      expect(await server.gateway.store.getContact(channel.id, '33612345678')).toMatchObject({
        profileName: 'Zoé',
      })
    })

    it('applies the statuses to the messages carewindow sent, keeping Meta’s pricing and errors', async () => {
      const channel = await channelOf(server, PHONE_NUMBER_ID)
      const sent = await server.gateway.store.findMessageByExternalId(channel.id, 'outbound', SENT_WAMID)
      const failed = await server.gateway.store.findMessageByExternalId(channel.id, 'outbound', FAILED_WAMID)

      expect(sent).toMatchObject({ status: 'sent', statusAt: 1_750_030_073_000 })
      expect(JSON.parse(sent!.metaPricingJson!)).toEqual({
        billable: true,
        pricing_model: 'PMP',
        type: 'regular',
        category: 'marketing',
      })
      expect(failed).toMatchObject({ status: 'failed', statusAt: 1_751_142_888_000 })
      expect(JSON.parse(failed!.errorJson!)).toMatchObject([{ code: 131049 }])
    })

    it('records the user_preferences stop as a marketing opt-out, so marketing templates are refused with 131050', async () => {
      expect(await database.count('consent_events', { contact_id: '16505551234', kind: 'opt_out' })).toBe(1)

      const marketing = await postMessage(
        server.url,
        JSON.stringify({
          messaging_product: 'whatsapp',
          to: '16505551234',
          type: 'template',
          template: {
            name: 'autumn_sale',
            language: { code: 'en' },
            components: [{ type: 'body', parameters: [{ type: 'text', text: 'Sheena' }] }],
          },
        }),
      )

      expect(marketing.status).toBe(400)
      expect(graphErrorOf(marketing).code).toBe(131050)
    })

    it('pauses the template named by message_template_status_update, so it is refused with 132015', async () => {
      const paused = await postMessage(
        server.url,
        JSON.stringify({
          messaging_product: 'whatsapp',
          to: '16505551234',
          type: 'template',
          template: {
            name: 'order_confirmation',
            language: { code: 'en_US' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: 'A-1' },
                  { type: 'text', text: 'Monday' },
                ],
              },
            ],
          },
        }),
      )

      expect(paused.status).toBe(400)
      expect(graphErrorOf(paused).code).toBe(132015)
    })

    it('relays every notification to the business byte for byte, signed with the tenant’s secret', async () => {
      const bodies: string[] = Object.values(EXAMPLES)
      await waitFor('every example relayed', () =>
        bodies.every((body) => receiver.deliveredBodies().includes(body)),
      )

      for (const body of bodies) {
        const relayed = receiver.delivered.filter((delivery) => delivery.body.toString('utf8') === body)
        expect(relayed).toHaveLength(1)
        expect(relayed[0]).toMatchObject({
          isSignatureValid: true,
          event: 'whatsapp.notification',
          contentType: 'application/json',
        })
        expect(relayed[0]!.signature).toBe(metaSignature(body, WEBHOOK_SECRET))
      }
    })
  })

  describe('a notification that Meta did not sign for carewindow', () => {
    const body = inboundTextNotification({ id: 'wamid.forged-0001', from: '31612345678', atMs: Date.now() })
    const cases: readonly [string, Record<string, string> | null][] = [
      ['without a signature', null],
      ['with a signature of other bytes', { signature: metaSignature(`${body} `, APP_SECRET) }],
      ['with a malformed signature', { signature: 'sha256=not-hex-at-all' }],
      ['with an old SHA-1 signature', { signature: 'sha1=0123456789abcdef0123456789abcdef01234567' }],
      ['signed with the secret of an app carewindow does not know', { secret: UNKNOWN_APP_SECRET }],
    ]

    it.each(cases)('is refused with 401 and nothing stored when it comes %s', async (_name, signing) => {
      await server.gateway.inbox.drain()
      const before = await database.counts()

      const answer = await postWebhook(
        server.url,
        body,
        signing as { secret: string } | { signature: string } | null,
      )
      await server.gateway.inbox.drain()

      expect(answer.status).toBe(401)
      expect(graphErrorOf(answer)).toMatchObject({ code: 190, type: 'OAuthException' })
      expect(graphErrorOf(answer).error_data?.details).toMatch(/X-Hub-Signature-256/)
      expect(await database.counts()).toEqual(before)
    })

    it('is stored but changes nothing for a number whose app did not sign it (another tenant’s app)', async () => {
      const forged = inboundTextNotification({
        id: 'wamid.cross-tenant-0001',
        from: '31687654321',
        atMs: Date.now(),
      })
      const delivered = receiver.deliveredNotifications().length

      const answer = await postWebhook(server.url, forged, { secret: OTHER_APP_SECRET })
      await server.gateway.inbox.drain()

      expect(answer.status).toBe(200)
      expect(await database.count('messages', { external_id: 'wamid.cross-tenant-0001' })).toBe(0)
      expect(await windowOf(server, PHONE_NUMBER_ID, '31687654321')).toBeUndefined()
      // Nothing to relay: the one later delivery we wait for proves the outbox had its chance.
      const marker = inboundTextNotification({
        id: 'wamid.after-cross-tenant',
        from: '31687654322',
        atMs: Date.now(),
      })
      await postWebhook(server.url, marker, { secret: APP_SECRET })
      await waitFor('the marker relayed', () => receiver.deliveredNotifications().includes(marker))
      expect(receiver.deliveredNotifications().slice(delivered)).toEqual([marker])
    })
  })

  it('stores one inbound message when Meta retries the same notification', async () => {
    const body = inboundTextNotification({
      id: 'wamid.retried-0001',
      from: '31611112222',
      atMs: Date.now() - HOUR_MS,
    })
    const notifications = await database.count('webhook_notifications')

    const first = await postWebhook(server.url, body, { secret: APP_SECRET })
    const retry = await postWebhook(server.url, body, { secret: APP_SECRET })
    await server.gateway.inbox.drain()

    expect([first.status, retry.status]).toEqual([200, 200])
    expect(await database.count('webhook_notifications')).toBe(notifications + 2)
    expect(await database.count('messages', { external_id: 'wamid.retried-0001' })).toBe(1)
  })

  it('never shortens a window when a late, older customer message arrives', async () => {
    const latest = Date.now() - HOUR_MS
    const older = latest - 20 * HOUR_MS
    const customer = '447700900123'

    await postWebhook(
      server.url,
      inboundTextNotification({ id: 'wamid.late-2', from: customer, atMs: latest }),
      {
        secret: APP_SECRET,
      },
    )
    await postWebhook(
      server.url,
      inboundTextNotification({ id: 'wamid.late-1', from: customer, atMs: older }),
      {
        secret: APP_SECRET,
      },
    )
    await server.gateway.inbox.drain()

    const latestSeconds = Math.floor(latest / 1000) * 1000
    expect(await windowOf(server, PHONE_NUMBER_ID, customer)).toMatchObject({
      lastUserMessageAt: latestSeconds,
      expiresAt: latestSeconds + DAY_MS,
    })
    expect(await database.count('messages', { contact_id: customer, direction: 'inbound' })).toBe(2)
    const reply = await postMessage(server.url, textMessage(customer, 'Thanks, looking into it'))
    expect(reply.status).toBe(200)
  })
})
