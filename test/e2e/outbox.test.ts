import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WhatsAppAPI } from 'whatsapp-api-js'
import type { PostData } from 'whatsapp-api-js/types'
import type { RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import {
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  PHONE_NUMBER_ID,
  postWebhook,
  startTestGateway,
  WEBHOOK_SECRET,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

let sequence = 0

/** A signed-to-be inbound text notification with a message id of its own. */
function notification(): { readonly id: string; readonly body: string } {
  sequence++
  const id = `wamid.outbox-${sequence}-${Date.now()}`
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Noor' }, wa_id: '31634567890' }],
              messages: [
                {
                  from: '31634567890',
                  id,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: `Message ${sequence}` },
                },
              ],
            },
          },
        ],
      },
    ],
  })
  return { id, body }
}

describe('the outbox relaying notifications to the business', { timeout: 60_000 }, () => {
  let database: E2eDatabase
  let graph: FakeGraph
  let receiver: WebhookReceiver
  let server: RunningServer
  const cleanup = new Cleanup()

  const start = async () =>
    startTestGateway({ databaseUrl: database.url, graphUrl: graph.url, webhookUrl: receiver.url })

  beforeAll(async () => {
    database = await createE2eDatabase('sqlite')
    cleanup.add(() => database.destroy())
    graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
    cleanup.add(() => receiver.close())
    server = await start()
    cleanup.add(() => server.close())
  })

  afterAll(() => cleanup.run())

  const attemptsFor = (body: string) =>
    receiver.attempts.filter((attempt) => attempt.body.toString('utf8') === body)

  it('relays a notification byte for byte, signed so that the business’s whatsapp-api-js accepts it', async () => {
    const { id, body } = notification()
    const seen: string[] = []
    const business = new WhatsAppAPI({
      token: 'unused',
      appSecret: WEBHOOK_SECRET,
      v: 'v21.0',
      ponyfill: { subtle: crypto.subtle },
    })
    business.on.message = ({ message }) => {
      seen.push(message.id)
    }

    expect((await postWebhook(server.url, body, { secret: APP_SECRET })).status).toBe(200)
    const [delivery] = await waitFor('the relay', () => {
      const delivered = attemptsFor(body).filter((attempt) => attempt.status === 200)
      return delivered.length > 0 ? delivered : null
    })

    expect(delivery!.isSignatureValid).toBe(true)
    await business.post(JSON.parse(body) as PostData, delivery!.body.toString('utf8'), delivery!.signature!)
    expect(seen).toEqual([id])
  })

  it('retries a delivery the business failed three times, with backoff, and delivers it once', async () => {
    const { body } = notification()
    receiver.failNext(3)

    expect((await postWebhook(server.url, body, { secret: APP_SECRET })).status).toBe(200)
    await waitFor('the delivery', () => attemptsFor(body).some((attempt) => attempt.status === 200))

    const attempts = attemptsFor(body)
    expect(attempts.map((attempt) => attempt.status)).toEqual([500, 500, 500, 200])
    expect(new Set(attempts.map((attempt) => attempt.deliveryId)).size).toBe(1)
    expect(attempts.every((attempt) => attempt.isSignatureValid)).toBe(true)
    await waitFor('the delivery recorded', async () => {
      const [recorded] = await server.gateway.store.listDeliveries('acme', 1)
      return recorded?.status === 'delivered' && recorded.payload === body
    })
    const [recorded] = await server.gateway.store.listDeliveries('acme', 1)
    expect(recorded).toMatchObject({ status: 'delivered', attempts: 4 })
  })

  it('delivers, after a restart on the same database, what was still pending when it stopped', async () => {
    receiver.setDown(true)
    const pending = [notification(), notification(), notification()]
    for (const { body } of pending)
      expect((await postWebhook(server.url, body, { secret: APP_SECRET })).status).toBe(200)
    await waitFor('a failed attempt for each', () =>
      pending.every(({ body }) => attemptsFor(body).some((attempt) => attempt.status === 503)),
    )

    await server.close()
    expect(await database.count('webhook_deliveries', { status: 'pending' })).toBe(pending.length)
    receiver.setDown(false)
    server = await start()

    await waitFor('every pending delivery delivered', () =>
      pending.every(({ body }) => attemptsFor(body).some((attempt) => attempt.status === 200)),
    )
    for (const { body } of pending) {
      const delivered = attemptsFor(body).filter((attempt) => attempt.status === 200)
      expect(delivered).toHaveLength(1)
      expect(delivered[0]!.isSignatureValid).toBe(true)
    }
    await waitFor(
      'no delivery pending',
      async () => (await database.count('webhook_deliveries', { status: 'pending' })) === 0,
    )
  })
})
