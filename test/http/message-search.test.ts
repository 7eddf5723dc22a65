import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ACME_NUMBER,
  ACME_PAGE,
  openFixture,
  T0,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'
import { ANA, BEN, everyPage, playTraffic, type Traffic } from './costs-traffic.js'

function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

const ids = (items: readonly Record<string, unknown>[]) => items.map((item) => item.id)

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`GET /v1/messages on ${dialect}`, () => {
    let fixture: NativeApiFixture
    let traffic: Traffic
    let all: Record<string, unknown>[]

    beforeAll(async () => {
      fixture = await openFixture(dialect)
      traffic = await playTraffic(fixture)
      all = (await everyPage(fixture, 'limit=500')).flat()
    })
    afterAll(async () => {
      await fixture.close()
    })

    it('lists every one of the tenant’s messages, newest first, and none of another tenant’s', () => {
      const times = all.map((item) => Date.parse(String(item.at)))

      expect(new Set(ids(all))).toEqual(
        new Set([...traffic.sent, ...ids(all.filter((item) => item.direction === 'inbound'))]),
      )
      expect(all.filter((item) => item.direction === 'outbound')).toHaveLength(traffic.sent.length)
      expect(times).toEqual([...times].sort((a, b) => b - a))
      expect(all.every((item) => (item.channel as { id: string }).id !== '106540352242999')).toBe(true)
    })

    it('pages through sends of the same millisecond without losing or repeating one', async () => {
      const pages = await everyPage(fixture, 'limit=2')

      expect(pages.length).toBe(Math.ceil(all.length / 2))
      expect(ids(pages.flat())).toEqual(ids(all))
      // Three replies were recorded at the same instant, so some page boundary falls among equal instants.
      expect(
        all.filter((item) => item.at === new Date(T0 + 3_600_000).toISOString()).length,
      ).toBeGreaterThanOrEqual(3)
    })

    it('shows each message with its decision’s summary, carewindow’s price and Meta’s pricing', () => {
      const first = all.find((item) => item.id === traffic.metaPriced)

      expect(first).toMatchObject({
        direction: 'outbound',
        channel: { platform: 'whatsapp', id: ACME_NUMBER },
        contact_id: ANA,
        status: 'delivered',
        decision: {
          allowed: true,
          reason: 'IN_CARE_WINDOW',
          rules: expect.arrayContaining(['CCW-2']) as unknown,
          billing: {
            pricing_model: 'PMP',
            category: 'service',
            type: 'free_customer_service',
            billable: false,
          },
          explanation: expect.stringContaining('Allowed') as unknown,
        },
        price: { amount: '0', amount_micros: 0, currency: 'USD' },
        market: 'NL',
        meta_pricing: { pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
      })
    })

    it.each<[string, string, (item: Record<string, unknown>) => boolean]>([
      ['a channel', `channel=${ACME_PAGE}`, (item) => (item.channel as { id: string }).id === ACME_PAGE],
      [
        'a contact, however the number is written',
        'contact_id=%2B31%206%2012345678',
        (item) => item.contact_id === ANA,
      ],
      ['the direction', 'direction=inbound', (item) => item.direction === 'inbound'],
      [
        'refusals',
        'allowed=false',
        (item) => (item.decision as { allowed?: boolean } | null)?.allowed === false,
      ],
      [
        'reasons',
        'reason=WINDOW_CLOSED,NO_OPT_IN',
        (item) => ['WINDOW_CLOSED', 'NO_OPT_IN'].includes(reasonOf(item)),
      ],
      ['a category', 'category=marketing', (item) => billingOf(item)?.category === 'marketing'],
      ['a pricing model', 'pricing_model=NONE', (item) => billingOf(item)?.pricing_model === 'NONE'],
      [
        'a billing type',
        'billing_type=free_customer_service',
        (item) => billingOf(item)?.type === 'free_customer_service',
      ],
      ['a market', 'market=de', (item) => item.market === 'DE'],
      [
        'delivery statuses',
        'status=delivered,refused',
        (item) => ['delivered', 'refused'].includes(String(item.status)),
      ],
      [
        'a period, to as a date including that day',
        'from=2025-09-02T00:00:00Z&to=2025-09-02',
        (item) => String(item.at).startsWith('2025-09-02'),
      ],
    ])('filters by %s', async (_title, query, matches) => {
      const found = (await everyPage(fixture, `${query}&limit=3`)).flat()

      expect(found.length).toBeGreaterThan(0)
      expect(ids(found)).toEqual(ids(all.filter(matches)))
    })

    it('with include=body gives each message the body GET /v1/messages/{id} shows, and leaves it out otherwise', async () => {
      const withBodies = (await everyPage(fixture, `channel=${ACME_NUMBER}&include=body&limit=7`)).flat()

      expect(ids(withBodies)).toEqual(
        ids(all.filter((item) => (item.channel as { id: string }).id === ACME_NUMBER)),
      )
      expect(all.every((item) => !('body' in item))).toBe(true)
      for (const item of withBodies) {
        const one = await fixture.call('GET', `/v1/messages/${String(item.id)}`)
        expect(item.body).toEqual((one.body as { body: unknown }).body)
      }
      const sent = withBodies.find((item) => item.id === traffic.metaPriced)
      expect(sent?.body).toMatchObject({ messaging_product: 'whatsapp', to: ANA })
    })

    it('finds a contact on the channel named, and nothing of it elsewhere', async () => {
      const onNumber = (await everyPage(fixture, `channel=${ACME_NUMBER}&contact_id=${BEN}`)).flat()
      const onPage = (await everyPage(fixture, `channel=${ACME_PAGE}&contact_id=${BEN}`)).flat()

      expect(onNumber.map((item) => item.contact_id)).toEqual(onNumber.map(() => BEN))
      expect(onNumber.length).toBeGreaterThan(0)
      expect(onPage).toEqual([])
    })

    it.each([
      ['from=yesterday', 'from: "yesterday" is not an ISO 8601 instant with offset'],
      ['from=2025-02-30', 'from: "2025-02-30" is not'],
      ['from=2025-09-01T10:00:00', 'from: "2025-09-01T10:00:00" is not'],
      ['from=2025-09-03&to=2025-09-01', 'to: must be after from (2025-09-03T00:00:00.000Z)'],
      ['from=1999-12-31', 'from: must be between 2000-01-01'],
      ['limit=501', 'limit must be a whole number from 1 to 500'],
      ['limit=1e308', 'limit must be a whole number from 1 to 500'],
      ['cursor=bogus!', 'cursor: not a cursor carewindow gave out'],
      ['status=lost', 'status[0]: "lost" is not one of refused, throttled'],
      ['reason=NICE', 'reason[0]: "NICE" is not one of IN_CARE_WINDOW'],
      ['category=Marketing', 'category[0]: "Marketing" is not a category'],
      [`status=${Array.from({ length: 21 }, () => 'read').join(',')}`, 'status: takes at most 20 values'],
      ['direction=sideways', 'direction: "sideways" is not one of outbound, inbound'],
      ['allowed=yes', 'allowed: must be true'],
      ['channel=999', "channel: there is no channel '999'"],
      [`channel=${ACME_NUMBER}&contact_id=12`, 'contact_id: '],
      ['sort=asc', 'Unrecognized key: "sort"'],
      ['include=everything', 'include: "everything" is not one of body'],
      ['market=NLD', 'market[0]: "NLD" is not a two-letter country code'],
    ])('answers %s with a 400 that says what is wrong', async (query, problem) => {
      const reply = await fixture.call('GET', `/v1/messages?${query}`)

      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(problem)
    })

    it('asks for an API key', async () => {
      expect((await fixture.call('GET', '/v1/messages', { key: null })).status).toBe(401)
    })
  })
}

function reasonOf(item: Record<string, unknown>): string {
  return String((item.decision as { reason?: string } | null)?.reason)
}

function billingOf(item: Record<string, unknown>): Record<string, unknown> | null {
  return (item.decision as { billing?: Record<string, unknown> | null } | null)?.billing ?? null
}
