import { describe, expect, it } from 'vitest'
import { contactJobId, JOB_KINDS } from '../../src/scheduler/jobs.js'
import { DAY, DIALECTS, HOUR, MINUTE, NUMBERS, SECOND, T0, useFixture } from './automations-fixture.js'

const LEAD = 60 * MINUTE
const iso = (instant: number) => new Date(instant).toISOString()

for (const dialect of DIALECTS) {
  describe(`window events (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('announces the window a customer message opens once; a second message inside it announces nothing', async () => {
      const f = fixture()
      const contact = f.newContact()
      const first = await f.customerWrites('plain', contact)
      f.advance(3 * HOUR)
      await f.customerWrites('plain', contact)

      const opened = await f.events({ type: 'window.opened', contact })
      expect(opened).toHaveLength(1)
      expect(opened[0]?.data).toEqual({ message_id: first })
      expect(opened[0]?.window).toMatchObject({ state: 'open', expires_at: iso(T0 + DAY) })
    })

    it('sends window.expiring exactly the lead time before expires_at, not a millisecond earlier', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)

      f.setTime(T0 + DAY - LEAD - 1)
      await f.runDue()
      expect(await f.events({ type: 'window.expiring', contact })).toEqual([])

      f.setTime(T0 + DAY - LEAD)
      await f.runDue()
      const expiring = await f.events({ type: 'window.expiring', contact })
      expect(expiring).toHaveLength(1)
      expect(expiring[0]?.created_at).toBe(iso(T0 + DAY - LEAD))
      expect(expiring[0]?.data).toEqual({ expires_at: iso(T0 + DAY) })
      expect(expiring[0]?.window).toMatchObject({ state: 'open', seconds_left: LEAD / SECOND })
    })

    it('moves window.expiring to the new expiry when the customer writes again before it', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + 10 * HOUR)
      await f.customerWrites('plain', contact)

      f.setTime(T0 + DAY - LEAD)
      await f.runDue()
      f.setTime(T0 + 10 * HOUR + DAY - LEAD - 1)
      await f.runDue()
      expect(await f.events({ type: 'window.expiring', contact })).toEqual([])

      f.setTime(T0 + 10 * HOUR + DAY - LEAD)
      await f.runDue()
      const expiring = await f.events({ type: 'window.expiring', contact })
      expect(expiring.map((event) => event.data)).toEqual([{ expires_at: iso(T0 + 10 * HOUR + DAY) }])
    })

    it('sends window.closed exactly at expires_at, and only once', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)

      f.setTime(T0 + DAY - 1)
      await f.runDue()
      expect(await f.events({ type: 'window.closed', contact })).toEqual([])

      f.setTime(T0 + DAY)
      await f.runDue()
      f.advance(HOUR)
      await f.runDue()
      f.advance(3 * DAY)
      await f.runDue()
      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed).toHaveLength(1)
      expect(closed[0]?.created_at).toBe(iso(T0 + DAY))
      expect(closed[0]?.window).toMatchObject({ state: 'closed', expires_at: iso(T0 + DAY), seconds_left: 0 })
      expect(closed[0]?.data).toEqual({})
    })

    it('does not close a window early when a later message extended it', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + 20 * HOUR)
      await f.customerWrites('plain', contact)

      f.setTime(T0 + DAY)
      await f.runDue()
      f.setTime(T0 + 20 * HOUR + DAY - 1)
      await f.runDue()
      expect(await f.events({ type: 'window.closed', contact })).toEqual([])

      f.setTime(T0 + 20 * HOUR + DAY)
      await f.runDue()
      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed.map((event) => event.window.expires_at)).toEqual([iso(T0 + 20 * HOUR + DAY)])
    })

    it('keeps the expiry when an older message is delivered late: window.closed neither earlier nor twice', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + 2 * HOUR)
      // Meta delivers, late, a message the customer wrote an hour before the first one we saw.
      await f.customerWrites('plain', contact, { at: T0 - HOUR })

      f.setTime(T0 + DAY - HOUR)
      await f.runDue()
      expect(await f.events({ type: 'window.closed', contact })).toEqual([])
      f.setTime(T0 + DAY)
      await f.runDue()
      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed.map((event) => event.window.expires_at)).toEqual([iso(T0 + DAY)])
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(1)
    })

    it('catches up after the scheduler was stopped past the expiry: window.closed, but no stale window.expiring', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)

      f.setTime(T0 + DAY + 5 * HOUR)
      await f.runDue()
      expect(await f.events({ type: 'window.expiring', contact })).toEqual([])
      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed).toHaveLength(1)
      expect(closed[0]?.window).toMatchObject({ state: 'closed', expires_at: iso(T0 + DAY) })
      const channel = await f.channel('plain')
      expect(await f.store.getJob(contactJobId(JOB_KINDS.windowExpiring, channel.id, contact))).toMatchObject(
        {
          status: 'done',
        },
      )
    })

    it('announces a close the scheduler missed when the customer comes back after it: closed, then opened, once each', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      // The scheduler did not run at the expiry; the customer writes again an hour after it.
      f.setTime(T0 + DAY + HOUR)
      await f.customerWrites('plain', contact)
      f.setTime(T0 + DAY + 2 * HOUR)
      await f.runDue()

      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed).toHaveLength(1)
      expect(closed[0]).toMatchObject({
        created_at: iso(T0 + DAY + HOUR),
        window: { state: 'closed', expires_at: iso(T0 + DAY) },
      })
      // Events may reach the receiver in any order; each is there once.
      const opened = await f.events({ type: 'window.opened', contact })
      expect(opened.map((event) => event.window.expires_at).sort()).toEqual([
        iso(T0 + DAY),
        iso(T0 + 2 * DAY + HOUR),
      ])

      f.setTime(T0 + 2 * DAY + HOUR)
      await f.runDue()
      expect(
        (await f.events({ type: 'window.closed', contact })).map((event) => event.window.expires_at),
      ).toEqual([iso(T0 + DAY), iso(T0 + 2 * DAY + HOUR)])
    })

    it('announces nothing when a message the customer wrote before the expiry is processed after it', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      // Meta delivers, two hours late, a message written a minute before the window would have closed.
      f.setTime(T0 + DAY + HOUR)
      await f.customerWrites('plain', contact, { at: T0 + DAY - MINUTE })
      await f.runDue()

      expect(await f.events({ type: 'window.closed', contact })).toEqual([])
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(1)
    })

    it('delivers a window.closed event once even when its job runs again (a crash before it was marked done)', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + DAY)
      await f.runDue()
      const first = await f.events({ type: 'window.closed', contact })

      const channel = await f.channel('plain')
      const id = contactJobId(JOB_KINDS.windowClosed, channel.id, contact)
      await f.store.scheduleJob(
        {
          id,
          kind: JOB_KINDS.windowClosed,
          channelId: channel.id,
          contactId: contact,
          dueAt: T0 + DAY,
          payload: { expires_at: T0 + DAY },
        },
        f.time(),
      )
      f.advance(MINUTE)
      expect(await f.runDue()).toBe(1)

      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed).toHaveLength(1)
      expect(closed[0]?.id).toBe(first[0]?.id)
    })

    it('gives every window its own stable event ids, which are the delivery ids', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      for (const instant of [T0 + DAY - LEAD, T0 + DAY]) {
        f.setTime(instant)
        await f.runDue()
      }
      // The customer comes back: a second window, announced and closed again.
      const comeback = T0 + 2 * DAY
      f.setTime(comeback)
      const second = await f.customerWrites('plain', contact)
      for (const instant of [comeback + DAY - LEAD, comeback + DAY]) {
        f.setTime(instant)
        await f.runDue()
      }

      // Deliveries go out concurrently: their order of arrival is not their order of creation.
      const events = (await f.events({ contact })).sort((a, b) => a.created_at.localeCompare(b.created_at))
      expect(events.map((event) => [event.type, event.window.expires_at])).toEqual([
        ['window.opened', iso(T0 + DAY)],
        ['window.expiring', iso(T0 + DAY)],
        ['window.closed', iso(T0 + DAY)],
        ['window.opened', iso(comeback + DAY)],
        ['window.expiring', iso(comeback + DAY)],
        ['window.closed', iso(comeback + DAY)],
      ])
      expect(events[3]?.data).toEqual({ message_id: second })
      const ids = events.map((event) => event.id)
      expect(new Set(ids).size).toBe(ids.length)
      for (const event of events) {
        expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/)
        expect(event.deliveryId).toBe(event.id)
      }
    })

    it('gives every event its type, time, channel, contact and window snapshot, signed with the tenant secret', async () => {
      const f = fixture()
      const contact = f.newContact()
      f.setTime(T0 + 7 * SECOND)
      await f.customerWrites('plain', contact)
      f.setTime(T0 + 7 * SECOND + DAY - LEAD)
      await f.runDue()

      const events = await f.events({ contact })
      expect(events).toHaveLength(2)
      const opened = events.find((event) => event.type === 'window.opened')
      const expiring = events.find((event) => event.type === 'window.expiring')
      for (const event of [opened, expiring]) {
        expect(event?.isSignatureValid).toBe(true)
        expect(event?.channel).toEqual({ platform: 'whatsapp', id: NUMBERS.plain })
        expect(event?.contact_id).toBe(contact)
      }
      expect(opened).toMatchObject({
        type: 'window.opened',
        created_at: iso(T0 + 7 * SECOND),
        window: {
          state: 'open',
          type: 'customer_care',
          opened_at: iso(T0 + 7 * SECOND),
          last_user_message_at: iso(T0 + 7 * SECOND),
          expires_at: iso(T0 + 7 * SECOND + DAY),
          seconds_left: DAY / SECOND,
          free_entry_point_expires_at: null,
        },
      })
      expect(expiring).toMatchObject({
        type: 'window.expiring',
        created_at: iso(T0 + 7 * SECOND + DAY - LEAD),
        window: { state: 'open', expires_at: iso(T0 + 7 * SECOND + DAY), seconds_left: LEAD / SECOND },
      })
    })
  })
}
