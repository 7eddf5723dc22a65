import { describe, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/http/app.js'
import { API_KEY, MINUTE, NUMBERS, promoTo, useFixture } from '../automations/automations-fixture.js'

/**
 * Two carewindow instances on one PostgreSQL: a customer's STOP taken in by one must be seen by the very next send
 * through the other — whether the first has applied it yet or it still waits in the shared inbox. A decision made on
 * state another instance has not applied would be a marketing message to someone who said STOP.
 */
describe('a STOP taken in by one instance, with two instances on one PostgreSQL', () => {
  const fixture = useFixture('postgres')

  it.each([
    ['applied by the instance that took it in', true],
    ['still unapplied in the inbox', false],
  ])('refuses the next marketing template sent through the other instance, %s', async (_title, applied) => {
    const f = fixture()
    const other = await buildApp({ gateway: await f.secondGateway() })
    try {
      const contact = f.newContact()
      const promo = promoTo(contact)
      const sendThroughOther = async () => {
        const response = await other.inject({
          method: 'POST',
          url: `/v21.0/${NUMBERS.holds}/messages`,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          payload: JSON.stringify(promo),
        })
        return { status: response.statusCode, json: JSON.parse(response.body) as Record<string, unknown> }
      }
      await f.customerWrites('holds', contact)
      const optIn = await f.api('POST', `/v1/channels/${NUMBERS.holds}/contacts/${contact}/consent`, {
        scope: 'marketing',
        source: 'website_form',
      })
      expect(optIn.status).toBe(201)
      expect((await sendThroughOther()).status).toBe(200)

      f.advance(MINUTE)
      // Unapplied: the instance that took the STOP in answers Meta, then does not get to apply it (it lags, or dies).
      const kick = applied ? null : vi.spyOn(f.gateway.inbox, 'kick').mockImplementation(() => undefined)
      await f.customerWrites('holds', contact, { text: 'STOP', applied })
      kick?.mockRestore()
      expect(await f.unappliedNotifications()).toBe(applied ? 0 : 1)
      const afterStop = await sendThroughOther()

      expect(afterStop.status).toBe(400)
      expect(afterStop.json).toMatchObject({ error: { code: 131050 } })
      expect(f.sentTo(contact, 'holds')).toHaveLength(1)
    } finally {
      await other.close()
    }
  })
})
