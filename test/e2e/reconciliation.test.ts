import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import {
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  type E2eDatabase,
  OTHER_API_KEY,
  PHONE_NUMBER_ID,
  postMessage,
  postWebhook,
  startTestGateway,
  ticketUpdate,
  WEBHOOK_SECRET,
  API_KEY,
} from '../support/test-gateway.js'
import { FakeGraph as Graph } from '../support/fake-graph.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

const RECATEGORISED_WAMID = 'wamid.HBgLMzE2MTExMTExMTEVAgARGBJSRUNBVEVHT1JJU0VEMDAxAA=='
const MATCHING_WAMID = 'wamid.HBgLMzE2MjIyMjIyMjIVAgARGBJNQVRDSElOR01FU1NBR0UwMQA='

/** Meta's status notification for `wamid`, with `pricing` (meta-platform.md §2.4). */
function statusWithPricing(wamid: string, recipient: string, pricing: Record<string, unknown>): string {
  return JSON.stringify({
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
              statuses: [
                {
                  id: wamid,
                  status: 'delivered',
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: recipient,
                  pricing,
                },
              ],
            },
          },
        ],
      },
    ],
  })
}

const utility = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' }
const marketing = { ...utility, category: 'marketing' }

async function reconciliation(
  serverUrl: string,
  query = '',
  apiKey = API_KEY,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${serverUrl}/v1/costs/reconciliation${query}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe.each(['sqlite', 'postgres'] as const)(
  'reconciliation with Meta on %s',
  { timeout: 60_000 },
  (dialect) => {
    const cleanup = new Cleanup()
    let graph: FakeGraph
    let receiver: WebhookReceiver
    let server: RunningServer
    let database: E2eDatabase
    let recategorisedId: string

    beforeAll(async () => {
      database = await createE2eDatabase(dialect)
      cleanup.add(() => database.destroy())
      graph = await Graph.start()
      cleanup.add(() => graph.close())
      receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
      cleanup.add(() => receiver.close())
      server = await startTestGateway({
        databaseUrl: database.url,
        graphUrl: graph.url,
        webhookUrl: receiver.url,
      })
      cleanup.add(() => server.close())

      // Two Issue Resolution templates (utility) to contacts whose windows are closed: both allowed, both charged.
      graph.useMessageIds(RECATEGORISED_WAMID, MATCHING_WAMID)
      const first = await postMessage(server.url, ticketUpdate('31611111111', 'T-1'))
      const second = await postMessage(server.url, ticketUpdate('31622222222', 'T-2'))
      expect([first.status, second.status]).toEqual([200, 200])
      recategorisedId = first.headers.get('x-carewindow-message-id') ?? ''

      // Meta bills the first as marketing (it re-categorised the template) and the second as carewindow did.
      for (const body of [
        statusWithPricing(RECATEGORISED_WAMID, '31611111111', marketing),
        statusWithPricing(MATCHING_WAMID, '31622222222', utility),
        // The same pricing again, with another status: no second check, no second event.
        statusWithPricing(RECATEGORISED_WAMID, '31611111111', marketing).replace('"delivered"', '"read"'),
      ])
        expect((await postWebhook(server.url, body, { secret: APP_SECRET })).status).toBe(200)
      await server.gateway.inbox.drain()
    })

    afterAll(() => cleanup.run())

    it('lists the message Meta billed differently, with both sides and the likely cause', async () => {
      const { status, body } = await reconciliation(server.url)

      expect(status).toBe(200)
      expect(body.summary).toEqual({
        checked: 2,
        matched: 1,
        mismatched: 1,
        by_cause: { template_recategorised: 1 },
      })
      expect(body.data).toEqual([
        expect.objectContaining({
          message_id: recategorisedId,
          wamid: RECATEGORISED_WAMID,
          channel: { platform: 'whatsapp', id: PHONE_NUMBER_ID },
          contact_id: '31611111111',
          cause: 'template_recategorised',
          explanation: expect.stringContaining('re-categorised') as unknown,
          differences: [{ field: 'category', carewindow: 'utility', meta: 'marketing' }],
          carewindow: expect.objectContaining({
            billing: expect.objectContaining({ pricing_model: 'PMP', category: 'utility' }) as unknown,
          }) as unknown,
          meta: marketing,
        }),
      ])
    })

    it('tells the business once, as billing.mismatch', async () => {
      await waitFor('the billing.mismatch event', () =>
        receiver.delivered.some((delivery) => delivery.event === 'billing.mismatch'),
      )
      expect(await database.count('webhook_deliveries', { event_type: 'billing.mismatch' })).toBe(1)
      const mismatches = receiver.delivered.filter((delivery) => delivery.event === 'billing.mismatch')
      expect(mismatches).toHaveLength(1)
      expect(JSON.parse(mismatches[0]!.body.toString('utf8'))).toMatchObject({
        type: 'billing.mismatch',
        contact_id: '31611111111',
        data: { message_id: recategorisedId, cause: 'template_recategorised', meta: marketing },
      })
    })

    it('counts the checks in /metrics', async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text()
      expect(metrics).toContain(
        `carewindow_billing_checks_total{channel="${PHONE_NUMBER_ID}",result="template_recategorised"} 1`,
      )
      expect(metrics).toContain(
        `carewindow_billing_checks_total{channel="${PHONE_NUMBER_ID}",result="match"} 1`,
      )
    })

    it('shows another tenant none of it', async () => {
      const { status, body } = await reconciliation(server.url, '', OTHER_API_KEY)
      expect(status).toBe(200)
      expect(body).toMatchObject({ summary: { checked: 0, mismatched: 0 }, data: [] })
    })

    it('counts nothing outside the period asked for', async () => {
      const { body } = await reconciliation(server.url, '?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z')
      expect(body).toMatchObject({ summary: { checked: 0 }, data: [] })
    })

    it.each([
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'must be before to'],
      ['?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'at most 400 days'],
      ['?from=yesterday', 'not an ISO 8601 instant'],
      ['?cursor=bm9wZQ', 'not a cursor carewindow gave out'],
      ['?limit=501', 'limit must be a whole number from 1 to 500'],
      ['?channel=999', "there is no channel '999'"],
    ])('refuses %s with a message that says what is wrong', async (query, problem) => {
      const { status, body } = await reconciliation(server.url, query)
      expect(status).toBeGreaterThanOrEqual(400)
      expect(status).toBeLessThan(500)
      expect(JSON.stringify(body)).toContain(problem)
    })
  },
)
