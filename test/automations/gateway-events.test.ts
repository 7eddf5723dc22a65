import { describe, expect, it } from 'vitest'
import { eventId } from '../../src/gateway/outbox/events.js'
import {
  DAY,
  DIALECTS,
  HOUR,
  MINUTE,
  NUMBERS,
  SECOND,
  T0,
  useFixture,
  type AutomationsFixture,
  type ReceivedEvent,
} from './automations-fixture.js'

const iso = (instant: number) => new Date(instant).toISOString()

function textTo(contact: string, body: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to: contact, type: 'text', text: { body } }
}

/** The one event of a type for a contact. */
async function onlyEvent(f: AutomationsFixture, type: string, contact: string): Promise<ReceivedEvent> {
  const events = await f.events({ type, contact })
  expect(events).toHaveLength(1)
  return events[0] as ReceivedEvent
}

/** What every event carries: its stable id (the delivery id), its type, the channel and the contact, signed. */
async function expectEnvelope(
  f: AutomationsFixture,
  event: ReceivedEvent,
  expected: { readonly type: string; readonly contact: string; readonly key: string; readonly at: number },
): Promise<void> {
  const channel = await f.channel('plain')
  expect(event).toMatchObject({
    id: eventId(expected.type as Parameters<typeof eventId>[0], channel.id, expected.contact, expected.key),
    type: expected.type,
    created_at: iso(expected.at),
    channel: { platform: 'whatsapp', id: NUMBERS.plain },
    contact_id: expected.contact,
    isSignatureValid: true,
  })
  expect(event.deliveryId).toBe(event.id)
}

for (const dialect of DIALECTS) {
  describe(`gateway events (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('announces a refused proxy send as message.refused, with the reason, rules, Graph error and the closed window', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      const refusedAt = T0 + DAY + HOUR
      f.setTime(refusedAt)

      const sent = await f.businessSends('plain', textTo(contact, 'Hello again'))
      expect(sent.status).toBe(400)
      const messageId = sent.headers['x-carewindow-message-id'] as string

      const event = await onlyEvent(f, 'message.refused', contact)
      await expectEnvelope(f, event, { type: 'message.refused', contact, key: messageId, at: refusedAt })
      expect(event.window).toEqual({
        state: 'closed',
        type: 'customer_care',
        opened_at: iso(T0),
        last_user_message_at: iso(T0),
        expires_at: iso(T0 + DAY),
        seconds_left: 0,
        free_entry_point_expires_at: null,
      })
      expect(event.data).toEqual({
        message_id: messageId,
        reason: 'WINDOW_CLOSED',
        rules: ['CCW-4', 'CCW-6'],
        error: {
          code: 131047,
          subcode: null,
          details: expect.stringContaining('24 hours') as unknown,
        },
      })
      // The message it names is the refused one, with the same decision.
      const message = await f.api('GET', `/v1/messages/${messageId}`)
      expect(message.json).toMatchObject({
        id: messageId,
        allowed: false,
        reason: 'WINDOW_CLOSED',
        status: 'refused',
      })
      expect(f.graph.requests).toEqual([])
    })

    it('announces no message.refused for an allowed send, and one per refused send', async () => {
      const f = fixture()
      const contact = f.newContact()
      const stranger = f.newContact()
      await f.customerWrites('plain', contact)
      expect((await f.businessSends('plain', textTo(contact, 'Hi!'))).status).toBe(200)
      const first = await f.businessSends('plain', textTo(stranger, 'Hi?'))
      const second = await f.businessSends('plain', textTo(stranger, 'Hi??'))
      expect([first.status, second.status]).toEqual([400, 400])

      expect(await f.events({ type: 'message.refused', contact })).toEqual([])
      const refused = await f.events({ type: 'message.refused', contact: stranger })
      expect(refused.map((event) => event.data.message_id).sort()).toEqual(
        [first.headers['x-carewindow-message-id'], second.headers['x-carewindow-message-id']].sort(),
      )
      expect(new Set(refused.map((event) => event.id)).size).toBe(2)
      // A contact who never wrote: no window was ever open.
      expect(refused[0]?.window).toMatchObject({
        state: 'closed',
        last_user_message_at: null,
        expires_at: null,
      })
      expect(refused[0]?.data.rules).toEqual(['CCW-1', 'CCW-6'])
    })

    it('announces each newer status Meta reports for a sent message as message.status, once per status', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.graph.useMessageIds('wamid.outbound.1')
      const sent = await f.businessSends('plain', textTo(contact, 'Your parcel is on its way'))
      expect(sent.status).toBe(200)
      const messageId = sent.headers['x-carewindow-message-id'] as string

      const times: Record<string, number> = {}
      for (const status of ['sent', 'delivered', 'read']) {
        f.advance(MINUTE)
        times[status] = f.time()
        await f.metaReportsStatus('plain', contact, 'wamid.outbound.1', status)
      }
      // Meta redelivers a status, and a late `delivered` arrives after `read`: nothing new to tell.
      await f.metaReportsStatus('plain', contact, 'wamid.outbound.1', 'read')
      f.advance(MINUTE)
      await f.metaReportsStatus('plain', contact, 'wamid.outbound.1', 'delivered')
      // A status for a message carewindow did not send is no event of this contact's.
      await f.metaReportsStatus('plain', contact, 'wamid.someone.else', 'delivered')

      const events = (await f.events({ type: 'message.status', contact })).sort((a, b) =>
        a.created_at.localeCompare(b.created_at),
      )
      expect(events.map((event) => event.data.status)).toEqual(['sent', 'delivered', 'read'])
      for (const event of events) {
        const status = event.data.status as string
        await expectEnvelope(f, event, {
          type: 'message.status',
          contact,
          key: `${messageId}:${status}`,
          at: times[status] ?? Number.NaN,
        })
        expect(event.data).toEqual({
          message_id: messageId,
          wamid: 'wamid.outbound.1',
          status,
          pricing: null,
          errors: null,
        })
        expect(event.window).toMatchObject({ state: 'open', expires_at: iso(T0 + DAY) })
      }
      const message = await f.api('GET', `/v1/messages/${messageId}`)
      expect(message.json).toMatchObject({ status: 'read', external_id: 'wamid.outbound.1' })
    })

    it('announces an opt-in through the API as consent.changed, with the ledger entry and the consent in force', async () => {
      const f = fixture()
      const contact = f.newContact()
      f.setTime(T0 + 5 * SECOND)
      const optIn = await f.api('POST', `/v1/channels/${NUMBERS.plain}/contacts/${contact}/consent`, {
        scope: 'marketing',
        source: 'website_form',
        evidence: 'Checkbox "Send me offers on WhatsApp", form v3',
        actor: 'agent:maria',
      })
      expect(optIn.status).toBe(201)
      const stored = optIn.json as { id: number }

      const event = await onlyEvent(f, 'consent.changed', contact)
      await expectEnvelope(f, event, {
        type: 'consent.changed',
        contact,
        key: String(stored.id),
        at: f.time(),
      })
      // The contact never wrote: the snapshot says so.
      expect(event.window).toMatchObject({ state: 'closed', last_user_message_at: null, expires_at: null })
      expect(event.data).toEqual({
        event: {
          kind: 'opt_in',
          scope: 'marketing',
          source: 'website_form',
          evidence: 'Checkbox "Send me offers on WhatsApp", form v3',
          actor: 'agent:maria',
          at: iso(T0 + 5 * SECOND),
        },
        consent: {
          marketing: {
            state: 'opted_in',
            since: iso(T0 + 5 * SECOND),
            scope: 'marketing',
            source: 'website_form',
          },
          utility: { state: 'none', since: null, scope: null, source: null },
          authentication: { state: 'none', since: null, scope: null, source: null },
          revoked_all_at: null,
        },
      })
    })

    it('announces a STOP keyword as consent.changed: an opt-out by the contact, with the window the message opened', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.api('POST', `/v1/channels/${NUMBERS.plain}/contacts/${contact}/consent`, {
        scope: 'marketing',
        source: 'website_form',
      })
      f.setTime(T0 + HOUR)
      await f.customerWrites('plain', contact, { text: 'Where is my parcel?' })
      f.setTime(T0 + 2 * HOUR)
      await f.customerWrites('plain', contact, { text: 'STOP' })

      const changes = (await f.events({ type: 'consent.changed', contact })).sort((a, b) =>
        a.created_at.localeCompare(b.created_at),
      )
      expect(changes.map((event) => event.data.event)).toMatchObject([
        { kind: 'opt_in' },
        { kind: 'opt_out' },
      ])
      const stop = changes[1]
      expect(stop).toMatchObject({
        created_at: iso(T0 + 2 * HOUR),
        window: {
          state: 'open',
          last_user_message_at: iso(T0 + 2 * HOUR),
          expires_at: iso(T0 + 2 * HOUR + DAY),
        },
      })
      expect(stop?.data).toEqual({
        event: {
          kind: 'opt_out',
          scope: 'marketing',
          source: 'keyword',
          evidence: 'STOP',
          actor: 'contact',
          at: iso(T0 + 2 * HOUR),
        },
        consent: {
          marketing: { state: 'opted_out', since: iso(T0 + 2 * HOUR), scope: 'marketing', source: 'keyword' },
          utility: { state: 'none', since: null, scope: null, source: null },
          authentication: { state: 'none', since: null, scope: null, source: null },
          revoked_all_at: null,
        },
      })
      const ledger = await f.api('GET', `/v1/channels/${NUMBERS.plain}/contacts/${contact}/consent`)
      const history = (ledger.json as { history: { id: number }[] }).history
      expect(stop?.id).toBe(
        eventId('consent.changed', (await f.channel('plain')).id, contact, String(history[1]?.id)),
      )
    })

    it('announces an event once when Meta redelivers the notification behind it', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact, { text: 'STOP', wamid: 'wamid.customer.stop' })
      f.advance(MINUTE)
      await f.customerWrites('plain', contact, { text: 'STOP', wamid: 'wamid.customer.stop', at: T0 })

      expect(await f.events({ type: 'consent.changed', contact })).toHaveLength(1)
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(1)
      const ledger = await f.api('GET', `/v1/channels/${NUMBERS.plain}/contacts/${contact}/consent`)
      expect((ledger.json as { history: unknown[] }).history).toHaveLength(1)
    })

    it('redelivers an event the receiver did not take with the same id, body and signature, so it can deduplicate', async () => {
      const f = fixture()
      const contact = f.newContact()
      f.receiver.failNext(1)
      const sent = await f.businessSends('plain', textTo(contact, 'Hi?'))
      expect(sent.status).toBe(400)

      expect(await f.events({ type: 'message.refused', contact })).toEqual([])
      expect(f.receiver.attempts).toHaveLength(1)
      // The retry is due after the backoff (at most a second for the first one).
      f.advance(2 * SECOND)
      const delivered = await onlyEvent(f, 'message.refused', contact)

      const attempts = f.receiver.attempts.filter((attempt) => attempt.deliveryId === delivered.id)
      expect(attempts.map((attempt) => attempt.status)).toEqual([500, 200])
      const [failed, succeeded] = attempts
      expect(failed?.body.equals(succeeded?.body ?? Buffer.alloc(0))).toBe(true)
      expect(failed?.signature).toBe(succeeded?.signature)
      expect(failed?.isSignatureValid).toBe(true)
      expect(attempts.every((attempt) => attempt.event === 'message.refused')).toBe(true)
      expect(JSON.parse(failed?.body.toString('utf8') ?? '{}')).toMatchObject({
        id: delivered.id,
        data: { message_id: sent.headers['x-carewindow-message-id'] },
      })
    })
  })
}
