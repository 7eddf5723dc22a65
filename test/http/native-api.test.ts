import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ACME_APP_SECRET,
  ACME_CLOUD_NUMBER,
  ACME_NUMBER,
  ACME_PAGE,
  ACME_PAGE_SECRET,
  CLOUD_ACCESS_TOKEN,
  GLOBEX_KEY,
  GLOBEX_NUMBER,
  HOUR,
  openFixture,
  T0,
  type FixtureDialect,
  type NativeApiFixture,
  type Reply,
  type Table,
} from './native-api-fixture.js'

const DAY = 24 * HOUR
const SANNE = '31612345678'

const textTo = (to: string) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Hi!' } })
const springSaleTo = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: {
    name: 'spring_sale',
    language: { code: 'en' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: '20%' }] }],
  },
})
const ticketUpdateTo = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: {
    name: 'ticket_update',
    language: { code: 'en' },
    components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'ticket_id', text: 'T-42' }] }],
  },
})

const channel = (id: string = ACME_NUMBER) => `/v1/channels/${id}`
const windowOf = (contact: string, id?: string) => `${channel(id)}/contacts/${contact}/window`
const consentOf = (contact: string, id?: string) => `${channel(id)}/contacts/${contact}/consent`

/** The error details of Graph's envelope. */
function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

interface Decision {
  readonly allowed: boolean
  readonly reason: string
  readonly explanation: string
}

async function dryRun(fixture: NativeApiFixture, message: object, extra: object = {}): Promise<Decision> {
  const reply = await fixture.call('POST', `${channel()}/decisions`, { body: { message, ...extra } })
  expect(reply.status).toBe(200)
  return reply.body as Decision
}

/** Everything a dry run must leave untouched. */
async function rowCounts(fixture: NativeApiFixture): Promise<Record<Table, number>> {
  return {
    messages: await fixture.countRows('messages'),
    windows: await fixture.countRows('windows'),
    contacts: await fixture.countRows('contacts'),
    consent_events: await fixture.countRows('consent_events'),
    templates: await fixture.countRows('templates'),
  }
}

async function send(fixture: NativeApiFixture, body: object): Promise<Reply> {
  return fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, { body })
}

/**
 * The scenario the native API exists for, on each store: a customer writes, the business watches the window
 * count down, records consent, asks what would happen before sending, changes a template and reads back a sent
 * message with its decision.
 */
function coreScenario(dialect: FixtureDialect) {
  describe(`the native API's core scenario on ${dialect}`, () => {
    let fixture: NativeApiFixture
    beforeEach(async () => {
      fixture = await openFixture(dialect)
    })
    afterEach(async () => {
      await fixture.close()
    })

    it('follows a window, consent, dry runs, a template change and a sent message through the API', async () => {
      await fixture.customerWrites(SANNE)
      fixture.advance(HOUR)
      expect((await fixture.call('GET', windowOf(SANNE))).body).toMatchObject({
        state: 'open',
        expires_at: new Date(T0 + DAY).toISOString(),
        seconds_left: 23 * 3600,
      })
      const list = await fixture.call('GET', `${channel()}/contacts?state=open`)
      expect(list.body).toMatchObject({
        data: [{ contact_id: SANNE, country: 'NL', window: { state: 'open' } }],
        paging: { next_cursor: null },
      })

      // After the window, a marketing template needs an opt-in (CCW-6)…
      fixture.advance(DAY)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({
        allowed: false,
        reason: 'NO_OPT_IN',
      })
      const optIn = await fixture.call('POST', consentOf(SANNE), {
        body: { scope: 'all', source: 'website_form', evidence: 'form v3' },
      })
      expect(optIn.status).toBe(201)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({
        allowed: true,
        reason: 'OPTED_IN_TEMPLATE',
      })
      // …and a marketing opt-out refuses it again (131050), while the history keeps both entries.
      const optOut = await fixture.call('DELETE', `${consentOf(SANNE)}?scope=marketing`)
      expect(optOut.status).toBe(200)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({
        allowed: false,
        reason: 'OPTED_OUT',
        error: { code: 131050 },
      })
      expect((await fixture.call('GET', consentOf(SANNE))).body).toMatchObject({
        history: [
          { kind: 'opt_in', scope: 'all' },
          { kind: 'opt_out', scope: 'marketing' },
        ],
        current: { marketing: { state: 'opted_out' }, utility: { state: 'opted_in' } },
      })

      // Pausing the utility template refuses it in the very next decision.
      expect(await dryRun(fixture, ticketUpdateTo(SANNE))).toMatchObject({ allowed: true })
      const paused = await fixture.call('PUT', `${channel()}/templates/ticket_update/en`, {
        body: {
          category: 'UTILITY',
          status: 'PAUSED',
          issue_resolution: true,
          body: 'We have updates regarding your ticket {{ticket_id}}.',
        },
      })
      expect(paused.status).toBe(200)
      expect(await dryRun(fixture, ticketUpdateTo(SANNE))).toMatchObject({
        allowed: false,
        reason: 'TEMPLATE_PAUSED',
      })

      // Dry runs wrote nothing; a send writes its message, which reads back with its decision.
      const before = await rowCounts(fixture)
      await dryRun(fixture, textTo('31687654321'))
      expect(await rowCounts(fixture)).toEqual(before)
      const sent = await send(fixture, textTo(SANNE))
      expect(sent.status).toBe(400)
      expect(await fixture.countRows('messages')).toBe(before.messages + 1)
      const message = await fixture.call(
        'GET',
        `/v1/messages/${String(sent.headers['x-carewindow-message-id'])}`,
      )
      expect(message.body).toMatchObject({
        direction: 'outbound',
        contact_id: SANNE,
        status: 'refused',
        allowed: false,
        reason: 'WINDOW_CLOSED',
        decision: { reason: 'WINDOW_CLOSED', explanation: expect.stringContaining('Refused') as unknown },
      })
    })
  })
}

coreScenario('sqlite')
coreScenario('postgres')

describe('the native /v1 API', () => {
  let fixture: NativeApiFixture
  beforeEach(async () => {
    fixture = await openFixture('sqlite')
  })
  afterEach(async () => {
    await fixture.close()
  })

  describe('authentication and tenancy', () => {
    const routes: readonly (readonly ['GET' | 'POST' | 'PUT' | 'DELETE', string])[] = [
      ['GET', '/v1/channels'],
      ['GET', windowOf(SANNE)],
      ['GET', `${channel()}/contacts`],
      ['POST', consentOf(SANNE)],
      ['DELETE', consentOf(SANNE)],
      ['GET', consentOf(SANNE)],
      ['GET', `${channel()}/templates`],
      ['POST', `${channel()}/templates`],
      ['POST', `${channel()}/templates/import`],
      ['GET', `${channel()}/templates/ticket_update/en`],
      ['PUT', `${channel()}/templates/ticket_update/en`],
      ['DELETE', `${channel()}/templates/ticket_update/en`],
      ['GET', '/v1/messages/msg_1'],
      ['POST', `${channel()}/decisions`],
    ]

    it.each(routes)(
      'answers %s %s with 401 and Graph’s code 190 without a valid API key',
      async (method, url) => {
        for (const key of [null, 'cw_not_a_key_of_anyone_0000']) {
          const reply = await fixture.call(method, url, { key, body: {} })
          expect(reply.status).toBe(401)
          expect(reply.body).toMatchObject({ error: { code: 190, type: 'OAuthException' } })
        }
      },
    )

    it.each([
      [{}, 'the request carries no API key. Send Authorization: Bearer <carewindow API key>.'],
      [
        { authorization: 'Basic YWNtZTpzZWNyZXQ=' },
        'the Authorization header carries no API key (it takes the form "Bearer <key>"). Send Authorization: Bearer <carewindow API key>.',
      ],
      [
        { authorization: 'Bearer cw_not_a_key_of_anyone_0000' },
        'the API key is unknown or revoked. Send Authorization: Bearer <carewindow API key>.',
      ],
    ])('says once what is wrong with the credentials %j and what to send', async (headers, expected) => {
      const reply = await fixture.app.inject({ method: 'GET', url: '/v1/channels', headers })
      expect(reply.statusCode).toBe(401)
      expect(
        details({
          status: reply.statusCode,
          body: JSON.parse(reply.body) as unknown,
          headers: reply.headers,
        }),
      ).toBe(expected)
    })

    it('takes the API key from Graph’s access_token query parameter too', async () => {
      const reply = await fixture.call('GET', `/v1/channels?access_token=${GLOBEX_KEY}`, { key: null })
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ data: [{ id: GLOBEX_NUMBER }] })
    })

    it('answers 404 for another tenant’s channel exactly as for a channel that does not exist', async () => {
      const theirs = await fixture.call('GET', windowOf(SANNE, GLOBEX_NUMBER))
      const missing = await fixture.call('GET', windowOf(SANNE, '999'))
      expect(theirs.status).toBe(404)
      expect(missing.status).toBe(404)
      expect(details(theirs).replace(GLOBEX_NUMBER, 'ID')).toBe(details(missing).replace('999', 'ID'))
    })

    it.each([
      ['GET', `${channel(GLOBEX_NUMBER)}/contacts`],
      ['POST', consentOf(SANNE, GLOBEX_NUMBER)],
      ['GET', `${channel(GLOBEX_NUMBER)}/templates/ticket_update/en`],
      ['DELETE', `${channel(GLOBEX_NUMBER)}/templates/ticket_update/en`],
      ['POST', `${channel(GLOBEX_NUMBER)}/decisions`],
    ] as const)(
      'answers %s %s on another tenant’s channel with 404 and changes nothing',
      async (method, url) => {
        const before = await rowCounts(fixture)
        const reply = await fixture.call(method, url, {
          body: { scope: 'all', source: 'api', message: textTo(SANNE) },
        })
        expect(reply.status).toBe(404)
        expect(await rowCounts(fixture)).toEqual(before)
      },
    )

    it('answers 404 for another tenant’s message exactly as for a missing one', async () => {
      await fixture.customerWrites(SANNE)
      const sent = await send(fixture, textTo(SANNE))
      const id = String(sent.headers['x-carewindow-message-id'])
      expect((await fixture.call('GET', `/v1/messages/${id}`)).status).toBe(200)
      const theirs = await fixture.call('GET', `/v1/messages/${id}`, { key: GLOBEX_KEY })
      const missing = await fixture.call('GET', '/v1/messages/msg_missing', { key: GLOBEX_KEY })
      expect(theirs.status).toBe(404)
      expect(missing.status).toBe(404)
      expect(details(theirs).replace(id, 'ID')).toBe(details(missing).replace('msg_missing', 'ID'))
    })
  })

  describe('GET /v1/channels', () => {
    it('lists the tenant’s own channels with upstream mode and settings, never a token or secret', async () => {
      const reply = await fixture.call('GET', '/v1/channels')
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        data: [
          {
            platform: 'whatsapp',
            id: ACME_NUMBER,
            upstream: 'sandbox',
            settings: {},
            created_at: new Date(T0).toISOString(),
            updated_at: new Date(T0).toISOString(),
          },
          expect.objectContaining({
            platform: 'whatsapp',
            id: ACME_CLOUD_NUMBER,
            upstream: 'cloud',
            settings: { issue_resolution_without_opt_in: false },
          }) as unknown,
          expect.objectContaining({ platform: 'messenger', id: ACME_PAGE, upstream: 'sandbox' }) as unknown,
        ],
      })
      const text = JSON.stringify(reply.body)
      for (const secret of [
        CLOUD_ACCESS_TOKEN,
        ACME_APP_SECRET,
        ACME_PAGE_SECRET,
        'acme-verify-token',
        GLOBEX_NUMBER,
      ])
        expect(text).not.toContain(secret)
    })
  })

  describe('GET …/contacts/{contact_id}/window', () => {
    it('shows a contact never heard from as a closed window with null instants, not a 404', async () => {
      const reply = await fixture.call('GET', windowOf('4915112345678'))
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        contact_id: '4915112345678',
        channel_id: ACME_NUMBER,
        platform: 'whatsapp',
        state: 'closed',
        type: 'customer_care',
        opened_at: null,
        last_user_message_at: null,
        expires_at: null,
        seconds_left: 0,
        free_entry_point_expires_at: null,
      })
    })

    it('counts seconds_left down with the clock and closes exactly 24 h after the customer’s message', async () => {
      await fixture.customerWrites(SANNE)
      const seen: unknown[] = []
      for (const step of [0, HOUR, DAY - HOUR - 1000, 1000]) {
        fixture.advance(step)
        const { state, seconds_left } = (await fixture.call('GET', windowOf(SANNE))).body as Record<
          string,
          unknown
        >
        seen.push([state, seconds_left])
      }
      expect(seen).toEqual([
        ['open', 86_400],
        ['open', 82_800],
        ['open', 1],
        ['closed', 0],
      ])
      expect((await fixture.call('GET', windowOf(SANNE))).body).toMatchObject({
        opened_at: new Date(T0).toISOString(),
        last_user_message_at: new Date(T0).toISOString(),
        expires_at: new Date(T0 + DAY).toISOString(),
      })
    })

    it('normalises the contact id in the path as a send’s recipient (+, spaces and dashes)', async () => {
      await fixture.customerWrites(SANNE)
      const reply = await fixture.call('GET', windowOf(encodeURIComponent('+31 6-1234 5678')))
      expect(reply.body).toMatchObject({ contact_id: SANNE, state: 'open' })
    })

    it('shows a Messenger window with the human-agent horizon and the 24+1 allowance', async () => {
      await fixture.pageUserWrites('7012345678901234', T0)
      fixture.advance(2 * DAY)
      expect((await fixture.call('GET', windowOf('7012345678901234', ACME_PAGE))).body).toEqual({
        contact_id: '7012345678901234',
        channel_id: ACME_PAGE,
        platform: 'messenger',
        state: 'closed',
        type: 'human_agent',
        opened_at: new Date(T0).toISOString(),
        last_user_message_at: new Date(T0).toISOString(),
        expires_at: new Date(T0 + DAY).toISOString(),
        seconds_left: 0,
        human_agent_expires_at: new Date(T0 + 7 * DAY).toISOString(),
        plus_one: 'expired',
      })
    })
  })

  describe('GET …/contacts', () => {
    /** Customers who wrote an hour apart, in an order that differs from their ids' order. */
    const customers = [
      '31600000005',
      '31600000003',
      '31600000007',
      '31600000001',
      '31600000006',
      '31600000002',
      '31600000004',
    ]

    async function collectPages(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
      const ids: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const url = `${channel()}/contacts?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`
        const reply = await fixture.call('GET', url)
        expect(reply.status).toBe(200)
        const page = reply.body as { data: { contact_id: string }[]; paging: { next_cursor: string | null } }
        ids.push(...page.data.map((row) => row.contact_id))
        cursor = page.paging.next_cursor
        pages++
      } while (cursor !== null && pages < 20)
      return { ids, pages }
    }

    beforeEach(async () => {
      for (const [index, customer] of customers.entries())
        await fixture.customerWrites(customer, T0 + index * HOUR)
      fixture.advance(customers.length * HOUR)
    })

    it('pages through every contact exactly once, soonest expiry first, ending with a null cursor', async () => {
      expect(await collectPages('sort=expires_at', 3)).toEqual({ ids: customers, pages: 3 })
    })

    it('pages by contact id when asked, without an empty last page', async () => {
      expect(await collectPages('sort=contact_id', 7)).toEqual({ ids: [...customers].sort(), pages: 1 })
      expect(await collectPages('sort=contact_id', 2)).toEqual({ ids: [...customers].sort(), pages: 4 })
    })

    it('keeps every contact once when windows change between pages', async () => {
      const first = (await fixture.call('GET', `${channel()}/contacts?limit=3`)).body as {
        paging: { next_cursor: string }
      }
      // The first customer writes again: their window now expires last, after the cursor.
      await fixture.customerWrites(customers[0] as string)
      const rest = await fixture.call(
        'GET',
        `${channel()}/contacts?limit=10&cursor=${first.paging.next_cursor}`,
      )
      const ids = (rest.body as { data: { contact_id: string }[] }).data.map((row) => row.contact_id)
      expect(ids).toEqual([...customers.slice(3), customers[0]])
    })

    it('filters by the window’s state now and shows country, profile name and the window', async () => {
      // Now is T0 + 7 h, so windows opened at T0 … T0 + 6 h are all open; 18 h later the first has closed.
      fixture.advance(17 * HOUR + 1)
      const closed = await fixture.call('GET', `${channel()}/contacts?state=closed`)
      expect(closed.body).toEqual({
        data: [
          {
            contact_id: customers[0],
            country: 'NL',
            profile_name: 'Sandbox customer',
            window: expect.objectContaining({
              state: 'closed',
              expires_at: new Date(T0 + DAY).toISOString(),
              seconds_left: 0,
            }) as unknown,
          },
        ],
        paging: { next_cursor: null },
      })
      const open = await fixture.call('GET', `${channel()}/contacts?state=open&limit=500`)
      expect((open.body as { data: unknown[] }).data).toHaveLength(customers.length - 1)
    })

    it.each([
      ['limit=0', 'limit: limit must be a whole number from 1 to 500'],
      ['limit=501', 'limit: limit must be a whole number from 1 to 500'],
      ['limit=ten', 'limit: limit must be a whole number from 1 to 500'],
      ['limit=2.5', 'limit: limit must be a whole number from 1 to 500'],
      ['state=expiring', 'state: state must be open or closed'],
      ['sort=name', 'sort: sort must be expires_at or contact_id'],
      ['cursor=not-a-cursor', 'cursor: not a cursor carewindow gave out'],
      [
        `cursor=${Buffer.from('["soon","x"]').toString('base64url')}`,
        'cursor: not a cursor carewindow gave out',
      ],
      ['limt=10', 'Unrecognized key: "limt"'],
    ])('refuses ?%s with a 400 naming the field', async (query, message) => {
      const reply = await fixture.call('GET', `${channel()}/contacts?${query}`)
      expect(reply.status).toBe(400)
      expect(reply.body).toMatchObject({ error: { code: 100 } })
      expect(details(reply)).toContain(message)
    })
  })

  describe('consent', () => {
    it('records an opt-in with its evidence (201) and creates the contact on first sight', async () => {
      const reply = await fixture.call('POST', consentOf(SANNE), {
        body: {
          scope: 'marketing',
          source: 'website_form',
          evidence: 'Checkbox "Send me offers on WhatsApp", form v3',
          actor: 'agent:maria',
          at: '2025-08-30T09:00:00+02:00',
        },
      })
      expect(reply.status).toBe(201)
      expect(reply.body).toEqual({
        id: expect.any(Number) as unknown,
        kind: 'opt_in',
        scope: 'marketing',
        source: 'website_form',
        evidence: 'Checkbox "Send me offers on WhatsApp", form v3',
        actor: 'agent:maria',
        at: '2025-08-30T07:00:00.000Z',
        recorded_at: new Date(T0).toISOString(),
      })
      expect(await fixture.countRows('contacts')).toBe(1)
    })

    it('lets a STOP that WhatsApp stamps to the second win over an opt-in recorded earlier in that second', async () => {
      // The opt-in is recorded at 10:00:00.600; the customer writes STOP at 10:00:00.900, which Meta stamps 10:00:00.
      fixture.advance(600)
      await fixture.call('POST', consentOf(SANNE), { body: { scope: 'marketing', source: 'website_form' } })
      fixture.advance(600)
      const inbound = await fixture.call('POST', `/v1/sandbox/${ACME_NUMBER}/inbound`, {
        body: { from: SANNE, text: 'STOP', at: new Date(T0 + 900).toISOString() },
      })
      expect(inbound.status).toBe(202)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({
        allowed: false,
        reason: 'OPTED_OUT',
        error: { code: 131050 },
      })
      const history = await fixture.call('GET', consentOf(SANNE))
      expect(history.body).toMatchObject({
        history: [
          { kind: 'opt_in', source: 'website_form', at: new Date(T0 + 600).toISOString() },
          { kind: 'opt_out', source: 'keyword', evidence: 'STOP', at: new Date(T0 + 600).toISOString() },
        ],
        current: { marketing: { state: 'opted_out', source: 'keyword' } },
      })
    })

    it('records an opt-out as a new ledger entry (scope from the query, default all) and keeps the opt-in', async () => {
      await fixture.call('POST', consentOf(SANNE), { body: { scope: 'all', source: 'qr_code' } })
      fixture.advance(HOUR)
      const marketing = await fixture.call('DELETE', `${consentOf(SANNE)}?scope=marketing`)
      expect(marketing).toMatchObject({
        status: 200,
        body: { kind: 'opt_out', scope: 'marketing', source: 'api' },
      })
      fixture.advance(HOUR)
      const all = await fixture.call('DELETE', consentOf(SANNE), {
        body: { source: 'keyword', evidence: 'STOP' },
      })
      expect(all.body).toMatchObject({ kind: 'opt_out', scope: 'all', source: 'keyword', evidence: 'STOP' })
      const history = await fixture.call('GET', consentOf(encodeURIComponent(`+${SANNE}`)))
      expect(history.body).toEqual({
        contact_id: SANNE,
        channel_id: ACME_NUMBER,
        history: [
          expect.objectContaining({
            kind: 'opt_in',
            scope: 'all',
            at: new Date(T0).toISOString(),
          }) as unknown,
          expect.objectContaining({ kind: 'opt_out', scope: 'marketing' }) as unknown,
          expect.objectContaining({
            kind: 'opt_out',
            scope: 'all',
            at: new Date(T0 + 2 * HOUR).toISOString(),
          }) as unknown,
        ],
        current: {
          marketing: {
            state: 'opted_out',
            since: new Date(T0 + 2 * HOUR).toISOString(),
            scope: 'all',
            source: 'keyword',
          },
          utility: {
            state: 'opted_out',
            since: new Date(T0 + 2 * HOUR).toISOString(),
            scope: 'all',
            source: 'keyword',
          },
          authentication: {
            state: 'opted_out',
            since: new Date(T0 + 2 * HOUR).toISOString(),
            scope: 'all',
            source: 'keyword',
          },
          revoked_all_at: new Date(T0 + 2 * HOUR).toISOString(),
        },
      })
    })

    it('shows an empty ledger and no consent for a contact never seen', async () => {
      expect((await fixture.call('GET', consentOf(SANNE))).body).toMatchObject({
        history: [],
        current: { marketing: { state: 'none' }, revoked_all_at: null },
      })
    })

    it.each([
      [
        'an unknown scope',
        { scope: 'newsletter', source: 'api' },
        'scope: scope must be all, marketing, utility or authentication',
      ],
      ['no scope', { source: 'api' }, 'scope: scope must be all'],
      ['no source', { scope: 'all' }, 'source: source says where the consent came from'],
      ['an empty source', { scope: 'all', source: ' ' }, 'source: source must not be empty'],
      [
        'an instant without offset',
        { scope: 'all', source: 'api', at: '2025-08-30T09:00:00' },
        'at: "2025-08-30T09:00:00" is not an ISO 8601 instant',
      ],
      [
        'an instant in the future',
        { scope: 'all', source: 'api', at: '2025-09-01T10:00:01Z' },
        'at: 2025-09-01T10:00:01.000Z is in the future',
      ],
      ['an unknown field', { scope: 'all', source: 'api', channel: 'sms' }, 'Unrecognized key: "channel"'],
    ])(
      'refuses an opt-in with %s with a 400 naming the field, recording nothing',
      async (_case, body, message) => {
        const reply = await fixture.call('POST', consentOf(SANNE), { body })
        expect(reply.status).toBe(400)
        expect(details(reply)).toContain(message)
        expect(await fixture.countRows('consent_events')).toBe(0)
      },
    )

    it('refuses an opt-in without a body', async () => {
      const reply = await fixture.call('POST', consentOf(SANNE))
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('send the opt-in as a JSON body')
    })

    it('refuses an opt-out with a bad scope in the query, or scopes that disagree', async () => {
      const bad = await fixture.call('DELETE', `${consentOf(SANNE)}?scope=sms`)
      expect(bad.status).toBe(400)
      expect(details(bad)).toContain('scope: scope must be all, marketing, utility or authentication')
      const disagreeing = await fixture.call('DELETE', `${consentOf(SANNE)}?scope=marketing`, {
        body: { scope: 'utility' },
      })
      expect(disagreeing.status).toBe(400)
      expect(details(disagreeing)).toContain('scope: the query says marketing and the body utility')
      expect(await fixture.countRows('consent_events')).toBe(0)
    })
  })

  describe('POST /v1/sandbox/{id}/inbound', () => {
    const inbound = (body: object) => fixture.call('POST', `/v1/sandbox/${ACME_NUMBER}/inbound`, { body })

    // Keyed as given, 10,000 characters overflowed PostgreSQL's index row: the customer was acknowledged (202)
    // and never stored.
    it('refuses a "from" longer than 64 characters with a 400 naming it, and stores nothing', async () => {
      const reply = await inbound({ from: '3'.repeat(65) })
      expect(reply.status).toBe(400)
      expect(details(reply)).toMatch(
        /^from: "from" is the customer’s phone number \(wa_id\), 6 to 64 characters/,
      )
      expect(await fixture.countRows('messages')).toBe(0)
      expect(await fixture.countRows('contacts')).toBe(0)
    })

    it('refuses a "from" that is blank once spaces and dashes are taken out', async () => {
      const reply = await inbound({ from: '       ' })
      expect(reply.status).toBe(400)
      expect(details(reply)).toMatch(/^from: an empty text is not a phone number/)
      expect(await fixture.countRows('contacts')).toBe(0)
    })

    it('refuses a "from" that cannot be a wa_id, saying why, and stores nothing', async () => {
      const reply = await inbound({ from: `+${'3'.repeat(63)}` })
      expect(reply.status).toBe(400)
      expect(details(reply)).toMatch(/^from: "\+3{31}…" has 63 digits; a phone number has at most 15/)
      expect(await fixture.countRows('contacts')).toBe(0)
    })

    it('keys the customer by the wa_id of a "from" written with +, 00, spaces or a trunk 0', async () => {
      const reply = await inbound({ from: '+31 (0)6-1234-5678' })
      expect(reply).toMatchObject({ status: 202, body: { contact: '31612345678' } })
    })

    // Fastify used to check the body against the route's documentation first, in words of its own, before the key.
    it('asks for the API key before it looks at the body', async () => {
      const reply = await fixture.call('POST', `/v1/sandbox/${ACME_NUMBER}/inbound`, { body: {}, key: null })
      expect(reply.status).toBe(401)
    })

    it('refuses a body without "from", or with a number for it, naming the field as every /v1 route does', async () => {
      for (const body of [{}, { from: 31612345678 }]) {
        const reply = await inbound(body)
        expect(reply.status, JSON.stringify(body)).toBe(400)
        expect(details(reply)).toMatch(
          /^from: "from" is the customer’s phone number \(wa_id\), 6 to 64 characters/,
        )
      }
      expect(await fixture.countRows('contacts')).toBe(0)
    })

    it('refuses an "at" outside 2000–2100 with a 400 naming it, and stores nothing', async () => {
      const reply = await inbound({ from: '31612345678', at: '1970-01-01T00:00:00Z' })
      expect(reply.status).toBe(400)
      expect(details(reply)).toMatch(/^at: at must be between 2000-01-01T00:00:00\.000Z and 2100-01-01/)
      expect(await fixture.countRows('messages')).toBe(0)
    })
  })

  describe('templates', () => {
    const template = {
      name: 'appointment_reminder',
      language: 'nl',
      category: 'utility',
      header: { format: 'TEXT', text: 'Afspraak {{1}}' },
      body: 'Uw afspraak is op {{1}} om {{2}}.',
      footer: 'Antwoord STOP om af te melden',
      buttons: [{ type: 'PHONE_NUMBER', text: 'Bel ons', phone_number: '+31201234567' }],
    }
    const url = `${channel()}/templates/appointment_reminder/nl`

    it('creates (201), reads, lists, replaces and deletes a template, showing a preview', async () => {
      const created = await fixture.call('POST', `${channel()}/templates`, { body: template })
      expect(created.status).toBe(201)
      const expected = {
        name: 'appointment_reminder',
        language: 'nl',
        category: 'UTILITY',
        status: 'APPROVED',
        issue_resolution: false,
        header: { format: 'TEXT', text: 'Afspraak {{1}}' },
        body: 'Uw afspraak is op {{1}} om {{2}}.',
        footer: 'Antwoord STOP om af te melden',
        buttons: [{ type: 'PHONE_NUMBER', text: 'Bel ons', phone_number: '+31201234567' }],
        preview: {
          header: 'Afspraak {{1}}',
          body: 'Uw afspraak is op {{1}} om {{2}}.',
          footer: 'Antwoord STOP om af te melden',
          buttons: ['Bel ons'],
        },
      }
      expect(created.body).toEqual(expected)
      expect((await fixture.call('GET', url)).body).toEqual(expected)
      const list = (await fixture.call('GET', `${channel()}/templates`)).body as { data: { name: string }[] }
      expect(list.data.map((entry) => entry.name)).toEqual([
        'appointment_reminder',
        'order_update',
        'spring_sale',
        'ticket_update',
      ])

      const replaced = await fixture.call('PUT', url, {
        body: {
          category: 'MARKETING',
          body: 'Nieuw: {{1}}',
          category_changes: [{ at: '2025-08-01', previous: 'UTILITY' }],
        },
      })
      expect(replaced.status).toBe(200)
      expect(replaced.body).toEqual({
        name: 'appointment_reminder',
        language: 'nl',
        category: 'MARKETING',
        status: 'APPROVED',
        issue_resolution: false,
        body: 'Nieuw: {{1}}',
        category_changes: [{ at: '2025-08-01T00:00:00.000Z', previous: 'UTILITY' }],
        preview: { header: null, body: 'Nieuw: {{1}}', footer: null, buttons: [] },
      })

      expect(await fixture.call('DELETE', url)).toMatchObject({ status: 200, body: { success: true } })
      expect((await fixture.call('GET', url)).status).toBe(404)
      expect((await fixture.call('DELETE', url)).status).toBe(404)
    })

    it('creates a template with PUT when it does not exist (201)', async () => {
      const { name: _name, language: _language, ...definition } = template
      const reply = await fixture.call('PUT', url, { body: definition })
      expect(reply).toMatchObject({ status: 201, body: { name: 'appointment_reminder', language: 'nl' } })
    })

    it('answers 409 CONFLICT when creating a template that already exists, leaving it as it was', async () => {
      const reply = await fixture.call('POST', `${channel()}/templates`, {
        body: { name: 'spring_sale', language: 'en', category: 'UTILITY', body: 'Changed' },
      })
      expect(reply.status).toBe(409)
      expect(details(reply)).toContain('template spring_sale (en) already exists')
      expect((await fixture.call('GET', `${channel()}/templates/spring_sale/en`)).body).toMatchObject({
        category: 'MARKETING',
      })
    })

    it.each([
      ['POST', 'templates', { ...template, category: 'PROMOTION' }, 'category: unknown template category'],
      [
        'POST',
        'templates',
        { ...template, body: 'Hi {{1}} and {{3}}' },
        'body: positional placeholders must be numbered',
      ],
      [
        'POST',
        'templates',
        { ...template, name: 'Appointment Reminder' },
        'name: a template name is lowercase',
      ],
      ['POST', 'templates', { ...template, buttons: [{ type: 'FLOW' }] }, 'buttons[0].type'],
      [
        'PUT',
        'templates/appointment_reminder/nl',
        { ...template, name: 'other' },
        'name: the body says "other" but the path "appointment_reminder"',
      ],
      [
        'PUT',
        'templates/appointment_reminder/nl',
        { ...template, language: 'en' },
        'language: the body says "en" but the path "nl"',
      ],
      [
        'PUT',
        'templates/Bad-Name/nl',
        { category: 'UTILITY', body: 'Hi' },
        'name: a template name is lowercase',
      ],
      [
        'PUT',
        'templates/appointment_reminder/dutch',
        { category: 'UTILITY', body: 'Hi' },
        'language: a language code looks like',
      ],
    ] as const)(
      'refuses %s …/%s with an invalid definition, naming the field',
      async (method, path, body, message) => {
        const before = await fixture.countRows('templates')
        const reply = await fixture.call(method, `${channel()}/${path}`, { body })
        expect(reply.status).toBe(400)
        expect(details(reply)).toContain(message)
        expect(await fixture.countRows('templates')).toBe(before)
      },
    )

    it('answers 404 for the templates of a Messenger Page', async () => {
      const reply = await fixture.call('GET', `${channel(ACME_PAGE)}/templates`)
      expect(reply.status).toBe(404)
      expect(details(reply)).toContain('has no message templates')
    })

    it('imports Graph’s template list, keeping an existing template’s Issue Resolution tag and listing what it skipped', async () => {
      const reply = await fixture.call('POST', `${channel()}/templates/import`, {
        body: {
          data: [
            {
              name: 'ticket_update',
              language: 'en',
              status: 'APPROVED',
              category: 'MARKETING',
              parameter_format: 'NAMED',
              components: [{ type: 'BODY', text: 'Ticket {{ticket_id}} has news.' }],
              id: '111',
            },
            {
              name: 'delivery_slot',
              language: 'en_US',
              status: 'PENDING',
              category: 'UTILITY',
              components: [
                { type: 'BODY', text: 'Pick a slot for {{1}}.' },
                { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Morning' }] },
              ],
              id: '222',
            },
            {
              name: 'summer_carousel',
              language: 'en_US',
              status: 'APPROVED',
              category: 'MARKETING',
              components: [
                { type: 'BODY', text: 'Hi' },
                { type: 'CAROUSEL', cards: [] },
              ],
              id: '333',
            },
          ],
          paging: { cursors: { before: 'MAZDZD', after: 'MgZDZD' } },
        },
      })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        imported: 2,
        skipped: [
          {
            name: 'summer_carousel',
            language: 'en_US',
            reason: 'the CAROUSEL component is not supported (only HEADER, BODY, FOOTER and BUTTONS are)',
          },
        ],
      })
      expect((await fixture.call('GET', `${channel()}/templates/ticket_update/en`)).body).toMatchObject({
        category: 'MARKETING',
        issue_resolution: true,
        body: 'Ticket {{ticket_id}} has news.',
        // Meta re-categorised it: billing before the import used the old category.
        category_changes: [{ at: new Date(T0).toISOString(), previous: 'UTILITY' }],
      })
      expect((await fixture.call('GET', `${channel()}/templates/delivery_slot/en_US`)).body).toMatchObject({
        status: 'PENDING',
        issue_resolution: false,
        buttons: [{ type: 'QUICK_REPLY', text: 'Morning' }],
      })
    })

    it('uses imported templates in the next decision at once', async () => {
      await fixture.customerWrites(SANNE)
      const importPaused = {
        data: [
          {
            name: 'spring_sale',
            language: 'en',
            status: 'PAUSED',
            category: 'MARKETING',
            components: [{ type: 'BODY', text: 'Spring sale: {{1}} off everything until Sunday.' }],
          },
        ],
      }
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({ allowed: true })
      await fixture.call('POST', `${channel()}/templates/import`, { body: importPaused })
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({ reason: 'TEMPLATE_PAUSED' })
    })

    it('refuses an import body that is not Graph’s list', async () => {
      const reply = await fixture.call('POST', `${channel()}/templates/import`, { body: { templates: [] } })
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('data: "data" must be the list of templates')
    })
  })

  describe('GET /v1/messages/{message_id}', () => {
    it('shows a sent message with its decision, explanation, price and Meta’s pricing object', async () => {
      await fixture.customerWrites(SANNE)
      fixture.advance(5 * 60_000)
      const sent = await send(fixture, springSaleTo(SANNE))
      expect(sent.status).toBe(200)
      const wamid = (sent.body as { messages: { id: string }[] }).messages[0]?.id as string
      const pricing = { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' }
      fixture.advance(2000)
      await fixture.metaReportsStatus(wamid, SANNE, 'delivered', pricing)
      const reply = await fixture.call(
        'GET',
        `/v1/messages/${String(sent.headers['x-carewindow-message-id'])}`,
      )
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        id: sent.headers['x-carewindow-message-id'],
        direction: 'outbound',
        channel: { platform: 'whatsapp', id: ACME_NUMBER },
        contact_id: SANNE,
        external_id: wamid,
        at: new Date(T0 + 5 * 60_000).toISOString(),
        status: 'delivered',
        status_at: new Date(T0 + 5 * 60_000 + 2000).toISOString(),
        allowed: true,
        reason: 'IN_CARE_WINDOW',
        decision: {
          allowed: true,
          reason: 'IN_CARE_WINDOW',
          template: { name: 'spring_sale', category: 'MARKETING' },
          billing: { category: 'marketing', billable: true },
          explanation: expect.stringContaining('Allowed') as unknown,
        },
        price: { amount: expect.any(String) as unknown, amount_micros: expect.any(Number) as unknown },
        meta_pricing: pricing,
        error: null,
        body: springSaleTo(SANNE),
      })
    })

    it('shows an inbound message the customer sent, which has no decision', async () => {
      const wamid = await fixture.customerWrites(SANNE)
      const acme = await fixture.gateway.directory.channel('whatsapp', ACME_NUMBER)
      const stored = await fixture.gateway.store.findMessageByExternalId(acme?.id ?? '', 'inbound', wamid)
      const reply = await fixture.call('GET', `/v1/messages/${stored?.id ?? 'missing'}`)
      expect(reply.body).toMatchObject({
        direction: 'inbound',
        contact_id: SANNE,
        external_id: wamid,
        status: 'received',
        allowed: null,
        decision: null,
        price: null,
        body: { type: 'text', text: { body: 'Hi' } },
      })
    })
  })

  describe('POST …/decisions (dry run)', () => {
    it('decides like a send would, with the explanation, and writes nothing', async () => {
      await fixture.customerWrites(SANNE)
      fixture.advance(HOUR)
      const before = await rowCounts(fixture)
      const dry = await dryRun(fixture, springSaleTo(SANNE))
      const dryNewContact = await dryRun(fixture, textTo('+49 151 1234 5678'))
      expect(await rowCounts(fixture)).toEqual(before)
      expect(dryNewContact).toMatchObject({
        allowed: false,
        reason: 'WINDOW_CLOSED',
        contact: '4915112345678',
      })

      const sent = await send(fixture, springSaleTo(SANNE))
      const recorded = await fixture.call(
        'GET',
        `/v1/messages/${String(sent.headers['x-carewindow-message-id'])}`,
      )
      expect((recorded.body as { decision: unknown }).decision).toEqual(dry)
    })

    it('answers whether a message would go out at a later instant', async () => {
      await fixture.customerWrites(SANNE)
      const at = (offset: number) => ({ at: new Date(T0 + offset).toISOString() })
      expect(await dryRun(fixture, textTo(SANNE), at(DAY - 1))).toMatchObject({
        allowed: true,
        reason: 'IN_CARE_WINDOW',
      })
      const tomorrow = await dryRun(fixture, textTo(SANNE), at(DAY))
      expect(tomorrow).toMatchObject({
        allowed: false,
        reason: 'WINDOW_CLOSED',
        at: new Date(T0 + DAY).toISOString(),
      })
      expect(tomorrow.explanation).toContain('closed')
      // The Issue Resolution template may still invite the customer back (CCW-7).
      expect(await dryRun(fixture, ticketUpdateTo(SANNE), at(2 * DAY))).toMatchObject({
        allowed: true,
        reason: 'ISSUE_RESOLUTION_TEMPLATE',
      })
    })

    it('refuses an instant before the contact’s latest event, which the stored state cannot unwind', async () => {
      await fixture.customerWrites(SANNE)
      const reply = await fixture.call('POST', `${channel()}/decisions`, {
        body: { message: textTo(SANNE), at: new Date(T0 - 1000).toISOString() },
      })
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(
        `at: the contact's window is known as of ${new Date(T0).toISOString()}`,
      )
    })

    it('refuses a marketing template after a marketing opt-out and allows it after a new opt-in', async () => {
      await fixture.call('POST', consentOf(SANNE), { body: { scope: 'marketing', source: 'website_form' } })
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({ reason: 'OPTED_IN_TEMPLATE' })
      fixture.advance(1000)
      await fixture.call('DELETE', consentOf(SANNE), { body: { scope: 'marketing', source: 'keyword' } })
      const refused = await dryRun(fixture, springSaleTo(SANNE))
      expect(refused).toMatchObject({ allowed: false, reason: 'OPTED_OUT', error: { code: 131050 } })
      // A utility template is another category: the marketing opt-out does not touch it.
      expect(await dryRun(fixture, ticketUpdateTo(SANNE))).toMatchObject({ allowed: true })
    })

    it('uses a template replaced by PUT in the very next decision (the cache is invalidated)', async () => {
      await fixture.customerWrites(SANNE)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({ allowed: true })
      const changed = await fixture.call('PUT', `${channel()}/templates/spring_sale/en`, {
        body: { category: 'MARKETING', body: 'Spring sale: {{1}} off on {{2}}.' },
      })
      expect(changed.status).toBe(200)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({
        allowed: false,
        reason: 'TEMPLATE_PARAMETER_COUNT',
      })
      await fixture.call('DELETE', `${channel()}/templates/spring_sale/en`)
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({ reason: 'TEMPLATE_NOT_FOUND' })
      await fixture.call('POST', `${channel()}/templates`, {
        body: {
          name: 'spring_sale',
          language: 'en',
          category: 'MARKETING',
          status: 'DISABLED',
          body: '{{1}} off',
        },
      })
      expect(await dryRun(fixture, springSaleTo(SANNE))).toMatchObject({ reason: 'TEMPLATE_DISABLED' })
    })

    it('decides a Messenger Send API body on a Messenger Page, by who sends it', async () => {
      const psid = '7012345678901234'
      await fixture.pageUserWrites(psid, T0)
      fixture.advance(2 * DAY)
      const humanAgent = {
        recipient: { id: psid },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        message: { text: 'Sorry for the wait' },
      }
      const decide = async (extra: object) => {
        const reply = await fixture.call('POST', `${channel(ACME_PAGE)}/decisions`, {
          body: { message: humanAgent, ...extra },
        })
        expect(reply.status).toBe(200)
        return reply.body
      }
      expect(await decide({ sender: 'agent' })).toMatchObject({
        platform: 'messenger',
        contact: psid,
        allowed: true,
        reason: 'HUMAN_AGENT',
      })
      expect(await decide({})).toMatchObject({ allowed: false, reason: 'HUMAN_AGENT_NOT_HUMAN' })
      expect(await decide({ sender: 'agent', at: new Date(T0 + 7 * DAY).toISOString() })).toMatchObject({
        allowed: false,
        reason: 'HUMAN_AGENT_EXPIRED',
        error: { code: 10, error_subcode: 2018278 },
      })
    })

    it.each([
      ['no message', {}, 'message: message must be the body you would send'],
      [
        'a message that is not an object',
        { message: 'Hi' },
        'message: message must be the body you would send',
      ],
      [
        'a WhatsApp body without messaging_product',
        { message: { to: SANNE, type: 'text', text: { body: 'x' } } },
        'message: messaging_product: messaging_product must be "whatsapp"',
      ],
      [
        'a WhatsApp body without recipient',
        { message: { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } } },
        'message: "to" is required',
      ],
      [
        'a read receipt',
        { message: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.1' } },
        'message: a read receipt is not a message',
      ],
      [
        'an instant without offset',
        { message: textTo(SANNE), at: 'tomorrow' },
        'at: "tomorrow" is not an ISO 8601 instant',
      ],
      [
        'an unknown sender',
        { message: textTo(SANNE), sender: 'human' },
        'sender: sender must be agent or bot',
      ],
      ['an unknown field', { message: textTo(SANNE), dry: true }, 'Unrecognized key: "dry"'],
    ])('refuses a dry run with %s with a 400 naming the field', async (_case, body, message) => {
      const reply = await fixture.call('POST', `${channel()}/decisions`, { body })
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(message)
    })

    it('refuses a Messenger sender action, which is not a message', async () => {
      const reply = await fixture.call('POST', `${channel(ACME_PAGE)}/decisions`, {
        body: { message: { recipient: { id: '7012345678901234' }, sender_action: 'typing_on' } },
      })
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('message: a sender action (typing_on) is not a message')
    })
  })

  describe('the OpenAPI document', () => {
    it('documents every /v1 route with a summary, its parameters and its responses', async () => {
      const reply = await fixture.app.inject({ method: 'GET', url: '/docs/json' })
      const document = JSON.parse(reply.body) as {
        paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>
      }
      const routes = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/v1/') && !path.startsWith('/v1/sandbox'))
        .flatMap(([path, operations]) =>
          Object.entries(operations).map(([method, operation]) => ({ path, method, operation })),
        )
      expect(routes.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual([
        'DELETE /v1/channels/{channelId}/contacts/{contactId}/consent',
        'DELETE /v1/channels/{channelId}/templates/{name}/{language}',
        'DELETE /v1/held/{holdId}',
        'DELETE /v1/rate-cards/{id}',
        'GET /v1/cases/{caseId}',
        'GET /v1/channels',
        'GET /v1/channels/{channelId}/automations',
        'GET /v1/channels/{channelId}/cases',
        'GET /v1/channels/{channelId}/cases/by-external-id/{externalId}',
        'GET /v1/channels/{channelId}/contacts',
        'GET /v1/channels/{channelId}/contacts/{contactId}/consent',
        'GET /v1/channels/{channelId}/contacts/{contactId}/held',
        'GET /v1/channels/{channelId}/contacts/{contactId}/window',
        'GET /v1/channels/{channelId}/templates',
        'GET /v1/channels/{channelId}/templates/{name}/{language}',
        'GET /v1/costs',
        'GET /v1/costs/reconciliation',
        'GET /v1/dead-deliveries',
        'GET /v1/dead-deliveries/{deliveryId}',
        'GET /v1/dead-letters',
        'GET /v1/dead-letters/{deadLetterId}',
        'GET /v1/events/stream',
        'GET /v1/held/{holdId}',
        'GET /v1/messages',
        'GET /v1/messages/{messageId}',
        'GET /v1/rate-cards',
        'PATCH /v1/cases/{caseId}',
        'PATCH /v1/channels/{channelId}/cases/by-external-id/{externalId}',
        'POST /v1/channels/{channelId}/cases',
        'POST /v1/channels/{channelId}/contacts/{contactId}/consent',
        'POST /v1/channels/{channelId}/decisions',
        'POST /v1/channels/{channelId}/templates',
        'POST /v1/channels/{channelId}/templates/import',
        'POST /v1/channels/{channelId}/templates/sync',
        'POST /v1/costs/what-if',
        'POST /v1/dead-deliveries/redrive',
        'POST /v1/dead-deliveries/{deliveryId}/redrive',
        'POST /v1/dead-letters/{deadLetterId}/discard',
        'POST /v1/dead-letters/{deadLetterId}/retry',
        'POST /v1/rate-cards/import',
        'PUT /v1/channels/{channelId}/automations',
        'PUT /v1/channels/{channelId}/templates/{name}/{language}',
        'PUT /v1/rate-cards/{id}',
      ])
      for (const { operation } of routes) {
        expect(operation.summary).toEqual(expect.any(String))
        expect(Object.keys(operation.responses ?? {})).toContain('401')
      }
    })
  })
})
