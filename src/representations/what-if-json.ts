import { stringify } from 'csv-stringify/sync'
import { formatInstant, formatMicros, type Instant } from '../domain/index.js'

/** Messages in one currency (`null`: without a price) and what they cost. */
interface Amount {
  readonly currency: string | null
  readonly messages: number
  readonly amountMicros: number
}

type Grouped = Amount & { readonly values: readonly (string | null)[] }

interface Change {
  readonly values: readonly (string | null)[]
  readonly currency: string | null
  readonly current: { readonly messages: number; readonly amountMicros: number }
  readonly whatIf: { readonly messages: number; readonly amountMicros: number }
  readonly differenceMicros: number
}

interface Side {
  readonly totals: readonly Amount[]
  readonly byCategory: readonly Grouped[]
  readonly byChannel: readonly Grouped[]
}

/** What a what-if report holds (the use case's `WhatIfReport`). */
export interface WhatIfReportView {
  readonly from: Instant
  readonly to: Instant
  readonly channel: string | null
  readonly messages: number
  readonly repriced: number
  readonly recorded: readonly Amount[]
  readonly current: Side
  readonly whatIf: Side
  readonly differences: {
    readonly totals: readonly Change[]
    readonly byCategory: readonly Change[]
    readonly byChannel: readonly Change[]
  }
}

const money = (amountMicros: number) => ({ amount: formatMicros(amountMicros), amount_micros: amountMicros })

function amountJson(amount: Amount, dimension?: string, value?: string | null): Record<string, unknown> {
  return {
    ...(dimension === undefined ? {} : { [dimension]: value ?? null }),
    currency: amount.currency,
    messages: amount.messages,
    ...money(amount.amountMicros),
  }
}

function sideJson(side: Side): Record<string, unknown> {
  return {
    totals: side.totals.map((total) => amountJson(total)),
    by_category: side.byCategory.map((group) => amountJson(group, 'category', group.values[0])),
    by_channel: side.byChannel.map((group) => amountJson(group, 'channel', group.values[0])),
  }
}

function changeJson(change: Change, dimension?: string): Record<string, unknown> {
  return {
    ...(dimension === undefined ? {} : { [dimension]: change.values[0] ?? null }),
    currency: change.currency,
    current: { messages: change.current.messages, ...money(change.current.amountMicros) },
    what_if: { messages: change.whatIf.messages, ...money(change.whatIf.amountMicros) },
    difference: formatMicros(change.differenceMicros),
    difference_micros: change.differenceMicros,
  }
}

/**
 * A what-if as JSON: the period and the what-if asked, how many sends there were and how many were priced again,
 * the recorded totals (GET /v1/costs's), each side's totals by currency, category and channel, and the differences
 * (what-if minus current) per currency, category and channel. Amounts as decimal strings and integer micros.
 */
export function whatIfReportJson(
  report: WhatIfReportView,
  asked: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    from: formatInstant(report.from),
    to: formatInstant(report.to),
    time_zone: 'UTC',
    channel: report.channel,
    asked,
    messages: report.messages,
    repriced: report.repriced,
    recorded: { totals: report.recorded.map((total) => amountJson(total)) },
    current: sideJson(report.current),
    what_if: sideJson(report.whatIf),
    differences: {
      totals: report.differences.totals.map((change) => changeJson(change)),
      by_category: report.differences.byCategory.map((change) => changeJson(change, 'category')),
      by_channel: report.differences.byChannel.map((change) => changeJson(change, 'channel')),
    },
  }
}

/**
 * The differences as RFC 4180 CSV: one row per total, category and channel and currency, with both sides' counts and
 * amounts and the difference (`group` says which: `total`, `category` or `channel`).
 */
export function whatIfReportCsv(report: WhatIfReportView): string {
  const rows: (string | number | null)[][] = [
    [
      'group',
      'value',
      'currency',
      'current_messages',
      'current_amount',
      'what_if_messages',
      'what_if_amount',
      'difference',
      'difference_micros',
    ],
  ]
  const add = (group: string, changes: readonly Change[]) => {
    for (const change of changes)
      rows.push([
        group,
        change.values[0] ?? null,
        change.currency,
        change.current.messages,
        formatMicros(change.current.amountMicros),
        change.whatIf.messages,
        formatMicros(change.whatIf.amountMicros),
        formatMicros(change.differenceMicros),
        change.differenceMicros,
      ])
  }
  add('total', report.differences.totals)
  add('category', report.differences.byCategory)
  add('channel', report.differences.byChannel)
  return stringify(rows, { record_delimiter: '\r\n' })
}
