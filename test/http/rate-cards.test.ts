import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ACME_KEY,
  ACME_NUMBER,
  GLOBEX_KEY,
  GLOBEX_NUMBER,
  HOUR,
  openFixture,
  T0,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'

const SANNE = '31612345678'
const BELGIAN = '32470123456'
const DAY = 24 * HOUR

/** An Issue Resolution template to a contact whose window is closed: allowed, and charged as utility (PMP). */
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

interface Price {
  readonly amount: string
  readonly currency: string
  readonly rate_card: string
  readonly market: string
}

interface Billing {
  readonly era: string
  readonly price: Price | null
}

const card = (overrides: object = {}) => ({
  label: 'Acme negotiated rates',
  currency: 'EUR',
  effective_from: '2025-08-01',
  rates: { NL: { utility: '0.0500', marketing: '0.1597' }, '*': { utility: '0.0080' } },
  ...overrides,
})

const CSV = [
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Netherlands,EUR,0.1597,0.0400,0.0464,,0.0000',
  'Rest of Western Europe,EUR,0.0490,0.0142,0.0142,,0.0000',
  'Other,EUR,0.0500,0.0064,0.0064,,0.0000',
].join('\n')

function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

describe.each(['sqlite', 'postgres'] as const)('rate cards through the API on %s', (dialect) => {
  let fixture: NativeApiFixture

  beforeAll(async () => {
    fixture = await openFixture(dialect)
  })
  afterAll(async () => {
    await fixture.close()
  })
  beforeEach(async () => {
    for (const key of [ACME_KEY, GLOBEX_KEY]) {
      const list = await fixture.call('GET', '/v1/rate-cards', { key })
      for (const { id } of (list.body as { data: { id: string }[] }).data)
        await fixture.call('DELETE', `/v1/rate-cards/${id}`, { key })
    }
  })

  /** The billing of a dry-run decision for `to` on `number`, now or at `at`. */
  async function billingOf(
    to: string,
    options: { readonly at?: number; readonly key?: string; readonly number?: string } = {},
  ): Promise<Billing> {
    const reply = await fixture.call('POST', `/v1/channels/${options.number ?? ACME_NUMBER}/decisions`, {
      key: options.key ?? ACME_KEY,
      body: {
        message: ticketUpdateTo(to),
        ...(options.at === undefined ? {} : { at: new Date(options.at).toISOString() }),
      },
    })
    expect(reply.status).toBe(200)
    return (reply.body as { billing: Billing }).billing
  }

  const put = (id: string, body: object, key = ACME_KEY) =>
    fixture.call('PUT', `/v1/rate-cards/${id}`, { key, body })

  const importCsv = (query: string, body: string, contentType = 'text/csv', key = ACME_KEY) =>
    fixture.app.inject({
      method: 'POST',
      url: `/v1/rate-cards/import?${query}`,
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      payload: body,
    })

  it('prices the next send with a card PUT through the API, and stops when it is deleted', async () => {
    const before = await billingOf(SANNE)
    expect(before.price).toMatchObject({ currency: 'USD', rate_card: 'sample-2025-pmp' })

    const created = await put('acme-2025-08', card())
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      id: 'acme-2025-08',
      source: 'api',
      rates: { NL: { utility: '0.05' } },
    })
    expect((await billingOf(SANNE)).price).toEqual({
      amount: '0.05',
      amount_micros: 50_000,
      currency: 'EUR',
      rate_card: 'acme-2025-08',
      market: 'NL',
    })

    const sent = await fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, { body: ticketUpdateTo(SANNE) })
    expect(sent.status).toBe(200)
    const message = await fixture.call(
      'GET',
      `/v1/messages/${String(sent.headers['x-carewindow-message-id'])}`,
    )
    expect(message.body).toMatchObject({
      price: { amount: '0.05', currency: 'EUR' },
      decision: { billing: { price: { rate_card: 'acme-2025-08' } } },
    })

    expect((await fixture.call('DELETE', '/v1/rate-cards/acme-2025-08')).body).toEqual({ success: true })
    expect((await billingOf(SANNE)).price).toMatchObject({ rate_card: 'sample-2025-pmp' })
    expect((await fixture.call('DELETE', '/v1/rate-cards/acme-2025-08')).status).toBe(404)
  })

  it.each([
    ['1 ms before its effective date', -1, 'sample-2025-pmp'],
    ['at its effective date', 0, 'acme-2025-10'],
    ['1 ms after it', 1, 'acme-2025-10'],
  ])(
    'prices with the configured cards %s, and with the tenant’s card from then on',
    async (_when, offset, id) => {
      const from = T0 + 30 * DAY
      expect((await put('acme-2025-10', card({ effective_from: new Date(from).toISOString() }))).status).toBe(
        201,
      )
      expect((await billingOf(SANNE, { at: from + offset })).price?.rate_card).toBe(id)
    },
  )

  it('lists the tenant’s cards, what the config file gives every tenant, and the card in force', async () => {
    const empty = await fixture.call('GET', '/v1/rate-cards')
    expect(empty.body).toMatchObject({
      data: [],
      in_force: { id: 'sample-2025-pmp', is_sample: true, source: 'config' },
      configured: { are_samples: true, replaced_from: null },
    })
    await put('acme-2025-08', card())
    await put('acme-2026-01', card({ effective_from: '2026-01-01' }))
    const listed = await fixture.call('GET', '/v1/rate-cards')
    expect(listed.body).toMatchObject({
      data: [{ id: 'acme-2025-08' }, { id: 'acme-2026-01' }],
      in_force: { id: 'acme-2025-08', is_sample: false, source: 'tenant' },
      configured: { replaced_from: '2025-08-01T00:00:00.000Z' },
    })
  })

  it('replaces a card by its id, keeping when it was first stored', async () => {
    const first = await put('acme-2025-08', card())
    fixture.advance(1000)
    const replaced = await put(
      'acme-2025-08',
      card({ id: 'acme-2025-08', rates: { NL: { utility: '0.06' } } }),
    )
    expect(replaced.status).toBe(200)
    expect(replaced.body).toMatchObject({
      created_at: (first.body as { created_at: string }).created_at,
      updated_at: new Date(fixture.now()).toISOString(),
    })
    expect((await billingOf(SANNE)).price?.amount).toBe('0.06')
  })

  it.each([
    [
      'an amount that is not one',
      'acme-1',
      card({ rates: { NL: { utility: '0,05' } } }),
      400,
      'rates.NL.utility: "0,05" is not an amount',
    ],
    [
      'an unknown category',
      'acme-1',
      card({ rates: { NL: { marketing_lite: '0.05' } } }),
      400,
      'rates.NL: Unrecognized key: "marketing_lite"',
    ],
    [
      'an id in the body that is not the path’s',
      'acme-1',
      card({ id: 'acme-2' }),
      400,
      'id: the body says "acme-2" but the path "acme-1"',
    ],
    ['an id that cannot be one', 'acme%20one', card(), 400, 'id: "acme one" is not a rate card id'],
    ['a missing currency', 'acme-1', card({ currency: undefined }), 400, 'currency:'],
    [
      'a date that is not one',
      'acme-1',
      card({ effective_from: '2025-02-30' }),
      400,
      'effective_from: "2025-02-30" is not a date',
    ],
  ])('refuses %s with 400, storing nothing', async (_name, id, body, status, problem) => {
    const reply = await put(id, body)
    expect(reply.status).toBe(status)
    expect(details(reply)).toContain(problem)
    expect((await fixture.call('GET', '/v1/rate-cards')).body).toMatchObject({ data: [] })
  })

  it('refuses a second card taking effect at the same instant (409): one card is in force at a time', async () => {
    await put('acme-2025-08', card())
    const reply = await put('acme-other', card())
    expect(reply.status).toBe(409)
    expect(details(reply)).toContain(
      "rate card 'acme-2025-08' already takes effect at 2025-08-01T00:00:00.000Z; one card is in force at a time",
    )
    expect((await fixture.call('GET', '/v1/rate-cards')).body).toMatchObject({
      data: [{ id: 'acme-2025-08' }],
    })
  })

  it('keeps a tenant’s cards from every other tenant: they cannot see, use, replace or delete them', async () => {
    await put('acme-2025-08', card())
    expect((await fixture.call('GET', '/v1/rate-cards', { key: GLOBEX_KEY })).body).toMatchObject({
      data: [],
      in_force: { source: 'config' },
    })
    const globexPrice = (await billingOf(SANNE, { key: GLOBEX_KEY, number: GLOBEX_NUMBER })).price
    expect(globexPrice?.rate_card).toBe('sample-2025-pmp')
    expect((await fixture.call('DELETE', '/v1/rate-cards/acme-2025-08', { key: GLOBEX_KEY })).status).toBe(
      404,
    )
    // The same id is Globex's own card, which leaves Acme's alone.
    expect((await put('acme-2025-08', card({ rates: { NL: { utility: '0.99' } } }), GLOBEX_KEY)).status).toBe(
      201,
    )
    expect((await billingOf(SANNE)).price?.amount).toBe('0.05')
    expect((await billingOf(SANNE, { key: GLOBEX_KEY, number: GLOBEX_NUMBER })).price?.amount).toBe('0.99')
    expect((await fixture.call('GET', '/v1/rate-cards', { key: null })).status).toBe(401)
  })

  it('imports Meta’s CSV: a country priced on its row, a group’s country at the group’s price, the rest at Other', async () => {
    const reply = await importCsv(
      'id=meta-2025-08-eur&label=Meta%20EUR&currency=EUR&effective_from=2025-08-01',
      CSV,
    )
    expect(reply.statusCode).toBe(201)
    expect(JSON.parse(reply.body)).toMatchObject({
      id: 'meta-2025-08-eur',
      source: 'csv',
      countries: { BE: 'Rest of Western Europe' },
      rates: { NL: { utility: '0.04' }, '*': { utility: '0.0064' } },
    })
    expect((await billingOf(SANNE)).price).toMatchObject({ amount: '0.04', market: 'NL' })
    expect((await billingOf(BELGIAN)).price).toMatchObject({
      amount: '0.0142',
      market: 'Rest of Western Europe',
    })
    expect((await billingOf('5511987654321')).price).toMatchObject({ amount: '0.0064', market: '*' })
    // Imported again: replaced, not added.
    const again = await importCsv('id=meta-2025-08-eur&label=Meta%20EUR&effective_from=2025-08-01', CSV)
    expect(again.statusCode).toBe(200)
  })

  it('refuses a file with problems with 400 listing every one with its line, and stores nothing', async () => {
    const text = 'Market,Marketing,Utility\nNetherlands,abc,0.1\nAtlantis,0.1,0.1\nGermany,0.1,x\n'
    const reply = await importCsv('id=x&label=x&currency=EUR&effective_from=2025-08-01', text)
    expect(reply.statusCode).toBe(400)
    const problems = details({ status: 400, body: JSON.parse(reply.body) as unknown, headers: {} })
    expect(problems).toContain(
      'line 2, Marketing: "abc" is not an amount such as "0.0147" (at most 6 decimals); ',
    )
    expect(problems).toContain('line 3: unknown market "Atlantis"')
    expect(problems).toContain('line 4, Utility: "x" is not an amount')
    expect((await fixture.call('GET', '/v1/rate-cards')).body).toMatchObject({ data: [] })
  })

  it.each([
    ['without id and label', 'currency=EUR&effective_from=2025-08-01', CSV, 'text/csv', 400, 'id:'],
    [
      'with an unknown query parameter',
      'id=x&label=x&effective_from=2025-08-01&currency=EUR&day=1',
      CSV,
      'text/csv',
      400,
      'Unrecognized key: "day"',
    ],
    [
      'with an id that cannot be one',
      'id=a%20b&label=x&effective_from=2025-08-01',
      CSV,
      'text/csv',
      400,
      'is not a rate card id',
    ],
    [
      'as JSON',
      'id=x&label=x&effective_from=2025-08-01',
      '{"a":1}',
      'application/json',
      400,
      'send the CSV file as the body with Content-Type: text/csv',
    ],
    ['as text/plain', 'id=x&label=x&effective_from=2025-08-01', CSV, 'text/plain', 415, 'is not accepted'],
    [
      'empty',
      'id=x&label=x&currency=EUR&effective_from=2025-08-01',
      '',
      'text/csv',
      400,
      'the file is empty',
    ],
  ])('refuses an import %s', async (_name, query, body, contentType, status, problem) => {
    const reply = await importCsv(query, body, contentType)
    expect(reply.statusCode).toBe(status)
    expect(details({ status, body: JSON.parse(reply.body) as unknown, headers: {} })).toContain(problem)
  })

  it('keeps text/csv to the import: a card PUT as CSV is refused', async () => {
    const reply = await fixture.app.inject({
      method: 'PUT',
      url: '/v1/rate-cards/x',
      headers: { authorization: `Bearer ${ACME_KEY}`, 'content-type': 'text/csv' },
      payload: CSV,
    })
    expect(reply.statusCode).toBe(415)
  })

  it('moves a decision’s billing era when the channel’s settings move the era’s date', async () => {
    expect((await billingOf(SANNE)).era).toBe('PMP_2025')
    const acme = await fixture.gateway.directory.channel('whatsapp', ACME_NUMBER)
    if (acme === undefined) throw new Error('Acme’s number is configured')
    // As `carewindow channel add --settings` would: per-message pricing from 2025-10-01 for this number.
    await fixture.gateway.store.upsertChannel({
      ...acme,
      settings: { pricing_pmp_2025_at: '2025-10-01' },
      updatedAt: fixture.now(),
    })
    fixture.gateway.directory.invalidate()
    const moved = await billingOf(SANNE)
    expect(moved.era).toBe('CBP_FREE_SERVICE')
    expect((await billingOf(SANNE, { at: Date.parse('2025-10-01T00:00:00Z') - 1 })).era).toBe(
      'CBP_FREE_SERVICE',
    )
    expect((await billingOf(SANNE, { at: Date.parse('2025-10-01T00:00:00Z') })).era).toBe('PMP_2025')
    await fixture.gateway.store.upsertChannel({ ...acme, updatedAt: fixture.now() + 1 })
    fixture.gateway.directory.invalidate()
  })
})
