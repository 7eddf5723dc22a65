import { useEffect, useState } from 'react'
import { ApiError, request, type Channel, type Page } from '../api.js'

interface CaseJson {
  readonly id: string
  readonly external_id: string | null
  readonly status: 'open' | 'pending' | 'resolved'
  readonly subject: string | null
  readonly updated_at: string
}

interface HoldJson {
  readonly id: string
  readonly status: string
  readonly body: unknown
  readonly created_at: string
  readonly expires_at: string
  readonly error: string | null
}

const when = (iso: string) => new Date(iso).toLocaleString()

function holdText(hold: HoldJson): string {
  const text = (hold.body as { text?: { body?: unknown } } | null)?.text?.body
  return typeof text === 'string' ? text : 'Message'
}

/** The contact's cases and held replies; a held reply still waiting can be cancelled. */
export function ContactWork(props: {
  readonly apiKey: string
  readonly channel: Channel
  readonly contactId: string
  /** Changes when the conversation re-reads (a live event, a send). */
  readonly generation: number
}) {
  const { apiKey, channel, contactId, generation } = props
  const [cases, setCases] = useState<CaseJson[] | null>(null)
  const [holds, setHolds] = useState<HoldJson[] | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [cancelled, setCancelled] = useState(0)

  useEffect(() => {
    let isCurrent = true
    const fail = (error: unknown) => {
      if (isCurrent) setProblem(error instanceof ApiError ? error.message : String(error))
    }
    request<Page<CaseJson>>(apiKey, 'GET', `/v1/channels/${channel.id}/cases`, undefined, {
      contact_id: contactId,
      limit: '50',
    }).then((page) => {
      if (isCurrent) setCases(page.data)
    }, fail)
    request<{ data: HoldJson[] }>(
      apiKey,
      'GET',
      `/v1/channels/${channel.id}/contacts/${contactId}/held`,
    ).then((page) => {
      if (isCurrent) setHolds(page.data)
    }, fail)
    return () => {
      isCurrent = false
    }
  }, [apiKey, channel.id, contactId, generation, cancelled])

  const cancel = (id: string) => {
    request(apiKey, 'DELETE', `/v1/held/${encodeURIComponent(id)}`).then(
      () => {
        setProblem(null)
        setCancelled((count) => count + 1)
      },
      (error: unknown) => {
        setProblem(error instanceof ApiError ? error.message : String(error))
        setCancelled((count) => count + 1)
      },
    )
  }

  return (
    <section className="contact-work" aria-labelledby="work-heading">
      <h3 id="work-heading">Cases and held replies</h3>
      {problem !== null && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {cases !== null && cases.length === 0 && <p className="empty">No cases.</p>}
      {cases !== null && cases.length > 0 && (
        <ul className="cases" aria-label="Cases">
          {cases.map((item) => (
            <li key={item.id} data-case={item.id}>
              <span className={`case-status status-${item.status}`}>{item.status}</span>{' '}
              {item.subject ?? item.external_id ?? item.id} · updated {when(item.updated_at)}
            </li>
          ))}
        </ul>
      )}
      {holds !== null && holds.length === 0 && <p className="empty">No held replies.</p>}
      {holds !== null && holds.length > 0 && (
        <ul className="holds" aria-label="Held replies">
          {holds.map((hold) => (
            <li key={hold.id} data-hold={hold.id}>
              <span className={`hold-status status-${hold.status}`}>{hold.status}</span> “{holdText(hold)}” ·
              held {when(hold.created_at)}
              {hold.status === 'held' && (
                <>
                  {' '}
                  · expires {when(hold.expires_at)}{' '}
                  <button
                    type="button"
                    className="quiet"
                    onClick={() => {
                      cancel(hold.id)
                    }}
                  >
                    Cancel held reply
                  </button>
                </>
              )}
              {hold.error !== null && <> · {hold.error}</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
