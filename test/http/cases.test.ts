import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ACME_CLOUD_NUMBER,
  ACME_KEY,
  ACME_NUMBER,
  ACME_PAGE,
  GLOBEX_KEY,
  GLOBEX_NUMBER,
  openFixture,
  T0,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'

const SANNE = '31612345678'
const JOOST = '31687654321'
const SECOND = 1_000

const casesOf = (channel: string = ACME_NUMBER) => `/v1/channels/${channel}/cases`
const byExternalId = (externalId: string, channel: string = ACME_NUMBER) =>
  `${casesOf(channel)}/by-external-id/${encodeURIComponent(externalId)}`

interface CaseJson {
  readonly id: string
  readonly channel_id: string
  readonly contact_id: string
  readonly external_id: string | null
  readonly status: string
  readonly subject: string | null
  readonly language: string | null
  readonly parameters: Record<string, string>
  readonly last_reengaged_at: string | null
  readonly created_at: string
  readonly updated_at: string
}

interface CasePage {
  readonly data: CaseJson[]
  readonly paging: { readonly next_cursor: string | null }
}

/** The error details of Graph's envelope. */
function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

const iso = (at: number) => new Date(at).toISOString()

describe('cases under /v1', () => {
  let fixture: NativeApiFixture
  beforeEach(async () => {
    fixture = await openFixture('sqlite')
  })
  afterEach(async () => {
    await fixture.close()
  })

  async function openCase(body: Record<string, unknown>, channel?: string): Promise<CaseJson> {
    const reply = await fixture.call('POST', casesOf(channel), { body })
    expect(reply.status, JSON.stringify(reply.body)).toBe(201)
    return reply.body as CaseJson
  }

  async function readCase(id: string): Promise<CaseJson> {
    const reply = await fixture.call('GET', `/v1/cases/${id}`)
    expect(reply.status).toBe(200)
    return reply.body as CaseJson
  }

  async function list(query: string, channel?: string): Promise<CasePage> {
    const reply = await fixture.call('GET', `${casesOf(channel)}${query}`)
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    return reply.body as CasePage
  }

  /** A request with a body exactly as given (any JSON, or none), as Acme. */
  async function rawCall(method: 'POST' | 'PATCH', url: string, payload?: string): Promise<Reply> {
    const response = await fixture.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${ACME_KEY}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload }),
    })
    return {
      status: response.statusCode,
      body: JSON.parse(response.body) as unknown,
      headers: response.headers,
    }
  }

  /** What a refused request must not have written. */
  async function rowCounts(): Promise<{ cases: number; contacts: number; jobs: number }> {
    return {
      cases: await fixture.countRows('cases'),
      contacts: await fixture.countRows('contacts'),
      jobs: await fixture.countRows('jobs'),
    }
  }

  describe('POST /v1/channels/{id}/cases', () => {
    it('opens a case for a contact it creates, normalising the wa_id, and answers 201 with it', async () => {
      expect(await fixture.countRows('contacts')).toBe(0)
      const reply = await fixture.call('POST', casesOf(), {
        body: {
          contact_id: '+31 6-1234 5678',
          external_id: 'T-1042',
          subject: 'Router does not connect',
          language: 'en',
          parameters: { ticket_id: 'T-1042', '1': 'Sanne' },
        },
      })
      expect(reply.status).toBe(201)
      const created = reply.body as CaseJson
      expect(created).toEqual({
        id: expect.stringMatching(/^case_[0-9a-z]{9}[0-9a-f]{16}$/) as unknown,
        channel_id: ACME_NUMBER,
        contact_id: SANNE,
        external_id: 'T-1042',
        status: 'open',
        subject: 'Router does not connect',
        language: 'en',
        parameters: { ticket_id: 'T-1042', '1': 'Sanne' },
        last_reengaged_at: null,
        created_at: iso(T0),
        updated_at: iso(T0),
      })
      expect(await readCase(created.id)).toEqual(created)
      expect(await fixture.countRows('contacts')).toBe(1)
      expect(await fixture.countRows('cases')).toBe(1)
    })

    it('takes only contact_id: the rest is empty and the status open, unless a status is given', async () => {
      expect(await openCase({ contact_id: SANNE })).toMatchObject({
        external_id: null,
        status: 'open',
        subject: null,
        language: null,
        parameters: {},
      })
      expect(await openCase({ contact_id: JOOST, status: 'pending' })).toMatchObject({ status: 'pending' })
    })

    it('opens a case on a Messenger Page for a PSID', async () => {
      expect(await openCase({ contact_id: '7012345678901234', subject: 'Order' }, ACME_PAGE)).toMatchObject({
        channel_id: ACME_PAGE,
        contact_id: '7012345678901234',
      })
    })

    it('refuses a second case with an external_id the channel has with a 409 naming the first, writing nothing', async () => {
      const first = await openCase({ contact_id: SANNE, external_id: 'T-1042' })
      const before = await rowCounts()
      // Trimmed like the first one was: the same ticket id.
      for (const externalId of ['T-1042', '  T-1042 ']) {
        const reply = await fixture.call('POST', casesOf(), {
          body: { contact_id: JOOST, external_id: externalId },
        })
        expect(reply.status).toBe(409)
        expect(details(reply)).toContain('external_id')
        expect(details(reply)).toContain(first.id)
        expect(details(reply)).toContain(`/cases/by-external-id/T-1042`)
      }
      expect(await rowCounts()).toEqual(before)
    })

    it('allows the same external_id on another channel: it is unique per channel', async () => {
      await openCase({ contact_id: SANNE, external_id: 'T-1042' })
      const other = await openCase({ contact_id: SANNE, external_id: 'T-1042' }, ACME_CLOUD_NUMBER)
      expect(other.channel_id).toBe(ACME_CLOUD_NUMBER)
      expect((await fixture.call('GET', byExternalId('T-1042', ACME_CLOUD_NUMBER))).body).toMatchObject({
        id: other.id,
      })
    })

    it.each<[string, unknown, string]>([
      ['no contact_id', { subject: 'Help' }, 'contact_id: contact_id is the contact’s wa_id'],
      ['a contact_id that is a number', { contact_id: 31612345678 }, 'contact_id: contact_id is'],
      ['an empty contact_id', { contact_id: '  ' }, 'contact_id: an empty text is not a phone number'],
      [
        'a contact_id of 257 characters',
        { contact_id: '3'.repeat(257) },
        'contact_id: a text of 257 characters is not a phone number',
      ],
      [
        'a contact_id written nationally',
        { contact_id: '06 1234 5678' },
        'contact_id: "06 1234 5678" is written',
      ],
      ['an unknown field', { contact_id: SANNE, priority: 'high' }, 'Unrecognized key: "priority"'],
      ['a status that is not one', { contact_id: SANNE, status: 'closed' }, 'status: status must be open'],
      ['a status that is not a string', { contact_id: SANNE, status: 1 }, 'status: status must be open'],
      ['an empty subject', { contact_id: SANNE, subject: ' ' }, 'subject: subject must not be empty'],
      [
        'a subject of 1001 characters',
        { contact_id: SANNE, subject: 'x'.repeat(1001) },
        'subject: subject has at most 1000 characters',
      ],
      ['a subject that is a number', { contact_id: SANNE, subject: 42 }, 'subject: subject must be a string'],
      [
        'an external_id of 201 characters',
        { contact_id: SANNE, external_id: 'T'.repeat(201) },
        'external_id: external_id has at most 200 characters',
      ],
      [
        'an external_id that is a number',
        { contact_id: SANNE, external_id: 1042 },
        'external_id: external_id is your own ticket id, as a string',
      ],
      [
        'an empty external_id',
        { contact_id: SANNE, external_id: '' },
        'external_id: external_id must not be empty',
      ],
      [
        'a language that is not a code',
        { contact_id: SANNE, language: 'English' },
        'language: a language code',
      ],
      [
        'parameters that are a string',
        { contact_id: SANNE, parameters: 'T-42' },
        'parameters: parameters is an',
      ],
      [
        'a parameter that is a number',
        { contact_id: SANNE, parameters: { ticket_id: 42 } },
        'parameters.ticket_id: a parameter’s value is a string',
      ],
      [
        'a parameter of 1025 characters',
        { contact_id: SANNE, parameters: { ticket_id: 'x'.repeat(1025) } },
        'parameters.ticket_id: a parameter’s value has at most 1024 characters',
      ],
      [
        'a parameter not named like a placeholder',
        { contact_id: SANNE, parameters: { 'Ticket ID': 'T-42' } },
        'parameters.Ticket ID: a parameter is named like its placeholder',
      ],
      ['a body that is a list', [{ contact_id: SANNE }], 'expected object'],
      ['a body that is null', null, 'send the case as a JSON body'],
    ])(
      'refuses a case with %s with a 400 naming the field, writing nothing',
      async (_case, body, message) => {
        const before = await rowCounts()
        const reply = await rawCall('POST', casesOf(), JSON.stringify(body))
        expect(reply.status).toBe(400)
        expect(details(reply)).toContain(message)
        expect(await rowCounts()).toEqual(before)
      },
    )

    it('names every wrong field of a body at once', async () => {
      const reply = await fixture.call('POST', casesOf(), {
        body: { contact_id: SANNE, status: 'closed', subject: '', language: 'English' },
      })
      expect(reply.status).toBe(400)
      for (const field of ['status:', 'subject:', 'language:']) expect(details(reply)).toContain(field)
    })

    it('refuses a body that is not JSON, or none, with a 400 and a body over the limit with a 413', async () => {
      const before = await rowCounts()
      const notJson = await rawCall('POST', casesOf(), '{"contact_id": ')
      expect(notJson.status).toBe(400)
      expect(details(notJson)).toContain('the body is not valid JSON')
      const none = await rawCall('POST', casesOf())
      expect(none.status).toBe(400)
      expect(details(none)).toContain('send the case as a JSON body')
      const huge = await fixture.call('POST', casesOf(), {
        body: { contact_id: SANNE, subject: 'x'.repeat(2 * 1024 * 1024) },
      })
      expect(huge.status).toBe(413)
      expect(await rowCounts()).toEqual(before)
    })
  })

  describe('GET /v1/channels/{id}/cases', () => {
    /** Five cases a second apart, for Sanne and Joost in turn; their ids in creation order. */
    async function fiveCases(): Promise<string[]> {
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const created = await openCase({
          contact_id: i % 2 === 0 ? SANNE : JOOST,
          external_id: `T-${i}`,
          status: i === 4 ? 'resolved' : 'open',
        })
        ids.push(created.id)
        fixture.advance(SECOND)
      }
      return ids
    }

    it('lists the channel’s cases oldest first, page by page, until next_cursor is null', async () => {
      const ids = await fiveCases()
      await openCase({ contact_id: SANNE, external_id: 'T-0' }, ACME_CLOUD_NUMBER)

      const first = await list('?limit=2')
      expect(first.data.map((each) => each.id)).toEqual(ids.slice(0, 2))
      expect(first.paging.next_cursor).toEqual(expect.any(String))
      const second = await list(`?limit=2&cursor=${first.paging.next_cursor}`)
      expect(second.data.map((each) => each.id)).toEqual(ids.slice(2, 4))
      const third = await list(`?limit=2&cursor=${second.paging.next_cursor}`)
      expect(third.data.map((each) => each.id)).toEqual(ids.slice(4))
      expect(third.paging.next_cursor).toBeNull()

      // A page that ends exactly at the last case says so, instead of leading to an empty page.
      const exact = await list('?limit=5')
      expect(exact.data.map((each) => each.id)).toEqual(ids)
      expect(exact.paging.next_cursor).toBeNull()
      expect((await list('')).data).toHaveLength(5)
    })

    it('filters by status and by contact (normalised), and pages within the filter', async () => {
      const ids = await fiveCases()
      expect((await list('?status=resolved')).data.map((each) => each.id)).toEqual([ids[4]])
      expect((await list('?status=pending')).data).toEqual([])
      const sanne = await list(`?contact_id=${encodeURIComponent('+31 6 1234 5678')}`)
      expect(sanne.data.map((each) => each.id)).toEqual([ids[0], ids[2], ids[4]])
      const openOfSanne = await list(`?contact_id=${SANNE}&status=open&limit=1`)
      expect(openOfSanne.data.map((each) => each.id)).toEqual([ids[0]])
      const next = await list(
        `?contact_id=${SANNE}&status=open&limit=1&cursor=${openOfSanne.paging.next_cursor}`,
      )
      expect(next.data.map((each) => each.id)).toEqual([ids[2]])
      expect(next.paging.next_cursor).toBeNull()
    })

    it('finds the one case with an external_id, also combined with other filters', async () => {
      const ids = await fiveCases()
      expect((await list('?external_id=T-3')).data.map((each) => each.id)).toEqual([ids[3]])
      expect((await list(`?external_id=T-3&contact_id=${JOOST}&status=open`)).data).toHaveLength(1)
      expect((await list(`?external_id=T-3&contact_id=${SANNE}`)).data).toEqual([])
      expect((await list('?external_id=T-3&status=resolved')).data).toEqual([])
      expect(await list('?external_id=T-99')).toEqual({ data: [], paging: { next_cursor: null } })
    })

    it.each<[string, string, string]>([
      ['a limit of 0', '?limit=0', 'limit: limit must be a whole number from 1 to 500'],
      ['a limit over 500', '?limit=501', 'limit: limit must be a whole number from 1 to 500'],
      ['a limit that is not a number', '?limit=ten', 'limit: limit must be a whole number'],
      ['a limit that is not whole', '?limit=1.5', 'limit: limit must be a whole number'],
      ['an unknown status', '?status=closed', 'status: status must be open, pending or resolved'],
      ['a status given twice', '?status=open&status=resolved', 'status: status must be open'],
      [
        'a cursor carewindow did not give out',
        '?cursor=not*a*cursor',
        'cursor: not a cursor carewindow gave out',
      ],
      ['a cursor that is not canonical base64url', '?cursor=Y2FzZV8x0', 'cursor: not a cursor'],
      [
        'an external_id of 201 characters',
        `?external_id=${'T'.repeat(201)}`,
        'external_id: external_id has at most',
      ],
      ['an unknown parameter', '?state=open', 'Unrecognized key: "state"'],
    ])('refuses %s with a 400 naming the parameter', async (_case, query, message) => {
      const reply = await fixture.call('GET', `${casesOf()}${query}`)
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(message)
    })
  })

  describe('GET and PATCH /v1/cases/{id}', () => {
    it('moves a case open → pending → resolved, updated_at following the clock and created_at kept', async () => {
      const created = await openCase({ contact_id: SANNE, external_id: 'T-1', subject: 'Broken kettle' })
      for (const [step, status] of [
        [1, 'pending'],
        [2, 'resolved'],
        [3, 'open'],
      ] as const) {
        fixture.advance(SECOND)
        const reply = await fixture.call('PATCH', `/v1/cases/${created.id}`, { body: { status } })
        expect(reply.status).toBe(200)
        const expected = { ...created, status, updated_at: iso(T0 + step * SECOND) }
        expect(reply.body).toEqual(expected)
        expect(await readCase(created.id)).toEqual(expected)
      }
    })

    it('changes only the fields given; null clears subject, language and external_id; parameters are replaced whole', async () => {
      const created = await openCase({
        contact_id: SANNE,
        external_id: 'T-1',
        subject: 'Broken kettle',
        language: 'nl',
        parameters: { ticket_id: 'T-1', '1': 'Sanne' },
      })
      const renamed = await fixture.call('PATCH', `/v1/cases/${created.id}`, {
        body: { subject: 'Kettle replaced', parameters: { ticket_id: 'T-1b' } },
      })
      expect(renamed.body).toMatchObject({
        subject: 'Kettle replaced',
        language: 'nl',
        external_id: 'T-1',
        status: 'open',
        parameters: { ticket_id: 'T-1b' },
      })
      const cleared = await fixture.call('PATCH', `/v1/cases/${created.id}`, {
        body: { subject: null, language: null, external_id: null },
      })
      expect(cleared.status).toBe(200)
      expect(await readCase(created.id)).toMatchObject({
        subject: null,
        language: null,
        external_id: null,
        parameters: { ticket_id: 'T-1b' },
      })
      // The ticket id is free again: another case can take it.
      await openCase({ contact_id: JOOST, external_id: 'T-1' })
    })

    it('answers an empty PATCH with the case unchanged', async () => {
      const created = await openCase({ contact_id: SANNE })
      fixture.advance(SECOND)
      const reply = await fixture.call('PATCH', `/v1/cases/${created.id}`, { body: {} })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual(created)
    })

    it('refuses an external_id another case of the channel has with a 409, and keeps its own', async () => {
      const first = await openCase({ contact_id: SANNE, external_id: 'T-1' })
      const second = await openCase({ contact_id: JOOST, external_id: 'T-2' })
      const taken = await fixture.call('PATCH', `/v1/cases/${second.id}`, {
        body: { external_id: 'T-1', status: 'resolved' },
      })
      expect(taken.status).toBe(409)
      expect(details(taken)).toContain(`case ${first.id}`)
      expect(await readCase(second.id)).toEqual(second)

      const same = await fixture.call('PATCH', `/v1/cases/${second.id}`, { body: { external_id: 'T-2' } })
      expect(same.status).toBe(200)
      expect(same.body).toMatchObject({ external_id: 'T-2' })
    })

    it.each<[string, unknown, string]>([
      ['an unknown status', { status: 'closed' }, 'status: status must be open, pending or resolved'],
      ['a null status', { status: null }, 'status: status must be open'],
      ['an unknown field', { status: 'resolved', assignee: 'Piet' }, 'Unrecognized key: "assignee"'],
      [
        'a subject of 1001 characters',
        { status: 'resolved', subject: 'x'.repeat(1001) },
        'subject: subject has at most 1000 characters',
      ],
      ['null parameters', { status: 'resolved', parameters: null }, 'parameters: parameters is an object'],
      [
        'an empty external_id',
        { status: 'resolved', external_id: ' ' },
        'external_id: external_id must not be empty',
      ],
      ['a contact_id, which a case keeps', { contact_id: JOOST }, 'Unrecognized key: "contact_id"'],
      ['a body that is a string', 'resolved', 'expected object'],
    ])(
      'refuses a change with %s with a 400 naming the field and changes nothing',
      async (_case, body, message) => {
        const created = await openCase({ contact_id: SANNE, subject: 'Broken kettle' })
        fixture.advance(SECOND)
        const reply = await rawCall('PATCH', `/v1/cases/${created.id}`, JSON.stringify(body))
        expect(reply.status).toBe(400)
        expect(details(reply)).toContain(message)
        expect(await readCase(created.id)).toEqual(created)
      },
    )

    it('refuses a PATCH without a body with a 400', async () => {
      const created = await openCase({ contact_id: SANNE })
      const reply = await rawCall('PATCH', `/v1/cases/${created.id}`)
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('send the changes as a JSON body')
      expect(await readCase(created.id)).toEqual(created)
    })

    it('answers 404 for a case that does not exist', async () => {
      for (const method of ['GET', 'PATCH'] as const) {
        const reply = await fixture.call(method, '/v1/cases/case_missing', { body: { status: 'resolved' } })
        expect(reply.status).toBe(404)
        expect(details(reply)).toContain("there is no case 'case_missing'")
      }
    })
  })

  describe('by external_id', () => {
    it('reads and changes a case by the business’s own ticket id, URL-encoded', async () => {
      const created = await openCase({ contact_id: SANNE, external_id: 'T/42 #1 ü' })
      const found = await fixture.call('GET', byExternalId('T/42 #1 ü'))
      expect(found.status).toBe(200)
      expect(found.body).toEqual(created)

      const resolved = await fixture.call('PATCH', byExternalId('T/42 #1 ü'), {
        body: { status: 'resolved' },
      })
      expect(resolved.status).toBe(200)
      expect(await readCase(created.id)).toMatchObject({ status: 'resolved' })
    })

    it('answers 404 naming the ticket id when no case of the channel has it', async () => {
      await openCase({ contact_id: SANNE, external_id: 'T-1' }, ACME_CLOUD_NUMBER)
      for (const method of ['GET', 'PATCH'] as const) {
        const reply = await fixture.call(method, byExternalId('T-1'), { body: { status: 'resolved' } })
        expect(reply.status).toBe(404)
        expect(details(reply)).toContain(`channel '${ACME_NUMBER}' has no case with external_id 'T-1'`)
      }
    })
  })

  describe('tenancy', () => {
    it('answers another tenant’s case with 404 exactly as a missing one, and changes nothing', async () => {
      const created = await openCase({ contact_id: SANNE, external_id: 'T-1' })
      for (const method of ['GET', 'PATCH'] as const) {
        const theirs = await fixture.call(method, `/v1/cases/${created.id}`, {
          key: GLOBEX_KEY,
          body: { status: 'resolved' },
        })
        const missing = await fixture.call(method, '/v1/cases/case_missing', {
          key: GLOBEX_KEY,
          body: { status: 'resolved' },
        })
        expect(theirs.status).toBe(404)
        expect(details(theirs).replace(created.id, 'ID')).toBe(details(missing).replace('case_missing', 'ID'))
      }
      expect(await readCase(created.id)).toEqual(created)
    })

    it('keeps another tenant out of the channel’s cases and external ids, writing nothing', async () => {
      await openCase({ contact_id: SANNE, external_id: 'T-1' })
      const before = await rowCounts()
      const attempts = [
        ['POST', casesOf()],
        ['GET', casesOf()],
        ['GET', byExternalId('T-1')],
        ['PATCH', byExternalId('T-1')],
      ] as const
      for (const [method, url] of attempts) {
        const reply = await fixture.call(method, url, {
          key: GLOBEX_KEY,
          body: { contact_id: JOOST, status: 'resolved' },
        })
        expect(reply.status, `${method} ${url}`).toBe(404)
      }
      expect(await rowCounts()).toEqual(before)
      // …and Globex's own channel has none of them.
      expect((await fixture.call('GET', casesOf(GLOBEX_NUMBER), { key: GLOBEX_KEY })).body).toEqual({
        data: [],
        paging: { next_cursor: null },
      })
      expect((await fixture.call('GET', casesOf(GLOBEX_NUMBER))).status).toBe(404)
    })

    it.each([
      ['POST', casesOf()],
      ['GET', casesOf()],
      ['GET', '/v1/cases/case_1'],
      ['PATCH', '/v1/cases/case_1'],
      ['GET', byExternalId('T-1')],
      ['PATCH', byExternalId('T-1')],
    ] as const)('answers %s %s with 401 without a valid API key', async (method, url) => {
      for (const key of [null, 'cw_not_a_key_of_anyone_0000']) {
        const reply = await fixture.call(method, url, { key, body: { contact_id: SANNE } })
        expect(reply.status).toBe(401)
        expect(reply.body).toMatchObject({ error: { code: 190, type: 'OAuthException' } })
      }
      expect(await fixture.countRows('cases')).toBe(0)
    })
  })

  describe('the OpenAPI document', () => {
    it('documents the case routes with a summary and their error responses', async () => {
      const reply = await fixture.app.inject({ method: 'GET', url: '/docs/json' })
      const paths = (
        JSON.parse(reply.body) as {
          paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>
        }
      ).paths
      const routes = [
        [
          'post',
          '/v1/channels/{channelId}/cases',
          ['201', '400', '401', '403', '404', '409', '413', '415', '503'],
        ],
        ['get', '/v1/channels/{channelId}/cases', ['200', '400', '401', '404', '503']],
        ['get', '/v1/cases/{caseId}', ['200', '401', '404', '503']],
        ['patch', '/v1/cases/{caseId}', ['200', '400', '401', '403', '404', '409', '413', '415', '503']],
        ['get', '/v1/channels/{channelId}/cases/by-external-id/{externalId}', ['200', '401', '404', '503']],
        [
          'patch',
          '/v1/channels/{channelId}/cases/by-external-id/{externalId}',
          ['200', '400', '401', '403', '404', '409', '413', '415', '503'],
        ],
      ] as const
      for (const [method, path, statuses] of routes) {
        const operation = paths[path]?.[method]
        expect(operation?.summary, `${method} ${path}`).toEqual(expect.any(String))
        expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([...statuses].sort())
      }
    })
  })
})

describe('cases on PostgreSQL, where requests run side by side', () => {
  let fixture: NativeApiFixture
  beforeEach(async () => {
    fixture = await openFixture('postgres')
  })
  afterEach(async () => {
    await fixture.close()
  })

  it('opens one case when ten requests with one external_id race, and answers the others 409', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fixture.call('POST', casesOf(), { body: { contact_id: `3161234000${i}`, external_id: 'T-RACE' } }),
      ),
    )
    const statuses = replies.map((reply) => reply.status).sort()
    expect(statuses).toEqual([201, ...Array.from({ length: 9 }, () => 409)])
    const winner = replies.find((reply) => reply.status === 201)?.body as CaseJson
    for (const reply of replies.filter((each) => each.status === 409))
      expect(details(reply)).toContain(`case ${winner.id}`)
    expect(await fixture.countRows('cases')).toBe(1)
  })

  it('gives an external_id to one case when two changes race for it, and answers the other 409', async () => {
    const ids: string[] = []
    for (const contact of [SANNE, JOOST]) {
      const reply = await fixture.call('POST', casesOf(), { body: { contact_id: contact } })
      ids.push((reply.body as CaseJson).id)
    }
    const replies = await Promise.all(
      ids.map((id) => fixture.call('PATCH', `/v1/cases/${id}`, { body: { external_id: 'T-RACE' } })),
    )
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409])
    const holders = await fixture.call('GET', `${casesOf()}?external_id=T-RACE`)
    expect((holders.body as CasePage).data).toHaveLength(1)
  })
})
