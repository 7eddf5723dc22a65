import { stringify } from 'csv-stringify/sync'
import { formatInstant, formatMicros, type Instant } from '../domain/index.js'

/** What a cost report holds (the cost report use case's `CostReport`). */
export interface CostReportView {
  readonly from: Instant
  readonly to: Instant
  readonly dimensions: readonly string[]
  readonly groups: readonly (CostAmount & { readonly values: readonly (string | null)[] })[]
  readonly totals: readonly CostAmount[]
  readonly messages: number
}

/** Messages in one currency (`null`: without a price) and what they cost. */
export interface CostAmount {
  readonly currency: string | null
  readonly messages: number
  readonly amountMicros: number
}

/**
 * A cost report as JSON: the period (UTC), what it is grouped by and filtered by, one row per group and currency —
 * each dimension's value (`null`: none, such as the category of a refused message), the currency (`null`: messages
 * without a price), the count and the amount (a decimal string, and integer micros for summing) — and the totals
 * per currency.
 */
export function costReportJson(
  report: CostReportView,
  filters: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    from: formatInstant(report.from),
    to: formatInstant(report.to),
    time_zone: 'UTC',
    group_by: report.dimensions,
    filters,
    rows: report.groups.map((group) => ({
      ...Object.fromEntries(
        report.dimensions.map((dimension, index) => [dimension, group.values[index] ?? null]),
      ),
      ...amountJson(group),
    })),
    totals: report.totals.map(amountJson),
    messages: report.messages,
  }
}

function amountJson(sum: CostAmount): Record<string, unknown> {
  return {
    currency: sum.currency,
    messages: sum.messages,
    amount: sum.currency === null ? null : formatMicros(sum.amountMicros),
    amount_micros: sum.currency === null ? null : sum.amountMicros,
  }
}

/** The columns of a report's CSV after its dimensions. */
export const COST_CSV_COLUMNS = ['currency', 'messages', 'amount', 'amount_micros'] as const

/**
 * A cost report as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they must be): a header, then
 * the rows of the JSON, with none as an empty field. The totals are the column sums per currency, so they are left
 * to the reader.
 */
export function costReportCsv(report: CostReportView): string {
  const header = [...report.dimensions, ...COST_CSV_COLUMNS]
  const rows = report.groups.map((group) => [
    ...group.values.map((value) => value ?? ''),
    group.currency ?? '',
    String(group.messages),
    group.currency === null ? '' : formatMicros(group.amountMicros),
    group.currency === null ? '' : String(group.amountMicros),
  ])
  return stringify([header, ...rows], { record_delimiter: 'windows' })
}

/** The file name a report's CSV is offered under. */
export function costReportFileName(report: CostReportView): string {
  const day = (at: number) => formatInstant(at).slice(0, 10)
  return `carewindow-costs-${day(report.from)}-${day(report.to)}.csv`
}
