import { describe, expect, it } from 'vitest'
import { contactJobId, JOB_KINDS } from '../../src/scheduler/jobs.js'
import {
  DAY,
  DIALECTS,
  HOUR,
  MINUTE,
  NUMBERS,
  REENGAGE_DELAY,
  REENGAGE_INTERVAL,
  SECOND,
  T0,
  useFixture,
  type AutomationsFixture,
  type ChannelName,
} from './automations-fixture.js'

const iso = (instant: number) => new Date(instant).toISOString()

/** The first window (the customer wrote at T0) closes here; the re-engagement is due `delay_minutes` later. */
const CLOSES_AT = T0 + DAY
const DUE_AT = CLOSES_AT + REENGAGE_DELAY

interface TemplateSend {
  readonly name: string
  readonly language: { readonly code: string }
  readonly components?: readonly {
    readonly type: string
    readonly parameters: readonly {
      readonly type: string
      readonly parameter_name?: string
      readonly text: string
    }[]
  }[]
}

/** The template sends Graph received for a contact, in arrival order. */
function templatesTo(f: AutomationsFixture, contact: string, name: ChannelName = 'reengage'): TemplateSend[] {
  return f.sentTo(contact, name).map((request) => {
    const body = JSON.parse(request.body.toString('utf8')) as { type: string; template: TemplateSend }
    expect(body.type).toBe('template')
    return body.template
  })
}

/** The `ticket_id` each template send carried. */
function ticketIdsTo(f: AutomationsFixture, contact: string, name: ChannelName = 'reengage'): string[] {
  return templatesTo(f, contact, name).map(
    (template) =>
      template.components?.[0]?.parameters.find((parameter) => parameter.parameter_name === 'ticket_id')
        ?.text ?? '(none)',
  )
}

/** Runs the scheduler at each instant, in order. */
async function runAt(f: AutomationsFixture, ...instants: number[]): Promise<void> {
  for (const instant of instants) {
    f.setTime(instant)
    await f.runDue()
  }
}

for (const dialect of DIALECTS) {
  describe(`Issue Resolution re-engagement (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('sends the Issue Resolution template delay_minutes after the window closed, with the case’s ticket id, decided and recorded', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      await f.openCase('reengage', contact, { externalId: 'T-1042' })

      await runAt(f, CLOSES_AT, DUE_AT - 1)
      expect(f.graph.requests).toEqual([])
      expect(await f.outboundTo(contact)).toEqual([])

      await runAt(f, DUE_AT)
      const [request] = f.sentTo(contact)
      expect(f.graph.requests).toHaveLength(1)
      expect(request?.phoneNumberId).toBe(NUMBERS.reengage)
      expect(JSON.parse(request?.body.toString('utf8') ?? '{}')).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: contact,
        type: 'template',
        template: {
          name: 'ticket_update',
          language: { code: 'en' },
          components: [
            { type: 'body', parameters: [{ type: 'text', parameter_name: 'ticket_id', text: 'T-1042' }] },
          ],
        },
      })
      const recorded = await f.outboundTo(contact)
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({
        allowed: true,
        reason: 'ISSUE_RESOLUTION_TEMPLATE',
        status: 'accepted',
        at: DUE_AT,
      })
      // What Graph received is exactly what carewindow decided on and recorded.
      expect(request?.body.toString('utf8')).toBe(recorded[0]?.body_json)
      const decision = JSON.parse(recorded[0]?.decision_json ?? '{}') as Record<string, unknown>
      expect(decision).toMatchObject({
        allowed: true,
        reason: 'ISSUE_RESOLUTION_TEMPLATE',
        window: { state: 'closed', expires_at: iso(CLOSES_AT) },
        template: { name: 'ticket_update', language: 'en', issue_resolution: true },
      })
      expect(decision.rules).toContain('CCW-7')
    })

    it('takes ticket_id from the case’s parameters first, then its external id, then the case id', async () => {
      const f = fixture()
      const withParameters = f.newContact()
      const withExternalId = f.newContact()
      const bare = f.newContact()
      for (const contact of [withParameters, withExternalId, bare])
        await f.customerWrites('reengage', contact)
      await f.openCase('reengage', withParameters, { externalId: 'T-1', parameters: { ticket_id: 'RMA-77' } })
      await f.openCase('reengage', withExternalId, { externalId: 'T-2' })
      const bareCase = await f.openCase('reengage', bare)

      await runAt(f, DUE_AT)
      expect(ticketIdsTo(f, withParameters)).toEqual(['RMA-77'])
      expect(ticketIdsTo(f, withExternalId)).toEqual(['T-2'])
      expect(ticketIdsTo(f, bare)).toEqual([bareCase.id])
    })

    it('is written in the case’s language when the template exists in it, else in the configured language', async () => {
      const f = fixture()
      const dutch = f.newContact()
      const german = f.newContact()
      const unknown = f.newContact()
      for (const contact of [dutch, german, unknown]) await f.customerWrites('reengage', contact)
      await f.openCase('reengage', dutch, { externalId: 'T-NL', language: 'nl' })
      await f.openCase('reengage', german, { externalId: 'T-DE', language: 'de' })
      await f.openCase('reengage', unknown, { externalId: 'T-XX' })

      await runAt(f, DUE_AT)
      expect(templatesTo(f, dutch).map((template) => template.language.code)).toEqual(['nl'])
      expect(templatesTo(f, german).map((template) => template.language.code)).toEqual(['en'])
      expect(templatesTo(f, unknown).map((template) => template.language.code)).toEqual(['en'])
      const [recorded] = await f.outboundTo(dutch)
      expect(JSON.parse(recorded?.decision_json ?? '{}')).toMatchObject({
        allowed: true,
        template: { name: 'ticket_update', language: 'nl' },
      })
    })

    it('goes out at most once per case per min_interval_hours: not for a closing 1 s inside the interval, again for one at it', async () => {
      const f = fixture()
      const inside = f.newContact()
      const atInterval = f.newContact()
      for (const contact of [inside, atInterval]) {
        await f.customerWrites('reengage', contact)
        await f.openCase('reengage', contact, { externalId: `T-${contact}` })
      }
      await runAt(f, CLOSES_AT, DUE_AT)
      expect(ticketIdsTo(f, inside)).toHaveLength(1)
      expect(ticketIdsTo(f, atInterval)).toHaveLength(1)

      // Both come back; their next windows close so that the next re-engagement is due 1 s before the
      // interval has passed since the first one, and exactly when it has.
      const secondDue = DUE_AT + REENGAGE_INTERVAL
      f.setTime(secondDue - REENGAGE_DELAY - DAY - SECOND)
      await f.customerWrites('reengage', inside)
      f.setTime(secondDue - REENGAGE_DELAY - DAY)
      await f.customerWrites('reengage', atInterval)
      await runAt(f, secondDue - REENGAGE_DELAY - SECOND, secondDue - SECOND, secondDue, secondDue + DAY)

      expect(ticketIdsTo(f, inside)).toEqual([`T-${inside}`])
      expect(ticketIdsTo(f, atInterval)).toEqual([`T-${atInterval}`, `T-${atInterval}`])
      expect(await f.outboundTo(inside)).toHaveLength(1)
      const second = (await f.outboundTo(atInterval))[1]
      expect(second).toMatchObject({ allowed: true, reason: 'ISSUE_RESOLUTION_TEMPLATE', at: secondDue })
      expect(await f.events({ type: 'case.reengaged', contact: inside })).toHaveLength(1)
      expect(await f.events({ type: 'case.reengaged', contact: atInterval })).toHaveLength(2)
    })

    it('runs again without sending again: a second closing inside the interval, and the job re-run after a crash', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      await f.openCase('reengage', contact, { externalId: 'T-9' })
      await runAt(f, CLOSES_AT, DUE_AT)

      // The re-engagement job runs again, as after a crash before it was marked done.
      const channel = await f.channel('reengage')
      const id = contactJobId(JOB_KINDS.reengage, channel.id, contact)
      await f.store.scheduleJob(
        {
          id,
          kind: JOB_KINDS.reengage,
          channelId: channel.id,
          contactId: contact,
          dueAt: DUE_AT,
          payload: { reason: 'window-closed', expires_at: CLOSES_AT },
        },
        f.time(),
      )
      f.advance(MINUTE)
      expect(await f.runDue()).toBe(1)

      // The customer answers, the new window closes a day later: inside the 48 h interval.
      const comeback = DUE_AT + 2 * HOUR
      f.setTime(comeback)
      await f.customerWrites('reengage', contact)
      await runAt(f, comeback + DAY, comeback + DAY + REENGAGE_DELAY, comeback + 2 * DAY)

      expect(ticketIdsTo(f, contact)).toEqual(['T-9'])
      expect(await f.outboundTo(contact)).toHaveLength(1)
      expect(await f.events({ type: 'case.reengaged', contact })).toHaveLength(1)
      expect(await f.events({ type: 'window.closed', contact })).toHaveLength(2)
    })

    it('is sent once when the process died after the send but before the case was marked re-engaged', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      const opened = await f.openCase('reengage', contact, { externalId: 'T-5' })
      await runAt(f, CLOSES_AT, DUE_AT)
      const [event] = await f.events({ type: 'case.reengaged', contact })

      await f.forgetReengagement(opened.id)
      const channel = await f.channel('reengage')
      await f.store.scheduleJob(
        {
          id: contactJobId(JOB_KINDS.reengage, channel.id, contact),
          kind: JOB_KINDS.reengage,
          channelId: channel.id,
          contactId: contact,
          dueAt: DUE_AT,
          payload: { reason: 'window-closed', expires_at: CLOSES_AT },
        },
        f.time(),
      )
      f.advance(MINUTE)
      expect(await f.runDue()).toBe(1)

      // The send's idempotency key names the case and the closed window: Graph gets it once.
      expect(ticketIdsTo(f, contact)).toEqual(['T-5'])
      expect(await f.outboundTo(contact)).toHaveLength(1)
      const events = await f.events({ type: 'case.reengaged', contact })
      expect(events.map((received) => received.id)).toEqual([event?.id])
      expect((await f.store.getCase(opened.id))?.lastReengagedAt).toBe(DUE_AT + MINUTE)
    })

    it('is not sent when the customer came back before it was due; the next closing re-engages', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      await f.openCase('reengage', contact, { externalId: 'T-3' })
      await runAt(f, CLOSES_AT)
      const comeback = CLOSES_AT + 10 * MINUTE
      f.setTime(comeback)
      await f.customerWrites('reengage', contact)

      await runAt(f, DUE_AT, DUE_AT + HOUR, comeback + DAY - SECOND)
      expect(f.graph.requests).toEqual([])
      expect(await f.outboundTo(contact)).toEqual([])
      expect(await f.events({ type: 'case.reengaged', contact })).toEqual([])
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(2)

      await runAt(f, comeback + DAY, comeback + DAY + REENGAGE_DELAY)
      expect(ticketIdsTo(f, contact)).toEqual(['T-3'])
      const [recorded] = await f.outboundTo(contact)
      expect(recorded?.at).toBe(comeback + DAY + REENGAGE_DELAY)
    })

    it('is not sent to contacts without an open case: none, a pending one or a resolved one', async () => {
      const f = fixture()
      const withoutCase = f.newContact()
      const pending = f.newContact()
      const resolved = f.newContact()
      for (const contact of [withoutCase, pending, resolved]) await f.customerWrites('reengage', contact)
      await f.openCase('reengage', pending, { status: 'pending', externalId: 'T-P' })
      await f.openCase('reengage', resolved, { status: 'resolved', externalId: 'T-R' })

      await runAt(f, CLOSES_AT, DUE_AT, DUE_AT + 3 * DAY)
      expect(f.graph.requests).toEqual([])
      for (const contact of [withoutCase, pending, resolved]) {
        expect(await f.outboundTo(contact)).toEqual([])
        expect(await f.events({ type: 'window.closed', contact })).toHaveLength(1)
      }
      expect(await f.events({ type: 'case.reengaged' })).toEqual([])
    })

    it('is not sent on a channel that has not switched it on', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      await f.openCase('plain', contact, { externalId: 'T-0' })

      await runAt(f, CLOSES_AT, DUE_AT, CLOSES_AT + 3 * DAY)
      expect(f.graph.requests).toEqual([])
      expect(await f.outboundTo(contact)).toEqual([])
      const channel = await f.channel('plain')
      expect(await f.store.getJob(contactJobId(JOB_KINDS.reengage, channel.id, contact))).toBeUndefined()
    })

    it('sends one template per open case of the contact, each with its own ticket id', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      await f.openCase('reengage', contact, { externalId: 'T-A' })
      await f.openCase('reengage', contact, { externalId: 'T-B' })
      await f.openCase('reengage', contact, { externalId: 'T-C', status: 'resolved' })

      await runAt(f, DUE_AT)
      expect(ticketIdsTo(f, contact).sort()).toEqual(['T-A', 'T-B'])
      const events = await f.events({ type: 'case.reengaged', contact })
      expect(events.map((event) => event.data.external_id).sort()).toEqual(['T-A', 'T-B'])
    })

    it('announces case.reengaged with the case, the template, the message and its decision, and the closed window', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      const opened = await f.openCase('reengage', contact, { externalId: 'T-1042', language: 'nl' })
      await runAt(f, CLOSES_AT, DUE_AT)

      const [recorded] = await f.outboundTo(contact)
      const events = await f.events({ type: 'case.reengaged', contact })
      expect(events).toHaveLength(1)
      const [event] = events
      expect(event).toMatchObject({
        type: 'case.reengaged',
        created_at: iso(DUE_AT),
        channel: { platform: 'whatsapp', id: NUMBERS.reengage },
        contact_id: contact,
        isSignatureValid: true,
        window: {
          state: 'closed',
          type: 'customer_care',
          last_user_message_at: iso(T0),
          expires_at: iso(CLOSES_AT),
          seconds_left: 0,
        },
      })
      expect(event?.data).toEqual({
        case_id: opened.id,
        external_id: 'T-1042',
        template: { name: 'ticket_update', language: 'nl' },
        message_id: recorded?.id,
        allowed: true,
        reason: 'ISSUE_RESOLUTION_TEMPLATE',
      })
      expect(event?.id).toMatch(/^evt_[0-9a-f]{32}$/)
      expect(event?.deliveryId).toBe(event?.id)
      const message = await f.api('GET', `/v1/messages/${recorded?.id ?? ''}`)
      expect(message.status).toBe(200)
      expect(message.json).toMatchObject({
        direction: 'outbound',
        contact_id: contact,
        allowed: true,
        reason: 'ISSUE_RESOLUTION_TEMPLATE',
        decision: { allowed: true, reason: 'ISSUE_RESOLUTION_TEMPLATE' },
      })
    })

    it('needs no opt-in (CCW-7): sent to a contact who never opted in and to one who opted out of marketing', async () => {
      const f = fixture()
      const neverOptedIn = f.newContact()
      const saidStop = f.newContact()
      const stoppedMarketing = f.newContact()
      for (const contact of [neverOptedIn, saidStop, stoppedMarketing]) {
        await f.customerWrites('reengage', contact)
        await f.openCase('reengage', contact, { externalId: `T-${contact}` })
      }
      f.advance(HOUR)
      await f.customerWrites('reengage', saidStop, { text: 'STOP' })
      await f.customerSetsPreference('reengage', stoppedMarketing, 'stop')
      const closes = T0 + HOUR + DAY

      await runAt(f, CLOSES_AT, DUE_AT, closes, closes + REENGAGE_DELAY)
      for (const contact of [neverOptedIn, saidStop, stoppedMarketing]) {
        expect(ticketIdsTo(f, contact)).toEqual([`T-${contact}`])
        const [recorded] = await f.outboundTo(contact)
        expect(recorded).toMatchObject({ allowed: true, reason: 'ISSUE_RESOLUTION_TEMPLATE' })
        const decision = JSON.parse(recorded?.decision_json ?? '{}') as {
          rules: string[]
          consent: { utility: { state: string } }
        }
        expect(decision.rules).toContain('CCW-7')
        expect(decision.consent.utility.state).toBe('none')
      }
      for (const contact of [saidStop, stoppedMarketing]) {
        const [recorded] = await f.outboundTo(contact)
        expect(JSON.parse(recorded?.decision_json ?? '{}')).toMatchObject({
          consent: { marketing: { state: 'opted_out' } },
        })
      }
    })

    it('is refused by decide when the contact revoked all consent: recorded, announced, never sent, not retried', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      await f.openCase('reengage', contact, { externalId: 'T-7' })
      f.advance(HOUR)
      expect(
        (await f.api('DELETE', `/v1/channels/${NUMBERS.reengage}/contacts/${contact}/consent`)).status,
      ).toBe(200)

      await runAt(f, CLOSES_AT, DUE_AT, DUE_AT + HOUR)
      // The customer writes once more (which lifts the revocation while that window is open) and goes quiet
      // again: the refused attempt counts against the interval, so no second one within it.
      const comeback = DUE_AT + 2 * HOUR
      f.setTime(comeback)
      await f.customerWrites('reengage', contact, { text: 'ok' })
      await runAt(f, comeback + DAY, comeback + DAY + REENGAGE_DELAY, comeback + 3 * DAY)
      expect(f.graph.requests).toEqual([])
      const recorded = await f.outboundTo(contact)
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({ allowed: false, reason: 'CONSENT_REVOKED', status: 'refused' })
      const [event] = await f.events({ type: 'case.reengaged', contact })
      expect(event?.data).toMatchObject({
        allowed: false,
        reason: 'CONSENT_REVOKED',
        message_id: recorded[0]?.id,
      })
    })

    it('opens a new window when the customer replies to the template: window.opened, and free-form replies go out again', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('reengage', contact)
      await f.openCase('reengage', contact, { externalId: 'T-8' })
      await runAt(f, CLOSES_AT, DUE_AT)
      expect(ticketIdsTo(f, contact)).toHaveLength(1)

      const refused = await f.businessSends('reengage', textTo(contact, 'Fixed it!'))
      expect(refused.status).toBe(400)
      expect(refused.json).toMatchObject({ error: { code: 131047 } })

      const replyAt = DUE_AT + 2 * HOUR
      f.setTime(replyAt)
      const reply = await f.customerWrites('reengage', contact, { text: 'Continue support' })
      const opened = (await f.events({ type: 'window.opened', contact })).sort((a, b) =>
        a.created_at.localeCompare(b.created_at),
      )
      expect(opened).toHaveLength(2)
      expect(opened[1]).toMatchObject({
        created_at: iso(replyAt),
        data: { message_id: reply },
        window: { state: 'open', last_user_message_at: iso(replyAt), expires_at: iso(replyAt + DAY) },
      })
      const allowed = await f.businessSends('reengage', textTo(contact, 'Fixed it!'))
      expect(allowed.status).toBe(200)
      expect(allowed.headers['x-carewindow-decision']).toBe('IN_CARE_WINDOW')
      expect(f.sentTo(contact)).toHaveLength(2)
    })
  })

  describe(`Issue Resolution re-engagement with a template Meta has not approved (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('is refused with 132001, recorded as refused, never forwarded to Graph, and not retried', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('unapproved', contact)
      await f.openCase('unapproved', contact, { externalId: 'T-U' })

      // The channel re-engages at once (delay 0); the scheduler keeps running for days.
      await runAt(f, CLOSES_AT, CLOSES_AT + MINUTE, CLOSES_AT + HOUR, CLOSES_AT + 3 * DAY)

      expect(f.graph.requests).toEqual([])
      const recorded = await f.outboundTo(contact)
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({
        allowed: false,
        reason: 'TEMPLATE_NOT_APPROVED',
        status: 'refused',
        at: CLOSES_AT,
      })
      const message = await f.api('GET', `/v1/messages/${recorded[0]?.id ?? ''}`)
      expect(message.status).toBe(200)
      expect(message.json).toMatchObject({
        allowed: false,
        reason: 'TEMPLATE_NOT_APPROVED',
        status: 'refused',
        decision: { allowed: false, error: { code: 132001 } },
        body: { type: 'template', template: { name: 'ticket_update' } },
      })
      const refused = await f.events({ type: 'message.refused', contact })
      expect(refused).toHaveLength(1)
      expect(refused[0]?.data).toMatchObject({ message_id: recorded[0]?.id, error: { code: 132001 } })
      const reengaged = await f.events({ type: 'case.reengaged', contact })
      expect(reengaged).toHaveLength(1)
      expect(reengaged[0]?.data).toMatchObject({
        allowed: false,
        reason: 'TEMPLATE_NOT_APPROVED',
        message_id: recorded[0]?.id,
      })
      const channel = await f.channel('unapproved')
      expect(await f.store.getJob(contactJobId(JOB_KINDS.reengage, channel.id, contact))).toMatchObject({
        status: 'done',
        attempts: 0,
      })
    })

    it('is refused with 132015 once Meta paused the template, and goes out again after it was reinstated', async () => {
      const f = fixture()
      const paused = f.newContact()
      const later = f.newContact()
      await f.customerWrites('reengage', paused)
      await f.openCase('reengage', paused, { externalId: 'T-P' })
      f.setTime(T0 + 2 * HOUR)
      await f.customerWrites('reengage', later)
      await f.openCase('reengage', later, { externalId: 'T-L' })
      await f.metaChangesTemplateStatus('ticket_update', 'en', 'PAUSED')

      await runAt(f, CLOSES_AT, DUE_AT)
      expect(f.graph.requests).toEqual([])
      expect(await f.outboundTo(paused)).toMatchObject([
        { allowed: false, reason: 'TEMPLATE_PAUSED', status: 'refused' },
      ])
      const [refused] = await f.events({ type: 'message.refused', contact: paused })
      expect(refused?.data).toMatchObject({ reason: 'TEMPLATE_PAUSED', error: { code: 132015 } })

      await f.metaChangesTemplateStatus('ticket_update', 'en', 'REINSTATED')
      await runAt(f, DUE_AT + 2 * HOUR)
      expect(ticketIdsTo(f, later)).toEqual(['T-L'])
      expect(f.graph.requests).toHaveLength(1)
    })
  })
}

function textTo(contact: string, body: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to: contact, type: 'text', text: { body } }
}
