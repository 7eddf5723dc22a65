import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  inboundTextNotification,
  postWebhook,
  startTestGateway,
  WEBHOOK_SECRET,
} from '../support/test-gateway.js'
import { FakeGraph } from '../support/fake-graph.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

/** Attempts before the outbox gives a delivery up, kept small so the test sees one die. */
const MAX_ATTEMPTS = 3

interface DeliveryJson {
  readonly id: string
  readonly status: string
  readonly event_type: string
  readonly attempts: number
  readonly last_error: string | null
  readonly payload?: unknown
}

describe.each(['sqlite', 'postgres'] as const)(
  'a delivery the business’s webhook refused until it died, re-driven by an operator (%s)',
  { timeout: 90_000 },
  (dialect) => {
    let receiver: WebhookReceiver
    let server: RunningServer
    const cleanup = new Cleanup()

    const api = async (method: 'GET' | 'POST', path: string) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}` },
      })
      return { status: response.status, json: (await response.json()) as Record<string, unknown> }
    }
    const deadDeliveries = async () =>
      (await api('GET', '/v1/dead-deliveries')).json.data as readonly DeliveryJson[]

    beforeAll(async () => {
      const database = await createE2eDatabase(dialect)
      cleanup.add(() => database.destroy())
      const graph = await FakeGraph.start()
      cleanup.add(() => graph.close())
      receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
      cleanup.add(() => receiver.close())
      server = await startTestGateway({
        databaseUrl: database.url,
        graphUrl: graph.url,
        webhookUrl: receiver.url,
        overrides: { outbox: { poll_interval_ms: 50, backoff_base_ms: 20, max_attempts: MAX_ATTEMPTS } },
      })
      cleanup.add(() => server.close())
    })

    afterAll(() => cleanup.run())

    it('delivers the notification exactly once after the re-drive, with the id of its failed attempts', async () => {
      receiver.setDown(true)
      const body = inboundTextNotification({
        from: '31655555555',
        id: `wamid.redrive-${dialect}`,
        atMs: Date.now(),
      })
      expect((await postWebhook(server.url, body, { secret: APP_SECRET })).status).toBe(200)
      const attemptsOf = () => receiver.attempts.filter((attempt) => attempt.body.toString('utf8') === body)

      // Every attempt fails (503) until the outbox gives the relay up; it is listed with why.
      const relay = await waitFor('the relay to be given up', async () =>
        (await deadDeliveries()).find((delivery) => delivery.event_type === 'whatsapp.notification'),
      )
      expect(relay).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS })
      expect(relay.last_error).toBe(`${receiver.url} answered 503`)
      expect((await api('GET', `/v1/dead-deliveries/${relay.id}`)).json.payload).toEqual(JSON.parse(body))
      expect(attemptsOf().map((attempt) => attempt.status)).toEqual(Array(MAX_ATTEMPTS).fill(503))
      const metrics = await (await fetch(`${server.url}/metrics`)).text()
      expect(metrics).toMatch(/^carewindow_outbox_dead_deliveries [1-9]\d*$/m)

      // The webhook works again; the operator re-drives the relay, then whatever else died meanwhile.
      receiver.setDown(false)
      const redriven = await api('POST', `/v1/dead-deliveries/${relay.id}/redrive`)
      expect(redriven).toMatchObject({ status: 200, json: { id: relay.id, status: 'pending', attempts: 0 } })
      await waitFor('the relay delivered', () => attemptsOf().some((attempt) => attempt.status === 200))
      const others = await deadDeliveries()
      const rest = await api('POST', '/v1/dead-deliveries/redrive')
      expect(rest).toMatchObject({ status: 200, json: { remaining: 0 } })
      // An event whose last attempt was on its way when the webhook came back may have died since the list.
      expect(rest.json.redriven).toBeGreaterThanOrEqual(others.length)
      await waitFor('the others delivered', () =>
        others.every((other) => receiver.delivered.some((delivery) => delivery.deliveryId === other.id)),
      )

      // Once, although the outbox has been round several times since; the same delivery id throughout.
      const attempts = attemptsOf()
      expect(attempts.map((attempt) => attempt.status)).toEqual([
        ...Array<number>(MAX_ATTEMPTS).fill(503),
        200,
      ])
      expect(new Set(attempts.map((attempt) => attempt.deliveryId))).toEqual(new Set([relay.id]))
      expect(attempts.every((attempt) => attempt.isSignatureValid)).toBe(true)
      expect(await deadDeliveries()).toEqual([])
      expect(await server.gateway.store.getDelivery('acme', relay.id)).toMatchObject({
        status: 'delivered',
        attempts: 1,
      })
      expect((await api('POST', `/v1/dead-deliveries/${relay.id}/redrive`)).status).toBe(404)
    })
  },
)
