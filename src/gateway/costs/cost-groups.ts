import { DAY_MS, formatInstant } from '../../domain/index.js'
import type { CostColumn, CostGrouping } from '../../store/store.js'

/**
 * Message costs grouped as a report asks: by a UTC period (day, ISO week or month) and by any of channel, market,
 * category, pricing model and billing type — always per currency. The input is sums from the store (per day when
 * a period is asked for) or one entry per message (a what-if repricing); both fold the same way.
 */

/** What a cost report may group by. At most one of `day`, `week` and `month`. */
export const COST_DIMENSIONS = [
  'day',
  'week',
  'month',
  'channel',
  'market',
  'category',
  'pricing_model',
  'billing_type',
] as const
export type CostDimension = (typeof COST_DIMENSIONS)[number]

export const PERIOD_DIMENSIONS = ['day', 'week', 'month'] as const
export type PeriodDimension = (typeof PERIOD_DIMENSIONS)[number]

const COLUMN_OF = {
  channel: 'channel',
  market: 'market',
  category: 'category',
  pricing_model: 'pricingModel',
  billing_type: 'billingType',
} as const satisfies Record<Exclude<CostDimension, PeriodDimension>, CostColumn>

/** Costs of some messages: the fields a grouping reads (a store's CostSum is one). */
export interface CostEntry {
  /** UTC days since the epoch; needed when grouping by a period. */
  readonly day?: number
  readonly channelId?: string
  readonly category?: string | null
  readonly pricingModel?: string | null
  readonly billingType?: string | null
  readonly market?: string | null
  /** `null`: messages without a price. */
  readonly currency: string | null
  readonly messages: number
  readonly amountMicros: number
}

/** One row of a report: the group's value for each dimension (in the order asked), per currency. */
export interface CostGroup {
  readonly values: readonly (string | null)[]
  readonly currency: string | null
  readonly messages: number
  readonly amountMicros: number
}

/** The totals of a report per currency (`null`: messages without a price). */
export interface CostTotal {
  readonly currency: string | null
  readonly messages: number
  readonly amountMicros: number
}

/** What the store must sum by for `dimensions`: by day when a period is asked for, and the columns asked for. */
export function costGroupingFor(dimensions: readonly CostDimension[]): CostGrouping {
  return {
    byDay: dimensions.some(isPeriod),
    columns: dimensions.flatMap((dimension) => (isPeriod(dimension) ? [] : [COLUMN_OF[dimension]])),
  }
}

/**
 * Folds entries into the groups of `dimensions`, per currency, sorted by the values in order (none last), then
 * currency. `channelLabel` names a channel (its phone_number_id or Page id) for the report.
 */
export function groupCosts(
  entries: Iterable<CostEntry>,
  dimensions: readonly CostDimension[],
  channelLabel: (channelId: string) => string = (channelId) => channelId,
): CostGroup[] {
  const groups = new Map<
    string,
    { values: (string | null)[]; currency: string | null; messages: number; amountMicros: number }
  >()
  for (const entry of entries) {
    const values = dimensions.map((dimension) => valueOf(entry, dimension, channelLabel))
    const key = JSON.stringify([...values, entry.currency])
    const group = groups.get(key)
    if (group === undefined)
      groups.set(key, {
        values,
        currency: entry.currency,
        messages: entry.messages,
        amountMicros: entry.amountMicros,
      })
    else {
      group.messages += entry.messages
      group.amountMicros += entry.amountMicros
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      a.values.reduce((order, value, index) => order || compare(value, b.values[index] ?? null), 0) ||
      compare(a.currency, b.currency),
  )
}

/** The totals of groups (or entries) per currency, in currency order (none last). */
export function totalsOf(groups: Iterable<CostEntry | CostGroup>): CostTotal[] {
  const totals = new Map<string | null, { currency: string | null; messages: number; amountMicros: number }>()
  for (const group of groups) {
    const total = totals.get(group.currency) ?? { currency: group.currency, messages: 0, amountMicros: 0 }
    total.messages += group.messages
    total.amountMicros += group.amountMicros
    totals.set(group.currency, total)
  }
  return [...totals.values()].sort((a, b) => compare(a.currency, b.currency))
}

function valueOf(
  entry: CostEntry,
  dimension: CostDimension,
  channelLabel: (channelId: string) => string,
): string | null {
  switch (dimension) {
    case 'day':
    case 'week':
    case 'month':
      if (entry.day === undefined) throw new TypeError(`grouping by ${dimension} needs each entry's day`)
      return periodOf(entry.day, dimension)
    case 'channel':
      return entry.channelId === undefined ? null : channelLabel(entry.channelId)
    case 'market':
      return entry.market ?? null
    case 'category':
      return entry.category ?? null
    case 'pricing_model':
      return entry.pricingModel ?? null
    case 'billing_type':
      return entry.billingType ?? null
  }
}

/** The UTC period a day (days since the epoch) falls in: `2026-03-02`, ISO week `2026-W10`, month `2026-03`. */
export function periodOf(day: number, period: PeriodDimension): string {
  const date = formatInstant(day * DAY_MS).slice(0, 10)
  if (period === 'day') return date
  if (period === 'month') return date.slice(0, 7)
  // ISO 8601: weeks start on Monday, and a week belongs to the year of its Thursday.
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7
  const thursday = day - weekday + 3
  const year = new Date(thursday * DAY_MS).getUTCFullYear()
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1
  return `${String(year)}-W${String(week).padStart(2, '0')}`
}

export function isPeriod(dimension: CostDimension): dimension is PeriodDimension {
  return (PERIOD_DIMENSIONS as readonly string[]).includes(dimension)
}

/** Text order, with none last. */
function compare(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return a < b ? -1 : 1
}
