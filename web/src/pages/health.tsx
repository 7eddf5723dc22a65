import { useCallback, useEffect, useState } from 'react'
import { ApiError, request } from '../api.js'

interface DeadDelivery {
  readonly id: string
  readonly event_type: string
  readonly attempts: number
  readonly last_error: string | null
  readonly created_at: string
}

/** The gauges /metrics gives that an operator looks at first. */
const GAUGES = [
  ['carewindow_inbox_depth', 'Inbox depth (notifications waiting to be applied)'],
  ['carewindow_inbox_dead_letters', 'Dead letters (notifications that could not be applied)'],
  ['carewindow_outbox_depth', 'Outbox depth (deliveries waiting for the webhook)'],
  ['carewindow_outbox_dead_deliveries', 'Dead deliveries (given up by the webhook)'],
] as const

function gaugesOf(text: string): Record<string, number> {
  const values: Record<string, number> = {}
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const [series, value] = line.split(' ')
    if (series === undefined || value === undefined) continue
    const name = series.replace(/\{.*$/, '')
    values[name] = (values[name] ?? 0) + Number(value)
  }
  return values
}

export function HealthPage({ apiKey }: { readonly apiKey: string }) {
  const [gauges, setGauges] = useState<Record<string, number> | null>(null)
  const [dead, setDead] = useState<DeadDelivery[] | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const load = useCallback(() => {
    fetch('/metrics').then(
      async (response) => {
        setGauges(gaugesOf(await response.text()))
      },
      () => {
        setGauges(null)
      },
    )
    request<{ data: DeadDelivery[] }>(apiKey, 'GET', '/v1/dead-deliveries', undefined, { limit: '100' }).then(
      (page) => {
        setDead(page.data)
      },
      (error: unknown) => {
        setMessage({ ok: false, text: error instanceof ApiError ? error.message : String(error) })
      },
    )
  }, [apiKey])
  useEffect(load, [load])

  const redrive = async (path: string) => {
    setMessage(null)
    try {
      await request(apiKey, 'POST', path)
      setMessage({ ok: true, text: 'Re-driven: it will be delivered again.' })
      load()
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? error.message : String(error) })
    }
  }

  return (
    <main className="health">
      <h1>Health</h1>
      <button type="button" className="quiet" onClick={load}>
        Refresh
      </button>
      <dl className="gauges">
        {GAUGES.map(([name, label]) => (
          <div key={name}>
            <dt>{label}</dt>
            <dd>{gauges === null ? '—' : (gauges[name] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      {message !== null && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'sent' : 'error'}>
          {message.text}
        </p>
      )}
      <section aria-labelledby="dead-heading">
        <h2 id="dead-heading">Dead deliveries</h2>
        {dead !== null && dead.length === 0 && <p>None: your webhook took every delivery.</p>}
        {dead !== null && dead.length > 0 && (
          <>
            <button type="button" onClick={() => void redrive('/v1/dead-deliveries/redrive')}>
              Re-drive all
            </button>
            <table>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {dead.map((delivery) => (
                  <tr key={delivery.id}>
                    <td>{new Date(delivery.created_at).toLocaleString()}</td>
                    <td>{delivery.event_type}</td>
                    <td>{delivery.attempts}</td>
                    <td>{delivery.last_error ?? '—'}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          void redrive(`/v1/dead-deliveries/${encodeURIComponent(delivery.id)}/redrive`)
                        }
                      >
                        Re-drive<span className="visually-hidden"> {delivery.id}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </main>
  )
}
