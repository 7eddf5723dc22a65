import { describe, expect, it } from 'vitest'
import { contactJobId, JOB_KINDS } from '../../src/scheduler/jobs.js'
import { waitFor } from '../support/wait.js'
import {
  DAY,
  DIALECTS,
  HOLD_EXPIRY,
  HOUR,
  MINUTE,
  NUMBERS,
  promoTo,
  SECOND,
  T0,
  useFixture,
  type AutomationsFixture,
  type ChannelName,
} from './automations-fixture.js'

const iso = (instant: number) => new Date(instant).toISOString()

/** The customer wrote at T0; their window closes here. */
const CLOSES_AT = T0 + DAY

interface HoldJson {
  readonly id: string
  readonly status: string
  readonly body: unknown
  readonly refused_message_id: string
  readonly message_id: string | null
  readonly error: string | null
  readonly created_at: string
  readonly expires_at: string
  readonly released_at: string | null
}

function textTo(contact: string, body: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to: contact, type: 'text', text: { body } }
}

/** What Graph received for a contact, in arrival order: text bodies as they are, templates as `template:<name>`. */
function sentBodies(f: AutomationsFixture, contact: string, name: ChannelName = 'holds'): string[] {
  return f.sentTo(contact, name).map((request) => {
    const body = JSON.parse(request.body.toString('utf8')) as {
      type: string
      text?: { body: string }
      template?: { name: string }
    }
    return body.type === 'text' ? (body.text?.body ?? '') : `${body.type}:${body.template?.name ?? ''}`
  })
}

/** The business posts a free-form reply; it must be held. Returns the hold id. */
async function heldReply(f: AutomationsFixture, contact: string, text: string): Promise<string> {
  const sent = await f.businessSends('holds', textTo(contact, text))
  expect(sent.status).toBe(202)
  const holdId = sent.headers['x-carewindow-hold-id']
  expect(holdId).toMatch(/^hold_/)
  return holdId as string
}

async function listHolds(f: AutomationsFixture, contact: string, status?: string): Promise<HoldJson[]> {
  const query = status === undefined ? '' : `?status=${status}`
  const listed = await f.api('GET', `/v1/channels/${NUMBERS.holds}/contacts/${contact}/held${query}`)
  expect(listed.status).toBe(200)
  return (listed.json as { data: HoldJson[] }).data
}

/** The customer wrote at T0 and the window closed (announced) at T0 + 24 h. */
async function closedWindow(f: AutomationsFixture, contact: string): Promise<void> {
  await f.customerWrites('holds', contact)
  f.setTime(CLOSES_AT)
  await f.runDue()
}

for (const dialect of DIALECTS) {
  describe(`held replies (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('holds a free-form reply refused only because the window closed: 202 with the hold id, nothing forwarded', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      const heldAt = CLOSES_AT + HOUR
      f.setTime(heldAt)

      const sent = await f.businessSends('holds', textTo(contact, 'The fix is live.'))
      expect(sent.status).toBe(202)
      expect(sent.headers['x-carewindow-decision']).toBe('WINDOW_CLOSED')
      const holdId = sent.headers['x-carewindow-hold-id']
      const messageId = sent.headers['x-carewindow-message-id']
      expect(sent.json).toMatchObject({
        held: { id: holdId, status: 'held', expires_at: iso(heldAt + HOLD_EXPIRY) },
        message_id: messageId,
      })
      expect(sentBodies(f, contact)).not.toContain('The fix is live.')

      // The refused send is recorded as such; a held reply is not announced as refused.
      const recorded = await f.outboundTo(contact)
      expect(recorded).toMatchObject([
        { id: messageId, allowed: false, reason: 'WINDOW_CLOSED', status: 'refused' },
      ])
      expect(await f.events({ type: 'message.refused', contact })).toEqual([])
      const [hold] = await listHolds(f, contact)
      expect(hold).toEqual({
        id: holdId,
        channel_id: NUMBERS.holds,
        contact_id: contact,
        status: 'held',
        body: textTo(contact, 'The fix is live.'),
        refused_message_id: messageId,
        message_id: null,
        error: null,
        created_at: iso(heldAt),
        expires_at: iso(heldAt + HOLD_EXPIRY),
        released_at: null,
      })
      const one = await f.api('GET', `/v1/held/${String(holdId)}`)
      expect(one).toEqual({ status: 200, json: hold })
    })

    it('invites the customer back with the re-engagement template once per closed window, however many replies wait', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      // The channel has no re-engagement of its own: nothing goes out when the window closes.
      expect(f.graph.requests).toEqual([])

      f.setTime(CLOSES_AT + HOUR)
      await heldReply(f, contact, 'first')
      await f.runDue()
      f.advance(MINUTE)
      await heldReply(f, contact, 'second')
      await f.runDue()
      f.advance(DAY)
      await f.runDue()

      expect(sentBodies(f, contact)).toEqual(['template:ticket_update'])
      const [request] = f.sentTo(contact)
      expect(JSON.parse(request?.body.toString('utf8') ?? '{}')).toMatchObject({
        template: {
          name: 'ticket_update',
          language: { code: 'en' },
          // The channel's default parameters: a hold has no case to take the ticket id from.
          components: [
            {
              type: 'body',
              parameters: [{ type: 'text', parameter_name: 'ticket_id', text: 'your request' }],
            },
          ],
        },
      })
      const recorded = (await f.outboundTo(contact)).filter((row) => row.allowed === true)
      expect(recorded).toMatchObject([{ reason: 'ISSUE_RESOLUTION_TEMPLATE', status: 'accepted' }])
      const [reengaged] = await f.events({ type: 'case.reengaged', contact })
      expect(reengaged?.data).toMatchObject({ case_id: null, allowed: true, message_id: recorded[0]?.id })
    })

    it('releases the held replies in the order they were held the moment the customer replies', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      const holdIds: string[] = []
      for (const [minutes, text] of [
        [60, 'one'],
        [61, 'two'],
        [62, 'three'],
      ] as const) {
        f.setTime(CLOSES_AT + minutes * MINUTE)
        holdIds.push(await heldReply(f, contact, text))
        await f.runDue()
      }
      expect(sentBodies(f, contact)).toEqual(['template:ticket_update'])

      const replyAt = CLOSES_AT + 5 * HOUR
      f.setTime(replyAt)
      await f.customerWrites('holds', contact, { text: 'Continue support' })
      await f.runDue()

      expect(sentBodies(f, contact)).toEqual(['template:ticket_update', 'one', 'two', 'three'])
      const holds = await listHolds(f, contact)
      expect(holds.map((hold) => [hold.id, hold.status, hold.released_at])).toEqual(
        holdIds.map((id) => [id, 'released', iso(replyAt)]),
      )
      const released = await f.outboundTo(contact)
      for (const hold of holds) {
        expect(released.find((row) => row.id === hold.message_id)).toMatchObject({
          allowed: true,
          reason: 'IN_CARE_WINDOW',
          status: 'accepted',
        })
      }
      const events = await f.events({ type: 'held_message.released', contact })
      expect(events.map((event) => event.data.hold_id).sort()).toEqual([...holdIds].sort())
      for (const event of events) {
        const hold = holds.find((candidate) => candidate.id === event.data.hold_id)
        expect(event.data).toEqual({
          hold_id: hold?.id,
          message_id: hold?.message_id,
          status: 'released',
          reason: 'IN_CARE_WINDOW',
        })
        expect(event).toMatchObject({ created_at: iso(replyAt), window: { state: 'open' } })
      }
      const opened = await f.events({ type: 'window.opened', contact })
      expect(opened).toHaveLength(2)
    })

    it('releases held replies when the customer comes back before the scheduler announced the close', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('holds', contact)
      // The scheduler is down from here on: nothing runs between the close, the hold and the customer's reply.
      f.setTime(CLOSES_AT + HOUR)
      const holdId = await heldReply(f, contact, 'the fix')
      f.setTime(CLOSES_AT + 2 * HOUR)
      await f.customerWrites('holds', contact, { text: 'Continue support' })
      await f.runDue()

      expect(sentBodies(f, contact)).toEqual(['the fix'])
      expect((await listHolds(f, contact)).map((hold) => [hold.id, hold.status])).toEqual([
        [holdId, 'released'],
      ])
      expect(
        (await f.events({ type: 'window.closed', contact })).map((event) => event.window.expires_at),
      ).toEqual([iso(CLOSES_AT)])
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(2)
    })

    it('releases replies held within the same millisecond in the order they were held', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      f.setTime(CLOSES_AT + HOUR)
      const texts = ['a', 'b', 'c', 'd', 'e', 'f']
      for (const text of texts) await heldReply(f, contact, text)
      await f.runDue()

      f.advance(HOUR)
      await f.customerWrites('holds', contact)
      await f.runDue()
      expect(sentBodies(f, contact)).toEqual(['template:ticket_update', ...texts])
      expect(
        (await listHolds(f, contact)).map((hold) => (hold.body as { text: { body: string } }).text.body),
      ).toEqual(texts)
    })

    it('releases each held reply once: a second reply or a re-run of the release sends nothing more', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      f.setTime(CLOSES_AT + HOUR)
      await heldReply(f, contact, 'once')
      await f.runDue()
      f.setTime(CLOSES_AT + 2 * HOUR)
      await f.customerWrites('holds', contact)
      await f.runDue()

      const channel = await f.channel('holds')
      await f.store.scheduleJob(
        {
          id: contactJobId(JOB_KINDS.releaseHeld, channel.id, contact),
          kind: JOB_KINDS.releaseHeld,
          channelId: channel.id,
          contactId: contact,
          dueAt: f.time(),
          payload: {},
        },
        f.time(),
      )
      f.advance(MINUTE)
      expect(await f.runDue()).toBe(1)
      f.advance(HOUR)
      await f.customerWrites('holds', contact)
      await f.runDue()

      expect(sentBodies(f, contact)).toEqual(['template:ticket_update', 'once'])
      expect(await f.events({ type: 'held_message.released', contact })).toHaveLength(1)
    })

    it('answers 409 to a cancel that comes while the reply is being sent, and never sends again a release Graph did not answer', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      f.setTime(CLOSES_AT + HOUR)
      const holdId = await heldReply(f, contact, 'the fix')
      await f.runDue()
      f.setTime(CLOSES_AT + 2 * HOUR)
      await f.customerWrites('holds', contact)
      // Graph does not answer the release: it may have taken it, so it is not sent again.
      f.graph.hangNext(1)
      const requestsBefore = f.graph.requests.length
      const releasing = f.runDue()
      await waitFor('the release reaching Graph', () => f.graph.requests.length > requestsBefore)

      const cancel = await f.api('DELETE', `/v1/held/${holdId}`)
      expect(cancel.status).toBe(409)
      expect(JSON.stringify(cancel.json)).toContain('releasing')
      await releasing
      const [released] = await listHolds(f, contact)
      expect(released?.status).toBe('released')
      const message = await f.api('GET', `/v1/messages/${String(released?.message_id)}`)
      expect(message.json).toMatchObject({ status: 'unknown' })

      f.advance(2 * MINUTE)
      await f.runDue()
      expect(sentBodies(f, contact)).toEqual(['template:ticket_update', 'the fix'])
      expect(f.sentTo(contact, 'holds').map((request) => request.status)).toEqual([200, null])
      expect(await f.events({ type: 'held_message.released', contact })).toHaveLength(1)
    })

    it('retries a release Graph did not take (5xx), and sends it once', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      f.setTime(CLOSES_AT + HOUR)
      const holdId = await heldReply(f, contact, 'the fix')
      await f.runDue()
      f.setTime(CLOSES_AT + 2 * HOUR)
      f.graph.failNext(1, 503)
      await f.customerWrites('holds', contact)
      await f.runDue()
      expect((await listHolds(f, contact)).map((hold) => hold.status)).toEqual(['releasing'])

      // The job failed and said why; it is not lost.
      expect(f.problems.splice(0).map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
        'job failed; it will be retried when its lease ends',
      ])

      // When the job's lease has run out, the release is tried again and goes out once.
      f.advance(2 * MINUTE)
      await f.runDue()
      expect((await listHolds(f, contact)).map((hold) => [hold.id, hold.status])).toEqual([
        [holdId, 'released'],
      ])
      expect(sentBodies(f, contact)).toEqual(['template:ticket_update', 'the fix', 'the fix'])
      expect(f.sentTo(contact, 'holds').map((request) => request.status)).toEqual([200, 503, 200])
      expect(await f.events({ type: 'held_message.released', contact })).toHaveLength(1)
    })

    it('lists and cancels held replies: a cancelled one is never sent, and cannot be cancelled twice', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      f.setTime(CLOSES_AT + HOUR)
      const keep = await heldReply(f, contact, 'keep me')
      f.advance(SECOND)
      const drop = await heldReply(f, contact, 'drop me')
      f.advance(SECOND)
      const alsoKeep = await heldReply(f, contact, 'keep me too')
      await f.runDue()

      expect((await listHolds(f, contact)).map((hold) => hold.id)).toEqual([keep, drop, alsoKeep])
      const cancelled = await f.api('DELETE', `/v1/held/${drop}`)
      expect(cancelled.status).toBe(200)
      expect(cancelled.json).toMatchObject({ id: drop, status: 'cancelled', message_id: null })
      const again = await f.api('DELETE', `/v1/held/${drop}`)
      expect(again.status).toBe(409)
      expect((await listHolds(f, contact, 'held')).map((hold) => hold.id)).toEqual([keep, alsoKeep])
      expect((await listHolds(f, contact, 'cancelled')).map((hold) => hold.id)).toEqual([drop])

      f.advance(HOUR)
      await f.customerWrites('holds', contact)
      await f.runDue()
      f.advance(HOLD_EXPIRY)
      await f.runDue()

      expect(sentBodies(f, contact)).toEqual(['template:ticket_update', 'keep me', 'keep me too'])
      expect((await listHolds(f, contact)).map((hold) => [hold.id, hold.status])).toEqual([
        [keep, 'released'],
        [drop, 'cancelled'],
        [alsoKeep, 'released'],
      ])
      const releasedIds = (await f.events({ type: 'held_message.released', contact })).map(
        (event) => event.data.hold_id,
      )
      expect(releasedIds).not.toContain(drop)
      // A released reply cannot be cancelled after it went out; an unknown one is not found.
      expect((await f.api('DELETE', `/v1/held/${keep}`)).status).toBe(409)
      expect((await f.api('DELETE', '/v1/held/hold_nope')).status).toBe(404)
    })

    it('expires held replies after expire_after_hours: never sent afterwards, even when the customer replies', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      const heldAt = CLOSES_AT + HOUR
      f.setTime(heldAt)
      const holdId = await heldReply(f, contact, 'too late')
      await f.runDue()

      f.setTime(heldAt + HOLD_EXPIRY - 1)
      await f.runDue()
      expect((await listHolds(f, contact)).map((hold) => hold.status)).toEqual(['held'])
      f.setTime(heldAt + HOLD_EXPIRY)
      await f.runDue()
      expect((await listHolds(f, contact)).map((hold) => hold.status)).toEqual(['expired'])
      expect((await f.api('DELETE', `/v1/held/${holdId}`)).status).toBe(409)

      f.advance(HOUR)
      await f.customerWrites('holds', contact)
      await f.runDue()
      expect(sentBodies(f, contact)).toEqual(['template:ticket_update'])
      expect(await f.events({ type: 'held_message.released', contact })).toEqual([])
    })

    it('does not send a held reply whose expiry job has not run yet when the customer replies at its expiry', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      const heldAt = CLOSES_AT + HOUR
      f.setTime(heldAt)
      const holdId = await heldReply(f, contact, 'expired meanwhile')
      await f.runDue()
      // The expiry job lags behind (as after a restart): the release must judge the expiry itself.
      await f.store.cancelJob(`${JOB_KINDS.holdExpiry}:${holdId}`, f.time())

      f.setTime(heldAt + HOLD_EXPIRY)
      await f.customerWrites('holds', contact)
      await f.runDue()
      expect(sentBodies(f, contact)).toEqual(['template:ticket_update'])
      expect((await listHolds(f, contact)).map((hold) => hold.status)).toEqual(['expired'])
      expect(await f.events({ type: 'held_message.released', contact })).toEqual([])
    })

    it('refuses with 400, without holding, a send refused for another reason than the closed window', async () => {
      const f = fixture()
      const contact = f.newContact()
      await closedWindow(f, contact)
      f.setTime(CLOSES_AT + HOUR)

      // A template without its parameter: 132000.
      const badParameters = await f.businessSends('holds', {
        messaging_product: 'whatsapp',
        to: contact,
        type: 'template',
        template: { name: 'ticket_update', language: { code: 'en' } },
      })
      expect(badParameters.status).toBe(400)
      expect(badParameters.json).toMatchObject({ error: { code: 132000 } })
      // A marketing template outside the window without an opt-in.
      const promo = promoTo(contact)
      const noOptIn = await f.businessSends('holds', promo)
      expect(noOptIn.status).toBe(400)
      expect(noOptIn.headers['x-carewindow-decision']).toBe('NO_OPT_IN')
      // The same template after the customer opted in, then said STOP: 131050.
      const optIn = await f.api('POST', `/v1/channels/${NUMBERS.holds}/contacts/${contact}/consent`, {
        scope: 'marketing',
        source: 'website_form',
      })
      expect(optIn.status).toBe(201)
      f.advance(MINUTE)
      await f.customerWrites('holds', contact, { text: 'STOP' })
      const optedOut = await f.businessSends('holds', promo)
      expect(optedOut.status).toBe(400)
      expect(optedOut.json).toMatchObject({ error: { code: 131050 } })
      // A contact who never wrote has no conversation to come back to: the normal 131047.
      const stranger = f.newContact()
      const neverWrote = await f.businessSends('holds', textTo(stranger, 'Hello?'))
      expect(neverWrote.status).toBe(400)
      expect(neverWrote.json).toMatchObject({ error: { code: 131047 } })

      for (const reply of [badParameters, noOptIn, optedOut, neverWrote])
        expect(reply.headers['x-carewindow-hold-id']).toBeUndefined()
      expect(await f.holdsOf(contact)).toEqual([])
      expect(await f.holdsOf(stranger)).toEqual([])
      await f.runDue()
      expect(f.graph.requests).toEqual([])
      expect(await f.events({ type: 'message.refused', contact })).toHaveLength(3)
    })

    it('does not hold a free-form reply to a contact who revoked all consent: it is refused with 400', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('holds', contact)
      f.advance(HOUR)
      expect(
        (await f.api('DELETE', `/v1/channels/${NUMBERS.holds}/contacts/${contact}/consent`)).status,
      ).toBe(200)
      f.setTime(CLOSES_AT)
      await f.runDue()

      f.advance(HOUR)
      const sent = await f.businessSends('holds', textTo(contact, 'Any news?'))
      expect(sent.status).toBe(400)
      expect(sent.json).toMatchObject({ error: { code: 131047 } })
      expect(sent.headers['x-carewindow-hold-id']).toBeUndefined()
      expect(await f.holdsOf(contact)).toEqual([])
      const [refused] = await f.events({ type: 'message.refused', contact })
      expect(refused?.data).toMatchObject({ message_id: sent.headers['x-carewindow-message-id'] })
      // No invitation either: the re-engagement template could not go out to a contact who revoked consent.
      await f.runDue()
      expect(f.graph.requests).toEqual([])
      expect(await f.outboundTo(contact)).toHaveLength(1)
    })
  })

  describe(`replies on a channel without held replies (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('refuses a free-form reply outside the window with the normal 400 131047, holding nothing', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(CLOSES_AT)
      await f.runDue()

      const sent = await f.businessSends('plain', textTo(contact, 'The fix is live.'))
      expect(sent.status).toBe(400)
      expect(sent.headers['x-carewindow-hold-id']).toBeUndefined()
      expect(sent.json).toMatchObject({ error: { code: 131047, type: 'OAuthException' } })
      expect(await f.holdsOf(contact)).toEqual([])
      const [refused] = await f.events({ type: 'message.refused', contact })
      expect(refused?.data).toMatchObject({ reason: 'WINDOW_CLOSED', error: { code: 131047 } })

      f.advance(HOUR)
      await f.customerWrites('plain', contact)
      await f.runDue()
      expect(f.graph.requests).toEqual([])
    })
  })
}
