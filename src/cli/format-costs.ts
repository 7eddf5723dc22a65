import { formatHuman, formatMicros } from '../domain/index.js'
import type { CostReport } from '../gateway/api/costs.js'

/**
 * A cost report as a table for people at a terminal: one line per group and currency, then the totals. Amounts are
 * carewindow's prices (`-` for messages without one); the period is UTC.
 */
export function formatCostTable(report: CostReport, filters: Readonly<Record<string, unknown>>): string {
  const header = [...report.dimensions, 'currency', 'messages', 'amount']
  const none = (value: string | null) => value ?? '-'
  const amountOf = (sum: { currency: string | null; amountMicros: number }) =>
    sum.currency === null ? '-' : formatMicros(sum.amountMicros)
  const rows = report.groups.map((group) => [
    ...group.values.map(none),
    none(group.currency),
    String(group.messages),
    amountOf(group),
  ])
  const totals = report.totals.map((total) => [
    ...report.dimensions.map((_, index) => (index === 0 ? 'total' : '')),
    none(total.currency),
    String(total.messages),
    amountOf(total),
  ])
  const lines = [header, ...rows, ...(report.dimensions.length === 0 ? [] : totals)]
  const widths = header.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)))
  // Counts and amounts line up on the right, the rest on the left.
  const numeric = (column: number) => column >= header.length - 2
  const text = lines.map((line) =>
    line
      .map((cell, column) =>
        numeric(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  )
  const applied = Object.entries(filters)
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ')
  return [
    `costs from ${formatHuman(report.from)} to ${formatHuman(report.to)}${applied === '' ? '' : `, ${applied}`}: ` +
      `${String(report.messages)} message${report.messages === 1 ? '' : 's'}`,
    ...text,
  ].join('\n')
}
