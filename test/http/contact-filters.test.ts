import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ACME_NUMBER,
  HOUR,
  INITECH_KEY,
  INITECH_NUMBER,
  openFixture,
  T0,
  type NativeApiFixture,
} from './native-api-fixture.js'

const contacts = `/v1/channels/${ACME_NUMBER}/contacts`

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`the contacts list’s filters (${dialect})`, () => {
    let fixture: NativeApiFixture

    async function ids(query: string): Promise<string[]> {
      const reply = await fixture.call('GET', `${contacts}?${query}`)
      expect(reply.status).toBe(200)
      return (reply.body as { data: { contact_id: string }[] }).data.map((row) => row.contact_id)
    }

    beforeAll(async () => {
      fixture = await openFixture(dialect)
      // Windows closing at T0+24h, T0+24h30m and T0+26h; the clock then moves to T0+23h45m.
      await fixture.customerWrites('31611111111', T0)
      await fixture.customerWrites('31622222222', T0 + HOUR / 2)
      await fixture.customerWrites('4915100000001', T0 + 2 * HOUR)
      fixture.advance(23 * HOUR + (3 * HOUR) / 4)
    })
    afterAll(() => fixture.close())

    it('lists the windows that close within the given seconds, and no closed one', async () => {
      expect(await ids('expires_within=3600')).toEqual(['31611111111', '31622222222'])
      expect(await ids('expires_within=600')).toEqual([])
      expect(await ids('expires_within=86400')).toEqual(['31611111111', '31622222222', '4915100000001'])
    })

    it('searches by the number as typed, or by the profile name in any case', async () => {
      expect(await ids('q=316')).toEqual(['31611111111', '31622222222'])
      expect(await ids(`q=${encodeURIComponent('+31 6-2222')}`)).toEqual(['31622222222'])
      expect(await ids('q=SANDBOX%20CUST')).toHaveLength(3)
      expect(await ids('q=nobody')).toEqual([])
      // LIKE's wildcards are matched literally.
      expect(await ids('q=%25')).toEqual([])
      expect(await ids('q=_')).toEqual([])
    })

    it('lists the contacts who opted out, until they opt in again', async () => {
      expect(await ids('opted_out=true')).toEqual([])
      const optOut = await fixture.call('DELETE', `${contacts}/4915100000001/consent?scope=marketing`)
      expect(optOut.status).toBeLessThan(300)
      expect(await ids('opted_out=true')).toEqual(['4915100000001'])
      fixture.advance(1000)
      const optIn = await fixture.call('POST', `${contacts}/4915100000001/consent`, {
        body: { scope: 'marketing', source: 'website_form' },
      })
      expect(optIn.status).toBe(201)
      expect(await ids('opted_out=true')).toEqual([])
    })

    it('answers 400 naming the filter that is wrong', async () => {
      for (const [query, field] of [
        ['expires_within=0', 'expires_within'],
        ['expires_within=x', 'expires_within'],
        [`q=${'x'.repeat(101)}`, 'q'],
        ['q=%20', 'q'],
        ['opted_out=yes', 'opted_out'],
        ['has_open_case=1', 'has_open_case'],
        ['has_held_reply=yes', 'has_held_reply'],
      ] as const) {
        const reply = await fixture.call('GET', `${contacts}?${query}`)
        expect(reply.status).toBe(400)
        expect(JSON.stringify(reply.body)).toContain(field)
      }
    })
  })
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`the contacts list’s case and held-reply filters (${dialect})`, () => {
    let fixture: NativeApiFixture
    const initech = `/v1/channels/${INITECH_NUMBER}/contacts`

    async function ids(list: string, query: string, key?: string): Promise<string[]> {
      const reply = await fixture.call('GET', `${list}?${query}`, key === undefined ? {} : { key })
      expect(reply.status).toBe(200)
      return (reply.body as { data: { contact_id: string }[] }).data.map((row) => row.contact_id)
    }

    async function initechCustomerWrites(contact: string): Promise<void> {
      const reply = await fixture.call('POST', `/v1/sandbox/${INITECH_NUMBER}/inbound`, {
        key: INITECH_KEY,
        body: { from: contact, text: 'Any news?', at: new Date(fixture.now()).toISOString() },
      })
      expect(reply.status).toBe(202)
      await fixture.gateway.inbox.drain()
    }

    beforeAll(async () => {
      fixture = await openFixture(dialect)
    })
    afterAll(() => fixture.close())

    it('lists the contacts with a case not resolved, open or pending', async () => {
      await fixture.customerWrites('31611111111', T0)
      await fixture.customerWrites('31622222222', T0)
      await fixture.customerWrites('31633333333', T0)
      expect(await ids(contacts, 'has_open_case=true')).toEqual([])
      const opened: string[] = []
      for (const contact of ['31611111111', '31622222222']) {
        const reply = await fixture.call('POST', `/v1/channels/${ACME_NUMBER}/cases`, {
          body: { contact_id: contact, subject: 'Router' },
        })
        expect(reply.status, JSON.stringify(reply.body)).toBe(201)
        opened.push((reply.body as { id: string }).id)
      }
      expect(await ids(contacts, 'has_open_case=true&sort=contact_id')).toEqual([
        '31611111111',
        '31622222222',
      ])
      const pending = await fixture.call('PATCH', `/v1/cases/${opened[0] ?? ''}`, {
        body: { status: 'pending' },
      })
      expect(pending.status).toBe(200)
      const resolved = await fixture.call('PATCH', `/v1/cases/${opened[1] ?? ''}`, {
        body: { status: 'resolved' },
      })
      expect(resolved.status).toBe(200)
      expect(await ids(contacts, 'has_open_case=true')).toEqual(['31611111111'])
      expect(await ids(contacts, 'has_open_case=false')).toHaveLength(3)
    })

    it('lists the contacts with a held reply still waiting, and not once it is cancelled', async () => {
      await initechCustomerWrites('31644444444')
      await initechCustomerWrites('31655555555')
      fixture.advance(25 * HOUR)
      expect(await ids(initech, 'has_held_reply=true', INITECH_KEY)).toEqual([])
      const held = await fixture.call('POST', `/v21.0/${INITECH_NUMBER}/messages`, {
        key: INITECH_KEY,
        body: { messaging_product: 'whatsapp', to: '31655555555', type: 'text', text: { body: 'Fixed.' } },
      })
      expect(held.status, JSON.stringify(held.body)).toBe(202)
      const holdId = (held.body as { held: { id: string } }).held.id
      expect(await ids(initech, 'has_held_reply=true', INITECH_KEY)).toEqual(['31655555555'])
      // Another tenant's filter never sees it, and Acme's channel has no held reply.
      expect(await ids(contacts, 'has_held_reply=true')).toEqual([])
      const cancelled = await fixture.call('DELETE', `/v1/held/${holdId}`, { key: INITECH_KEY })
      expect(cancelled.status).toBe(200)
      expect(await ids(initech, 'has_held_reply=true', INITECH_KEY)).toEqual([])
    })
  })
}
