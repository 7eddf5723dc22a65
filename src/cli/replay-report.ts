import { formatMicros } from '../domain/index.js'
import type { ImportCounts } from '../gateway/history/import-history.js'
import type { ReplayResult } from '../gateway/history/replay.js'
import type { ReplayTotals } from '../gateway/history/replay-tally.js'

const n = (value: number): string => value.toLocaleString('en-US')

/** Rows of the side-by-side table: a label and each side's figure. */
type Row = readonly [label: string, baseline: string, whatIf: string]

/** The replay's totals as a table: the baseline and the what-if side by side, then each cost's difference. */
export function replayReport(file: string, whatIfLabel: string, result: ReplayResult): string {
  const { baseline, whatIf } = result
  const rows: Row[] = [
    ["customers' messages", n(baseline.inbound), n(whatIf.inbound)],
    ['sent messages', n(baseline.outbound), n(whatIf.outbound)],
    ['  allowed', n(baseline.allowed), n(whatIf.allowed)],
  ]
  for (const reason of keysOf(baseline.refused, whatIf.refused))
    rows.push([`  refused ${reason}`, n(baseline.refused[reason] ?? 0), n(whatIf.refused[reason] ?? 0)])
  rows.push(
    ['  failed at Meta (not billed)', n(baseline.failed), n(whatIf.failed)],
    ['  not replayed (no pricing)', n(baseline.notReplayed), n(whatIf.notReplayed)],
    ['  allowed without a rate', n(baseline.unpriced), n(whatIf.unpriced)],
  )
  const differences: string[] = []
  for (const currency of keysOf(baseline.costs, whatIf.costs)) {
    const before = baseline.costs[currency] ?? {}
    const after = whatIf.costs[currency] ?? {}
    const total = (side: ReplayTotals['costs'][string]) =>
      Object.values(side).reduce((sum, cost) => sum + cost.amountMicros, 0)
    rows.push([`cost ${currency}`, formatMicros(total(before)), formatMicros(total(after))])
    for (const category of keysOf(before, after)) {
      const cost = (side: ReplayTotals['costs'][string]) => side[category] ?? { messages: 0, amountMicros: 0 }
      rows.push([
        `  ${category}`,
        `${formatMicros(cost(before).amountMicros)} (${n(cost(before).messages)})`,
        `${formatMicros(cost(after).amountMicros)} (${n(cost(after).messages)})`,
      ])
    }
    const change = total(after) - total(before)
    differences.push(`${currency} ${change >= 0 ? '+' : ''}${formatMicros(change)}`)
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  const column = Math.max(12, ...rows.flatMap(([, a, b]) => [a.length, b.length])) + 2
  const table = [
    `${''.padEnd(width)}${'baseline'.padStart(column)}${'what-if'.padStart(column)}`,
    ...rows.map(([label, a, b]) => `${label.padEnd(width)}${a.padStart(column)}${b.padStart(column)}`),
  ]
  return (
    `replay of ${file}: ${importLine(result.import)}\n` +
    `what-if: ${whatIfLabel}\n\n` +
    `${table.join('\n')}\n` +
    (differences.length === 0 ? '' : `\ndifference (what-if − baseline): ${differences.join(', ')}\n`) +
    '(costs: amount (messages) per Meta pricing category of the era)\n'
  )
}

function importLine(counts: ImportCounts): string {
  return (
    `${n(counts.lines)} lines, ${n(counts.imported + counts.duplicates)} notifications, ` +
    `${n(counts.skipped)} skipped, ${n(counts.bad)} bad`
  )
}

function keysOf(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
}
