import { useEffect, useState } from 'react'
import { ApiError, request } from '../api.js'
import type { Live } from '../app.js'
import { WhatIf } from './what-if.js'

interface CostRow {
  readonly currency: string
  readonly messages: number
  readonly amount: string
  readonly amount_micros: number
  readonly [dimension: string]: string | number | null
}

interface CostReport {
  readonly rows: CostRow[]
  readonly totals: { readonly currency: string; readonly messages: number; readonly amount: string }[]
}

interface Mismatch {
  readonly message_id: string
  readonly contact_id: string
  readonly at: string
  readonly cause: string
  readonly explanation: string
}

const DAY_MS = 86_400_000
const DIMENSIONS = [
  { id: 'day', label: 'By day' },
  { id: 'category', label: 'By category' },
  { id: 'channel', label: 'By channel' },
] as const

/** The last 30 UTC days, today included. */
function period(): { from: string; to: string } {
  const tomorrow = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS
  return { from: new Date(tomorrow - 30 * DAY_MS).toISOString(), to: new Date(tomorrow).toISOString() }
}

export function CostsPage({ apiKey, live }: { readonly apiKey: string; readonly live: Live }) {
  const [reports, setReports] = useState<Record<string, CostReport>>({})
  const [mismatches, setMismatches] = useState<Mismatch[] | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [shown] = useState(period)
  const refresh =
    live.last?.type === 'message.status' || live.last?.type === 'reconnected' ? live.sequence : 0

  useEffect(() => {
    const { from, to } = period()
    const fail = (error: unknown) => {
      setProblem(error instanceof ApiError ? error.message : String(error))
    }
    for (const dimension of DIMENSIONS)
      request<CostReport>(apiKey, 'GET', '/v1/costs', undefined, { from, to, group_by: dimension.id }).then(
        (report) => {
          setReports((before) => ({ ...before, [dimension.id]: report }))
        },
        fail,
      )
    request<{ data: Mismatch[] }>(apiKey, 'GET', '/v1/costs/reconciliation', undefined, { from, to }).then(
      (page) => {
        setMismatches(page.data)
      },
      fail,
    )
  }, [apiKey, refresh])

  const totals = reports.day?.totals ?? []
  return (
    <main className="costs">
      <h1>Costs</h1>
      <p className="subtle">
        Outbound messages carewindow allowed, priced by its rate cards, over the last 30 days (UTC).
      </p>
      {problem !== null && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <p className="totals" aria-label="Totals">
        {totals.length === 0
          ? 'No priced messages in this period.'
          : totals
              .map((total) => `${total.amount} ${total.currency} for ${total.messages} messages`)
              .join(' · ')}
      </p>
      <div className="charts">
        {DIMENSIONS.map((dimension) => (
          <BarChart
            key={dimension.id}
            title={dimension.label}
            dimension={dimension.id}
            report={reports[dimension.id]}
          />
        ))}
      </div>
      <WhatIf apiKey={apiKey} from={shown.from} to={shown.to} />
      <section aria-labelledby="mismatches-heading">
        <h2 id="mismatches-heading">Reconciliation with Meta</h2>
        {mismatches !== null && mismatches.length === 0 && (
          <p>Meta’s pricing matches carewindow’s for every checked message.</p>
        )}
        {mismatches !== null && mismatches.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Contact</th>
                <th scope="col">Cause</th>
                <th scope="col">Explanation</th>
              </tr>
            </thead>
            <tbody>
              {mismatches.map((mismatch) => (
                <tr key={mismatch.message_id}>
                  <td>{new Date(mismatch.at).toLocaleString()}</td>
                  <td>+{mismatch.contact_id}</td>
                  <td>{mismatch.cause}</td>
                  <td>{mismatch.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  )
}

function labelOf(row: CostRow, dimension: string): string {
  const value = row[dimension]
  if (dimension === 'day' && typeof value === 'string') return value.slice(0, 10)
  return value === null || value === undefined ? '—' : String(value)
}

/** Horizontal bars, plain HTML: each row's label, a bar as long as its share of the largest amount, and the amount. */
function BarChart(props: {
  readonly title: string
  readonly dimension: string
  readonly report: CostReport | undefined
}) {
  const rows = props.report?.rows ?? []
  const largest = Math.max(1, ...rows.map((row) => row.amount_micros))
  return (
    <figure className="chart" data-dimension={props.dimension}>
      <figcaption>{props.title}</figcaption>
      {rows.length === 0 ? (
        <p className="empty">Nothing to show.</p>
      ) : (
        <table>
          <thead className="visually-hidden">
            <tr>
              <th scope="col">{props.dimension}</th>
              <th scope="col">Cost</th>
              <th scope="col">Messages</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${labelOf(row, props.dimension)}/${row.currency}`}>
                <th scope="row">{labelOf(row, props.dimension)}</th>
                <td className="bar-cell">
                  <span
                    className="bar"
                    style={{ width: `${Math.max(2, (row.amount_micros / largest) * 100)}%` }}
                  />
                  <span className="amount">
                    {row.amount} {row.currency}
                  </span>
                </td>
                <td className="count">{row.messages} msg</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  )
}
