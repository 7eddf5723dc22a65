import { useState, type SyntheticEvent } from 'react'
import { ApiError, request } from '../api.js'

interface Money {
  readonly messages: number
  readonly amount: string
}

interface Change {
  readonly category?: string | null
  readonly currency: string
  readonly current: Money
  readonly what_if: Money
  readonly difference: string
  readonly difference_micros: number
}

interface WhatIfReport {
  readonly differences: { readonly totals: Change[]; readonly by_category: Change[] }
}

/** The choices of POST /v1/costs/what-if's pricing_model; empty keeps each message's own. */
const MODELS = [
  { id: '', label: 'Each message’s own' },
  { id: 'PMP', label: 'Per-message pricing (2025)' },
  { id: 'PMP_2026', label: 'Per-message pricing (2026)' },
  { id: 'CBP', label: 'Conversation-based pricing' },
  { id: 'NBP', label: 'Notification-based pricing' },
] as const

const signed = (change: Change) =>
  `${change.difference_micros > 0 ? '+' : ''}${change.difference} ${change.currency}`

/** What the period's traffic would have cost with the 2026-10-01 pricing change or another pricing model. */
export function WhatIf(props: { readonly apiKey: string; readonly from: string; readonly to: string }) {
  const [pricing2026, setPricing2026] = useState(true)
  const [model, setModel] = useState('')
  const [report, setReport] = useState<WhatIfReport | null>(null)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  const submit = (event: SyntheticEvent) => {
    event.preventDefault()
    setBusy(true)
    request<WhatIfReport>(props.apiKey, 'POST', '/v1/costs/what-if', {
      from: props.from,
      to: props.to,
      settings: pricing2026 ? { pricing_2026: true } : {},
      ...(model === '' ? {} : { pricing_model: model }),
    }).then(
      (answer) => {
        setReport(answer)
        setProblem(null)
        setBusy(false)
      },
      (error: unknown) => {
        setProblem(error instanceof ApiError ? error.message : String(error))
        setBusy(false)
      },
    )
  }

  return (
    <section className="what-if" aria-labelledby="what-if-heading">
      <h2 id="what-if-heading">What if</h2>
      <form onSubmit={submit}>
        <label className="check">
          <input
            type="checkbox"
            checked={pricing2026}
            onChange={(event) => {
              setPricing2026(event.target.checked)
            }}
          />{' '}
          The 2026-10-01 pricing change
        </label>
        <label>
          <span>Pricing model</span>
          <select
            value={model}
            onChange={(event) => {
              setModel(event.target.value)
            }}
          >
            {MODELS.map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Compare
        </button>
      </form>
      {problem !== null && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {report !== null && (
        <div className="what-if-result" aria-live="polite">
          {report.differences.totals.length === 0 ? (
            <p className="empty">No priced messages in this period.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Category</th>
                  <th scope="col">Current</th>
                  <th scope="col">What if</th>
                  <th scope="col">Difference</th>
                </tr>
              </thead>
              <tbody>
                {report.differences.totals.map((change) => (
                  <tr key={`total/${change.currency}`} className="what-if-total">
                    <th scope="row">Total</th>
                    <td>
                      {change.current.amount} {change.currency}
                    </td>
                    <td>
                      {change.what_if.amount} {change.currency}
                    </td>
                    <td className="difference">{signed(change)}</td>
                  </tr>
                ))}
                {report.differences.by_category.map((change) => (
                  <tr key={`${change.category ?? '—'}/${change.currency}`}>
                    <th scope="row">{change.category ?? '—'}</th>
                    <td>
                      {change.current.amount} {change.currency}
                    </td>
                    <td>
                      {change.what_if.amount} {change.currency}
                    </td>
                    <td className="difference">{signed(change)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  )
}
