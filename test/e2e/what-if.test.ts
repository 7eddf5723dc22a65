import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import { FakeGraph as Graph } from '../support/fake-graph.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  inboundTextNotification,
  OTHER_API_KEY,
  postMessage,
  postWebhook,
  startTestGateway,
  TestClock,
  textMessage,
  ticketUpdate,
  type E2eDatabase,
} from '../support/test-gateway.js'

/** Inside the reported 2026 change's era (2026-10-01), which is off unless switched on. */
const NOW = Date.parse('2026-11-02T10:00:00Z')
const IN_WINDOW = '31611111111'
const CLOSED_NL = '31622222222'
const CLOSED_DE = '4915112345678'

/** The tenant's own card (the config file's sample cards are in USD): every figure below comes from it. */
const CARD = {
  label: 'Acme negotiated',
  currency: 'EUR',
  effective_from: '2026-01-01',
  rates: {
    NL: { marketing: '0.10', utility: '0.04', service: '0.02' },
    '*': { marketing: '0.20', utility: '0.05', service: '0.03' },
  },
}

interface Json {
  readonly [key: string]: unknown
}

async function whatIf(serverUrl: string, body: unknown, apiKey = API_KEY) {
  const response = await fetch(`${serverUrl}/v1/costs/what-if`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Json }
}

const PERIOD = { from: '2026-11-01', to: '2026-11-30' }
const eur = (amount: string, messages: number) => ({
  currency: 'EUR',
  messages,
  amount,
  amount_micros: Math.round(Number(amount) * 1_000_000),
})

describe.each(['sqlite', 'postgres'] as const)('what-if costs on %s', { timeout: 60_000 }, (dialect) => {
  const cleanup = new Cleanup()
  const clock = new TestClock()
  let graph: FakeGraph
  let server: RunningServer
  let database: E2eDatabase

  beforeAll(async () => {
    clock.setTo(NOW)
    database = await createE2eDatabase(dialect)
    cleanup.add(() => database.destroy())
    graph = await Graph.start()
    cleanup.add(() => graph.close())
    server = await startTestGateway({
      databaseUrl: database.url,
      graphUrl: graph.url,
      clock: clock.now,
      overrides: { rate_cards: 'sample' },
    })
    cleanup.add(() => server.close())

    const stored = await fetch(`${server.url}/v1/rate-cards/acme-2026`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(CARD),
    })
    expect(stored.status).toBe(201)

    // A customer writes: two free-form replies and a utility template inside the window (free under PMP 2025) …
    const inbound = inboundTextNotification({ from: IN_WINDOW, id: 'wamid.IN1', atMs: clock.now() - 60_000 })
    expect((await postWebhook(server.url, inbound, { secret: APP_SECRET })).status).toBe(200)
    await server.gateway.inbox.drain()
    const sends = [
      textMessage(IN_WINDOW, 'Happy to help'),
      ticketUpdate(IN_WINDOW, 'T-1'),
      textMessage(IN_WINDOW, 'Anything else?'),
      // … and two utility templates outside any window (charged in every era): NL, and DE on the card's * row.
      ticketUpdate(CLOSED_NL, 'T-2'),
      ticketUpdate(CLOSED_DE, 'T-3'),
    ]
    for (const body of sends) {
      clock.advance(60_000)
      expect((await postMessage(server.url, body)).status).toBe(200)
    }
  })

  afterAll(() => cleanup.run())

  it('prices the sends with the tenant’s own card and the reported 2026 change at its hand-computed total', async () => {
    const { status, body } = await whatIf(server.url, { ...PERIOD, settings: { pricing_2026: true } })

    expect(status).toBe(200)
    expect(body).toMatchObject({ messages: 5, repriced: 5, asked: { settings: { pricing_2026: true } } })
    // Now: 0 + 0 + 0 (in the window) + 0.04 (NL utility) + 0.05 (* utility), as recorded when they were sent.
    expect(body.recorded).toEqual({ totals: [eur('0.09', 5)] })
    expect((body.current as Json).totals).toEqual([eur('0.09', 5)])
    // With the change: 0.02 + 0.04 + 0.02 (service and utility in the window charged) + 0.04 + 0.05.
    expect((body.what_if as Json).totals).toEqual([eur('0.17', 5)])
    const differences = body.differences as Json
    expect(differences.totals).toEqual([
      {
        currency: 'EUR',
        current: { messages: 5, amount: '0.09', amount_micros: 90_000 },
        what_if: { messages: 5, amount: '0.17', amount_micros: 170_000 },
        difference: '0.08',
        difference_micros: 80_000,
      },
    ])
    expect(differences.by_category).toEqual([
      expect.objectContaining({ category: 'service', difference_micros: 40_000 }),
      expect.objectContaining({ category: 'utility', difference_micros: 40_000 }),
    ])
    expect(differences.by_channel).toEqual([
      expect.objectContaining({ channel: '106540352242922', difference_micros: 80_000 }),
    ])
  })

  it('prices the same traffic under conversation-based pricing (CBP 2023) at its hand-computed total', async () => {
    const { status, body } = await whatIf(server.url, { ...PERIOD, pricing_model: 'CBP_2023' })

    expect(status).toBe(200)
    // A service conversation (0.02) the second reply rides on, a utility one (0.04), and two more utility ones.
    expect((body.what_if as Json).totals).toEqual([eur('0.15', 5)])
    expect((body.what_if as Json).by_category).toEqual([
      { category: 'service', ...eur('0.02', 2) },
      { category: 'utility', ...eur('0.13', 3) },
    ])
  })

  it('prices with other rate cards given inline', async () => {
    const { body } = await whatIf(server.url, {
      ...PERIOD,
      rate_cards: [{ ...CARD, currency: 'EUR', rates: { '*': { utility: '0.01' } } }],
    })
    // Only the two templates outside the window are charged, at 0.01 each.
    expect((body.what_if as Json).totals).toEqual([eur('0.02', 5)])
  })

  it.each([
    ['no alternative', {}],
    ['the settings in force', { settings: { pricing_2026: false } }],
  ])('shows no difference for %s', async (_title, alternative) => {
    const { status, body } = await whatIf(server.url, { ...PERIOD, ...alternative })

    expect(status).toBe(200)
    expect(body.current).toEqual(body.what_if)
    const differences = body.differences as Record<string, Json[]>
    expect(differences.totals?.map((change) => change.difference_micros)).toEqual([0])
    expect(
      [...(differences.by_category ?? []), ...(differences.by_channel ?? [])].every(
        (change) => change.difference_micros === 0,
      ),
    ).toBe(true)
  })

  it('shows another tenant none of it', async () => {
    const { status, body } = await whatIf(
      server.url,
      { ...PERIOD, settings: { pricing_2026: true } },
      OTHER_API_KEY,
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ messages: 0, repriced: 0, recorded: { totals: [] } })
    expect((body.what_if as Json).totals).toEqual([])
  })

  it('answers the differences as CSV when asked', async () => {
    const response = await fetch(`${server.url}/v1/costs/what-if`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'application/json',
        accept: 'text/csv',
      },
      body: JSON.stringify({ ...PERIOD, settings: { pricing_2026: true } }),
    })
    expect(response.headers.get('content-type')).toContain('text/csv')
    expect((await response.text()).split('\r\n').slice(0, 2)).toEqual([
      'group,value,currency,current_messages,current_amount,what_if_messages,what_if_amount,difference,difference_micros',
      'total,,EUR,5,0.09,5,0.17,0.08,80000',
    ])
  })

  it.each([
    [{ ...PERIOD, settings: { pricing_2026_at: 'soon' } }, 'settings.pricing_2026_at'],
    [{ ...PERIOD, settings: { pricing_pmp_2025_at: '2020-01-01' } }, 'settings.pricing_pmp_2025_at'],
    [{ ...PERIOD, pricing_model: 'FREE' }, 'pricing_model'],
    [
      { ...PERIOD, rate_cards: [{ label: 'x', currency: 'euro', effective_from: '2026-01-01', rates: {} }] },
      'rate_cards[0].currency',
    ],
    [{ ...PERIOD, rate_cards: 'mine' }, 'rate_cards'],
    [{ ...PERIOD, colour: 'blue' }, 'colour'],
    [{ from: '2026-11-01' }, 'to'],
    [{ from: '2024-01-01', to: '2026-01-01' }, 'at most 366 days'],
    [{ ...PERIOD, channel: '999' }, "there is no channel '999'"],
  ])('refuses %j with a 400 that names the field', async (body, named) => {
    const answer = await whatIf(server.url, body)
    expect(answer.status).toBe(400)
    expect(JSON.stringify(answer.body)).toContain(named)
  })
})
