import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ACME_NUMBER,
  HOLD_EXPIRY_HOURS,
  HOUR,
  INITECH_KEY,
  INITECH_NUMBER,
  openFixture,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'

const SANNE = '31612345678'
const JOOST = '31687654321'
const DAY = 24 * HOUR

const textTo = (to: string, body: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'text',
  text: { body },
})
const heldOf = (contact: string, channel: string = INITECH_NUMBER) =>
  `/v1/channels/${channel}/contacts/${contact}/held`

interface HoldJson {
  readonly id: string
  readonly channel_id: string
  readonly contact_id: string
  readonly status: string
  readonly body: unknown
  readonly refused_message_id: string
  readonly message_id: string | null
  readonly error: string | null
  readonly created_at: string
  readonly expires_at: string
  readonly released_at: string | null
}

/** The error details of Graph's envelope. */
function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

const iso = (at: number) => new Date(at).toISOString()

/**
 * Held replies of Initech's number, which holds free-form replies refused for a closed window: the customer wrote
 * once, the window closed a day later, and the business answered after that.
 */
describe('held replies under /v1', () => {
  let fixture: NativeApiFixture
  beforeEach(async () => {
    fixture = await openFixture('sqlite')
  })
  afterEach(async () => {
    await fixture.close()
  })

  /** Calls the API as Initech unless another key (or none) is given. */
  const call = (method: 'GET' | 'DELETE', url: string, key: string | null = INITECH_KEY): Promise<Reply> =>
    fixture.call(method, url, { key })

  /** The customer writes to Initech's sandbox number now, and carewindow has taken it in (window updated). */
  async function customerWrites(contact: string): Promise<void> {
    const reply = await fixture.call('POST', `/v1/sandbox/${INITECH_NUMBER}/inbound`, {
      key: INITECH_KEY,
      body: { from: contact, text: 'Any news?', at: iso(fixture.now()) },
    })
    expect(reply.status).toBe(202)
    await fixture.gateway.inbox.drain()
  }

  /** Initech's agent answers through the Graph-compatible proxy. */
  function businessSends(contact: string, text: string): Promise<Reply> {
    return fixture.call('POST', `/v21.0/${INITECH_NUMBER}/messages`, {
      key: INITECH_KEY,
      body: textTo(contact, text),
    })
  }

  /** A reply the closed window made carewindow hold: its id, and the refused message's. */
  async function heldReply(contact: string, text: string): Promise<{ id: string; refusedMessageId: string }> {
    const reply = await businessSends(contact, text)
    expect(reply.status, JSON.stringify(reply.body)).toBe(202)
    const id = (reply.body as { held: { id: string } }).held.id
    expect(reply.headers['x-carewindow-hold-id']).toBe(id)
    return { id, refusedMessageId: String(reply.headers['x-carewindow-message-id']) }
  }

  /**
   * The contact wrote; it is now a day and an hour later, the window closed — and announced closed: the scheduler
   * ran its jobs, as a running carewindow does at the close.
   */
  async function windowClosedFor(contact: string): Promise<void> {
    await customerWrites(contact)
    fixture.advance(DAY + HOUR)
    await fixture.gateway.scheduler.runDue()
  }

  async function readHold(id: string): Promise<HoldJson> {
    const reply = await call('GET', `/v1/held/${id}`)
    expect(reply.status).toBe(200)
    return reply.body as HoldJson
  }

  async function listHeld(contact: string, query = ''): Promise<HoldJson[]> {
    const reply = await call('GET', `${heldOf(contact)}${query}`)
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    return (reply.body as { data: HoldJson[] }).data
  }

  describe('GET …/contacts/{contact_id}/held and GET /v1/held/{id}', () => {
    it('lists a contact’s held replies oldest first, each as the send body it was, with its expiry', async () => {
      await windowClosedFor(SANNE)
      const heldAt = fixture.now()
      const first = await heldReply(SANNE, 'The fix is live.')
      fixture.advance(60_000)
      const second = await heldReply(SANNE, 'Please restart the router.')

      const listed = await listHeld(SANNE)
      expect(listed).toEqual([
        {
          id: first.id,
          channel_id: INITECH_NUMBER,
          contact_id: SANNE,
          status: 'held',
          body: textTo(SANNE, 'The fix is live.'),
          refused_message_id: first.refusedMessageId,
          message_id: null,
          error: null,
          created_at: iso(heldAt),
          expires_at: iso(heldAt + HOLD_EXPIRY_HOURS * HOUR),
          released_at: null,
        },
        expect.objectContaining({ id: second.id, body: textTo(SANNE, 'Please restart the router.') }),
      ])
      expect(await readHold(first.id)).toEqual(listed[0])
      // The contact in the path is normalised as carewindow keys contacts.
      expect(await listHeld(encodeURIComponent('+31 6-1234 5678'))).toEqual(listed)
    })

    it('keeps each contact’s held replies apart and lists none for a contact without any', async () => {
      await windowClosedFor(SANNE)
      await heldReply(SANNE, 'For Sanne.')
      expect(await listHeld(JOOST)).toEqual([])
      expect(await listHeld(SANNE)).toHaveLength(1)
    })

    it('filters by status', async () => {
      await windowClosedFor(SANNE)
      const kept = await heldReply(SANNE, 'Keep me.')
      const dropped = await heldReply(SANNE, 'Drop me.')
      expect((await call('DELETE', `/v1/held/${dropped.id}`)).status).toBe(200)

      expect((await listHeld(SANNE, '?status=held')).map((hold) => hold.id)).toEqual([kept.id])
      expect((await listHeld(SANNE, '?status=cancelled')).map((hold) => hold.id)).toEqual([dropped.id])
      expect(await listHeld(SANNE, '?status=released')).toEqual([])
    })

    it.each<[string, string, string]>([
      [
        'a status that is not one',
        '?status=sent',
        'status: status must be held, releasing, released, failed, cancelled or expired',
      ],
      ['a status given twice', '?status=held&status=expired', 'status: status must be held'],
      ['an unknown parameter', '?state=held', 'Unrecognized key: "state"'],
    ])('refuses a list with %s with a 400 naming the parameter', async (_case, query, message) => {
      const reply = await call('GET', `${heldOf(SANNE)}${query}`)
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(message)
    })

    it('answers 404 for a held reply that does not exist', async () => {
      const reply = await call('GET', '/v1/held/hold_missing')
      expect(reply.status).toBe(404)
      expect(details(reply)).toContain("there is no held reply 'hold_missing'")
    })
  })

  describe('DELETE /v1/held/{id}', () => {
    it('cancels a held reply: 200 with it cancelled, its expiry dropped, and it never goes out', async () => {
      await windowClosedFor(SANNE)
      const cancelled = await heldReply(SANNE, 'Never mind this one.')
      const kept = await heldReply(SANNE, 'The fix is live.')

      const reply = await call('DELETE', `/v1/held/${cancelled.id}`)
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ id: cancelled.id, status: 'cancelled', message_id: null })
      expect(await readHold(cancelled.id)).toMatchObject({ status: 'cancelled' })
      expect(await fixture.gateway.store.getJob(`hold-expiry:${cancelled.id}`)).toMatchObject({
        status: 'cancelled',
      })
      expect(await fixture.gateway.store.getJob(`hold-expiry:${kept.id}`)).toMatchObject({
        status: 'pending',
      })

      // Sanne comes back: the reply still held goes out, the cancelled one does not.
      fixture.advance(HOUR)
      await customerWrites(SANNE)
      await fixture.gateway.scheduler.runDue()
      expect(await readHold(kept.id)).toMatchObject({
        status: 'released',
        message_id: expect.any(String) as unknown,
        released_at: iso(fixture.now()),
      })
      expect(await readHold(cancelled.id)).toMatchObject({ status: 'cancelled', message_id: null })
    })

    it('answers 409 for a reply cancelled already, and leaves it as it is', async () => {
      await windowClosedFor(SANNE)
      const { id } = await heldReply(SANNE, 'Twice?')
      expect((await call('DELETE', `/v1/held/${id}`)).status).toBe(200)
      const before = await readHold(id)

      const again = await call('DELETE', `/v1/held/${id}`)
      expect(again.status).toBe(409)
      expect(details(again)).toContain(
        `held reply ${id} is cancelled already; only a held one can be cancelled`,
      )
      expect(await readHold(id)).toEqual(before)
    })

    it('answers 409 for a reply released when the customer came back, and leaves it released', async () => {
      await windowClosedFor(SANNE)
      const { id } = await heldReply(SANNE, 'The fix is live.')
      fixture.advance(HOUR)
      await customerWrites(SANNE)
      await fixture.gateway.scheduler.runDue()
      const released = await readHold(id)
      expect(released).toMatchObject({ status: 'released', message_id: expect.any(String) as unknown })

      const reply = await call('DELETE', `/v1/held/${id}`)
      expect(reply.status).toBe(409)
      expect(details(reply)).toContain(`held reply ${id} is released; only a held one can be cancelled`)
      expect(await readHold(id)).toEqual(released)
    })

    it('answers 409 for a reply that expired', async () => {
      await windowClosedFor(SANNE)
      const { id } = await heldReply(SANNE, 'Too late.')
      fixture.advance(HOLD_EXPIRY_HOURS * HOUR)
      await fixture.gateway.scheduler.runDue()
      expect(await readHold(id)).toMatchObject({ status: 'expired' })

      const reply = await call('DELETE', `/v1/held/${id}`)
      expect(reply.status).toBe(409)
      expect(details(reply)).toContain('is expired; only a held one can be cancelled')
    })

    it('answers 404 for a held reply that does not exist', async () => {
      const reply = await call('DELETE', '/v1/held/hold_missing')
      expect(reply.status).toBe(404)
      expect(details(reply)).toContain("there is no held reply 'hold_missing'")
    })
  })

  describe('a channel without held replies', () => {
    it('refuses the reply to a closed window (Graph’s 131047) and holds nothing', async () => {
      await fixture.customerWrites(SANNE)
      fixture.advance(DAY + HOUR)
      const reply = await fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, {
        body: textTo(SANNE, 'Hello?'),
      })
      expect(reply.status).toBe(400)
      expect(reply.body).toMatchObject({ error: { code: 131047 } })
      expect(await fixture.countRows('held_messages')).toBe(0)
      expect((await fixture.call('GET', heldOf(SANNE, ACME_NUMBER))).body).toEqual({ data: [] })
    })
  })

  describe('the OpenAPI document', () => {
    it('documents the held-reply routes with a summary and their error responses', async () => {
      const reply = await fixture.app.inject({ method: 'GET', url: '/docs/json' })
      const paths = (
        JSON.parse(reply.body) as {
          paths: Record<string, Record<string, { summary?: string; responses?: object }>>
        }
      ).paths
      const routes = [
        ['get', '/v1/channels/{channelId}/contacts/{contactId}/held', ['200', '400', '401', '404', '503']],
        ['get', '/v1/held/{holdId}', ['200', '401', '404', '503']],
        // A DELETE may carry a body: 400 for bad JSON, 413 and 415 as every route that takes one.
        ['delete', '/v1/held/{holdId}', ['200', '400', '401', '403', '404', '409', '413', '415', '503']],
      ] as const
      for (const [method, path, statuses] of routes) {
        const operation = paths[path]?.[method]
        expect(operation?.summary, `${method} ${path}`).toEqual(expect.any(String))
        expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([...statuses])
      }
    })
  })

  describe('tenancy', () => {
    it('answers another tenant’s held reply with 404 exactly as a missing one, and cancels nothing', async () => {
      await windowClosedFor(SANNE)
      const { id } = await heldReply(SANNE, 'Initech only.')
      for (const method of ['GET', 'DELETE'] as const) {
        // Acme's key (the fixture's default).
        const theirs = await fixture.call(method, `/v1/held/${id}`)
        const missing = await fixture.call(method, '/v1/held/hold_missing')
        expect(theirs.status).toBe(404)
        expect(details(theirs).replace(id, 'ID')).toBe(details(missing).replace('hold_missing', 'ID'))
      }
      expect((await fixture.call('GET', heldOf(SANNE))).status).toBe(404)
      expect(await readHold(id)).toMatchObject({ status: 'held' })
    })

    it.each([
      ['GET', heldOf(SANNE)],
      ['GET', '/v1/held/hold_1'],
      ['DELETE', '/v1/held/hold_1'],
    ] as const)('answers %s %s with 401 without a valid API key', async (method, url) => {
      for (const key of [null, 'cw_not_a_key_of_anyone_0000']) {
        const reply = await call(method, url, key)
        expect(reply.status).toBe(401)
        expect(reply.body).toMatchObject({ error: { code: 190, type: 'OAuthException' } })
      }
    })

    it('answers 401 to a cancel without a key and leaves the reply held', async () => {
      await windowClosedFor(SANNE)
      const { id } = await heldReply(SANNE, 'Still here.')
      expect((await call('DELETE', `/v1/held/${id}`, null)).status).toBe(401)
      expect(await readHold(id)).toMatchObject({ status: 'held' })
    })
  })
})
