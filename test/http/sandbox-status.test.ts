import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ACME_NUMBER,
  GLOBEX_KEY,
  GLOBEX_NUMBER,
  HOUR,
  openFixture,
  T0,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'
import { ANA, BEN, springSaleTo, textTo } from './costs-traffic.js'

function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

const marketingAsUtility = { pricing_model: 'PMP', category: 'utility', billable: true, type: 'regular' }

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`POST /v1/sandbox/{id}/status on ${dialect}`, () => {
    let fixture: NativeApiFixture
    const status = (body: object, key?: string, number = ACME_NUMBER) =>
      fixture.call('POST', `/v1/sandbox/${number}/status`, { body, ...(key === undefined ? {} : { key }) })
    const send = async (body: object): Promise<string> => {
      const reply = await fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, { body })
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      return String(reply.headers['x-carewindow-message-id'])
    }
    const reconciliation = async () => {
      const reply = await fixture.call(
        'GET',
        '/v1/costs/reconciliation?from=2025-08-01T00:00:00Z&to=2025-09-30T00:00:00Z',
      )
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      return reply.body as { summary: Record<string, number>; data: Record<string, unknown>[] }
    }

    beforeEach(async () => {
      fixture = await openFixture(dialect)
      await fixture.customerWrites(ANA)
      await fixture.customerWrites(BEN)
      fixture.advance(HOUR)
    })
    afterEach(async () => {
      await fixture.close()
    })

    it('reports carewindow’s own pricing by default: the message is delivered and reconciles', async () => {
      const id = await send(textTo(ANA))

      const reply = await status({ message_id: id })

      expect(reply.status).toBe(202)
      expect(reply.body).toMatchObject({
        message_id: id,
        status: 'delivered',
        pricing: {
          pricing_model: 'PMP',
          category: 'service',
          billable: false,
          type: 'free_customer_service',
        },
      })
      const message = await fixture.call('GET', `/v1/messages/${id}`)
      expect(message.body).toMatchObject({ status: 'delivered', meta_pricing: { category: 'service' } })
      expect((await reconciliation()).summary).toMatchObject({ checked: 1, matched: 1, mismatched: 0 })
    })

    it('reports the pricing given, so reconciliation lists the difference with its likely cause', async () => {
      const id = await send(springSaleTo(BEN))

      const reply = await status({ message_id: id, status: 'read', pricing: marketingAsUtility })

      expect(reply.status).toBe(202)
      const report = await reconciliation()
      expect(report.summary).toMatchObject({ checked: 1, matched: 0, mismatched: 1 })
      expect(report.data[0]).toMatchObject({
        message_id: id,
        differences: [{ field: 'category', carewindow: 'marketing', meta: 'utility' }],
        cause: 'template_recategorised',
      })
      const message = await fixture.call('GET', `/v1/messages/${id}`)
      expect(message.body).toMatchObject({ status: 'read' })
    })

    it('finds no message of another tenant, nor one on another channel, nor one that does not exist', async () => {
      const id = await send(textTo(ANA))

      const globex = await status({ message_id: id }, GLOBEX_KEY, GLOBEX_NUMBER)
      const missing = await status({ message_id: 'msg_missing' })

      for (const reply of [globex, missing]) expect(reply.status).toBe(404)
      expect(details(missing)).toContain(
        `there is no message 'msg_missing' on sandbox channel '${ACME_NUMBER}'`,
      )
      expect((await fixture.call('GET', `/v1/messages/${id}`)).body).toMatchObject({ meta_pricing: null })
    })

    it('refuses a refused send and a customer’s message with a 400 saying only a sent message gets statuses', async () => {
      fixture.advance(48 * HOUR)
      const refused = await fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, { body: textTo(ANA) })
      expect(refused.status).toBe(400)
      const refusedId = String(refused.headers['x-carewindow-message-id'])
      const inbound = (
        (await fixture.call('GET', '/v1/messages?direction=inbound&limit=1')).body as {
          data: { id: string }[]
        }
      ).data[0]?.id

      const first = await status({ message_id: refusedId })
      const second = await status({ message_id: inbound })

      expect([first.status, second.status]).toEqual([400, 400])
      expect(details(first)).toContain('was not sent (refused or not forwarded)')
      expect(details(second)).toContain('it is a customer’s message')
    })

    it('names what is wrong with a bad body, asks for the key first, and changes nothing', async () => {
      const id = await send(textTo(ANA))
      const cases: [object, string][] = [
        [{}, 'message_id'],
        [{ message_id: id, status: 'failed' }, 'status'],
        [
          { message_id: id, pricing: { ...marketingAsUtility, pricing_model: 'FREE' } },
          'pricing.pricing_model',
        ],
        [{ message_id: id, pricing: { ...marketingAsUtility, category: 'Marketing!' } }, 'pricing.category'],
        [{ message_id: id, pricing: { ...marketingAsUtility, surprise: 1 } }, 'pricing'],
      ]
      for (const [body, field] of cases) {
        const reply = await status(body)
        expect(reply.status, JSON.stringify(body)).toBe(400)
        expect(details(reply)).toMatch(new RegExp(`^${field.replace('.', '\\.')}`))
      }
      expect(
        (await fixture.call('POST', `/v1/sandbox/${ACME_NUMBER}/status`, { body: {}, key: null })).status,
      ).toBe(401)
      expect((await fixture.call('GET', `/v1/messages/${id}`)).body).toMatchObject({
        status: 'accepted',
        meta_pricing: null,
      })
      expect(fixture.now()).toBe(T0 + HOUR)
    })
  })
}
