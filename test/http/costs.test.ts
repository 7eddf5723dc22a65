import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ACME_KEY,
  ACME_NUMBER,
  openFixture,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'
import { everyPage, playTraffic } from './costs-traffic.js'

const PERIOD = 'from=2025-09-01&to=2025-09-30'

interface Amount {
  readonly currency: string | null
  readonly messages: number
  readonly amount: string | null
  readonly amount_micros: number | null
}

interface Report {
  readonly from: string
  readonly to: string
  readonly time_zone: string
  readonly group_by: string[]
  readonly filters: Record<string, unknown>
  readonly rows: (Amount & Record<string, unknown>)[]
  readonly totals: Amount[]
  readonly messages: number
}

function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

/** What the messages a search lists cost, added up per currency, as a report's totals show it. */
function totalsOver(messages: readonly Record<string, unknown>[]): Amount[] {
  const totals = new Map<string | null, { messages: number; micros: number }>()
  for (const message of messages) {
    const price = message.price as { amount_micros: number; currency: string } | null
    const currency = price?.currency ?? null
    const total = totals.get(currency) ?? { messages: 0, micros: 0 }
    totals.set(currency, { messages: total.messages + 1, micros: total.micros + (price?.amount_micros ?? 0) })
  }
  return [...totals]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([currency, total]) => ({
      currency,
      messages: total.messages,
      amount: currency === null ? null : String(total.micros / 1e6),
      amount_micros: currency === null ? null : total.micros,
    }))
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`GET /v1/costs on ${dialect}`, () => {
    let fixture: NativeApiFixture

    beforeAll(async () => {
      fixture = await openFixture(dialect)
      await playTraffic(fixture)
    })
    afterAll(async () => {
      await fixture.close()
    })

    async function report(query: string): Promise<Report> {
      const reply = await fixture.call('GET', `/v1/costs?${query}`)
      expect(reply.status).toBe(200)
      return reply.body as Report
    }

    async function csv(query: string, headers: Record<string, string> = {}) {
      return fixture.app.inject({
        method: 'GET',
        url: `/v1/costs?${query}`,
        headers: { authorization: `Bearer ${ACME_KEY}`, ...headers },
      })
    }

    it.each([
      ['the sends carewindow allowed (the default)', '', 'direction=outbound&allowed=true'],
      ['inbound messages', 'direction=inbound', 'direction=inbound'],
      ['refusals', 'allowed=false', 'direction=outbound&allowed=false'],
      [
        'a channel and a category',
        `channel=${ACME_NUMBER}&category=marketing,service`,
        `channel=${ACME_NUMBER}&category=marketing,service&direction=outbound&allowed=true`,
      ],
      [
        'a part of a day',
        'from=2025-09-01T10:30:00Z&to=2025-09-09T12:00:00Z',
        'from=2025-09-01T10:30:00Z&to=2025-09-09T12:00:00Z&direction=outbound&allowed=true',
      ],
      [
        'a delivery status',
        'status=delivered,accepted',
        'status=delivered,accepted&direction=outbound&allowed=true',
      ],
    ])('totals exactly what the messages a search lists cost: %s', async (_title, filters, search) => {
      const query = filters.startsWith('from=') ? filters : `${PERIOD}&${filters}`
      const searched = search.startsWith('from=') ? search : `${PERIOD}&${search}`
      const listed = (await everyPage(fixture, `${searched}&limit=4`)).flat()
      const costs = await report(`${query}&group_by=day,channel,category,billing_type`)

      expect(listed.length).toBeGreaterThan(0)
      expect(costs.totals).toEqual(totalsOver(listed))
      expect(costs.messages).toBe(listed.length)
      expect(costs.rows.reduce((sum, row) => sum + row.messages, 0)).toBe(listed.length)
    })

    it('reports the period in UTC and the filters it applied, with amounts as decimals and micros', async () => {
      const costs = await report(`${PERIOD}&group_by=category&market=NL`)

      expect(costs).toMatchObject({
        from: '2025-09-01T00:00:00.000Z',
        to: '2025-10-01T00:00:00.000Z',
        time_zone: 'UTC',
        group_by: ['category'],
        filters: { direction: 'outbound', allowed: true, market: ['NL'] },
      })
      expect(costs.rows).toContainEqual({
        category: 'marketing',
        currency: 'USD',
        messages: 2,
        amount: '0.3194',
        amount_micros: 319_400,
      })
    })

    it('groups by UTC day, ISO week and month, each row per currency, none last', async () => {
      const byWeek = await report(`${PERIOD}&groupBy=week,pricing_model`)
      const byMonth = await report(`${PERIOD}&group_by=month`)
      const byDay = await report(`${PERIOD}&group_by=day`)

      expect(byWeek.rows.map((row) => [row.week, row.pricing_model, row.currency])).toEqual([
        ['2025-W36', 'NONE', null],
        ['2025-W36', 'PMP', 'USD'],
        ['2025-W37', 'PMP', 'USD'],
      ])
      expect(byMonth.rows.map((row) => [row.month, row.currency])).toEqual([
        ['2025-09', 'USD'],
        ['2025-09', null],
      ])
      expect(byDay.rows.map((row) => row.day)).toEqual([
        '2025-09-01',
        '2025-09-01',
        '2025-09-02',
        '2025-09-09',
      ])
      expect(byMonth.totals).toEqual(byDay.totals)
    })

    it('answers CSV that parses back to the JSON’s rows, for format=csv and for Accept: text/csv', async () => {
      const query = `${PERIOD}&group_by=day,channel,billing_type`
      const json = await report(query)
      const asked = await csv(`${query}&format=csv`)
      const accepted = await csv(query, { accept: 'text/csv' })

      expect(asked.statusCode).toBe(200)
      expect(asked.headers['content-type']).toBe('text/csv; charset=utf-8; header=present')
      expect(asked.headers['content-disposition']).toBe(
        'attachment; filename="carewindow-costs-2025-09-01-2025-10-01.csv"',
      )
      expect(asked.body).toMatch(/\r\n$/)
      expect(accepted.body).toBe(asked.body)
      const records = parse<Record<string, string>>(asked.body, { columns: true })
      expect(records).toEqual(
        json.rows.map((row) =>
          Object.fromEntries(
            ['day', 'channel', 'billing_type', 'currency', 'messages', 'amount', 'amount_micros'].map(
              (column) => [column, row[column] === null ? '' : String(row[column] as string | number)],
            ),
          ),
        ),
      )
    })

    it('answers JSON when format=json, whatever the Accept header says', async () => {
      const reply = await csv(`${PERIOD}&format=json`, { accept: 'text/csv' })

      expect(reply.headers['content-type']).toContain('application/json')
      expect((JSON.parse(reply.body) as Report).time_zone).toBe('UTC')
    })

    it.each([
      ['', 'from: an ISO 8601 instant with offset'],
      ['from=2025-09-01', 'to: an ISO 8601 instant with offset'],
      ['from=2025-09-01&to=next week', 'to: "next week" is not an ISO 8601 instant'],
      ['from=2025-09-30&to=2025-09-01', 'to: must be after from (2025-09-30T00:00:00.000Z)'],
      ['from=2025-01-01&to=2026-01-02', 'a report covers at most 366 days'],
      [
        `${PERIOD}&group_by=weekday`,
        'group_by: "weekday" cannot be grouped by; choose from day, week, month',
      ],
      [`${PERIOD}&group_by=day,month`, 'group_by: takes one of day, week and month'],
      [`${PERIOD}&group_by=channel,channel`, 'group_by: names a dimension twice'],
      [`${PERIOD}&group_by=day&groupBy=day`, 'give group_by once'],
      [`${PERIOD}&format=xml`, 'format: must be json or csv'],
      [`${PERIOD}&limit=10`, 'Unrecognized key: "limit"'],
    ])('answers %j with a 400 that says what is wrong', async (query, problem) => {
      const reply = await fixture.call('GET', `/v1/costs?${query}`)

      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(problem)
    })

    it('counts spend in /metrics by channel, category and currency, as the report sums it', async () => {
      const metrics = (await fixture.app.inject({ method: 'GET', url: '/metrics' })).body
      const costs = await report(`${PERIOD}&group_by=channel,category`)
      const marketing = costs.rows.find((row) => row.category === 'marketing' && row.channel === ACME_NUMBER)
      const counted = (name: string) =>
        Number(
          new RegExp(
            `^${name}\\{channel="${ACME_NUMBER}",category="marketing",currency="USD"\\} (\\d+)$`,
            'm',
          ).exec(metrics)?.[1],
        )

      expect(marketing?.amount_micros).toBeGreaterThan(0)
      expect(counted('carewindow_spend_micros_total')).toBe(marketing?.amount_micros)
      expect(counted('carewindow_priced_messages_total')).toBe(marketing?.messages)
    })

    it('asks for an API key', async () => {
      expect((await fixture.call('GET', `/v1/costs?${PERIOD}`, { key: null })).status).toBe(401)
    })
  })
}
