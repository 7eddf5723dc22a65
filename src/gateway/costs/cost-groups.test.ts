import { describe, expect, it } from 'vitest'
import { DAY_MS } from '../../domain/index.js'
import { costGroupingFor, groupCosts, periodOf, totalsOf, type CostEntry } from './cost-groups.js'

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS

describe('periodOf', () => {
  it.each([
    // ISO 8601 weeks start on Monday; a week belongs to the year of its Thursday.
    ['2026-01-01', '2026-W01'],
    ['2025-12-29', '2026-W01'],
    ['2025-12-28', '2025-W52'],
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2020-12-31', '2020-W53'],
    ['2026-03-01', '2026-W09'],
    ['2026-03-02', '2026-W10'],
    ['2024-12-30', '2025-W01'],
  ])('puts %s in ISO week %s', (date, week) => {
    expect(periodOf(dayOf(date), 'week')).toBe(week)
  })

  it('names the UTC day and month of a day', () => {
    expect(periodOf(dayOf('2024-02-29'), 'day')).toBe('2024-02-29')
    expect(periodOf(dayOf('2024-02-29'), 'month')).toBe('2024-02')
  })
})

describe('costGroupingFor', () => {
  it('asks the store for days when a period is grouped by, and for the columns named', () => {
    expect(costGroupingFor(['week', 'channel', 'pricing_model', 'billing_type'])).toEqual({
      byDay: true,
      columns: ['channel', 'pricingModel', 'billingType'],
    })
    expect(costGroupingFor(['market', 'category'])).toEqual({ byDay: false, columns: ['market', 'category'] })
  })
})

describe('groupCosts', () => {
  const entries: CostEntry[] = [
    {
      day: dayOf('2026-03-01'),
      channelId: 'ch-1',
      category: 'marketing',
      currency: 'USD',
      messages: 2,
      amountMicros: 200,
    },
    {
      day: dayOf('2026-03-02'),
      channelId: 'ch-1',
      category: 'marketing',
      currency: 'USD',
      messages: 1,
      amountMicros: 100,
    },
    {
      day: dayOf('2026-03-02'),
      channelId: 'ch-1',
      category: 'marketing',
      currency: 'EUR',
      messages: 1,
      amountMicros: 90,
    },
    {
      day: dayOf('2026-03-03'),
      channelId: 'ch-2',
      category: null,
      currency: null,
      messages: 4,
      amountMicros: 0,
    },
    {
      day: dayOf('2026-03-03'),
      channelId: 'ch-1',
      category: 'service',
      currency: 'USD',
      messages: 3,
      amountMicros: 0,
    },
  ]

  it('folds days into ISO weeks per currency, sorted by the values, none last, then currency', () => {
    expect(groupCosts(entries, ['week', 'category'])).toEqual([
      { values: ['2026-W09', 'marketing'], currency: 'USD', messages: 2, amountMicros: 200 },
      { values: ['2026-W10', 'marketing'], currency: 'EUR', messages: 1, amountMicros: 90 },
      { values: ['2026-W10', 'marketing'], currency: 'USD', messages: 1, amountMicros: 100 },
      { values: ['2026-W10', 'service'], currency: 'USD', messages: 3, amountMicros: 0 },
      { values: ['2026-W10', null], currency: null, messages: 4, amountMicros: 0 },
    ])
  })

  it('names channels as asked, and groups by nothing but currency when asked for nothing', () => {
    const labels = (id: string) => (id === 'ch-1' ? '106540352242922' : '106540352242933')

    expect(
      groupCosts(entries, ['channel'], labels).map((group) => [...group.values, group.currency]),
    ).toEqual([
      ['106540352242922', 'EUR'],
      ['106540352242922', 'USD'],
      ['106540352242933', null],
    ])
    expect(groupCosts(entries, [])).toEqual([
      { values: [], currency: 'EUR', messages: 1, amountMicros: 90 },
      { values: [], currency: 'USD', messages: 6, amountMicros: 300 },
      { values: [], currency: null, messages: 4, amountMicros: 0 },
    ])
  })

  it('needs each entry’s day to group by a period', () => {
    expect(() => groupCosts([{ currency: 'USD', messages: 1, amountMicros: 1 }], ['month'])).toThrow(
      "grouping by month needs each entry's day",
    )
  })

  it('totals the groups per currency, whatever they were grouped by', () => {
    const totals = totalsOf(entries)

    expect(totals).toEqual([
      { currency: 'EUR', messages: 1, amountMicros: 90 },
      { currency: 'USD', messages: 6, amountMicros: 300 },
      { currency: null, messages: 4, amountMicros: 0 },
    ])
    expect(totalsOf(groupCosts(entries, ['day', 'channel', 'category']))).toEqual(totals)
  })
})
