import { useEffect, useRef, useState } from 'react'
import { ApiError, request, type Channel, type ContactRow, type Page } from '../api.js'
import type { Live } from '../app.js'
import { Countdown, expiryOf, useNow } from '../countdown.js'
import { navigate } from '../router.js'
import { Conversation } from './conversation.js'

const FILTERS = [
  { id: 'all', label: 'All', query: {} },
  { id: 'open', label: 'Open', query: { state: 'open' } },
  { id: 'closing', label: 'Closing within the hour', query: { expires_within: '3600' } },
  { id: 'closed', label: 'Closed', query: { state: 'closed' } },
  { id: 'opted_out', label: 'Opted out', query: { opted_out: 'true' } },
  { id: 'open_case', label: 'Open case', query: { has_open_case: 'true' } },
  { id: 'held_reply', label: 'Held reply waiting', query: { has_held_reply: 'true' } },
] as const

type FilterId = (typeof FILTERS)[number]['id']

interface Listed {
  readonly rows: ContactRow[]
  readonly readAt: number
}

export function InboxPage(props: {
  readonly apiKey: string
  readonly channel: Channel
  readonly query: URLSearchParams
  readonly live: Live
}) {
  const { apiKey, channel, live } = props
  const selected = props.query.get('contact')
  const [filter, setFilter] = useState<FilterId>('all')
  const [search, setSearch] = useState('')
  const [searched, setSearched] = useState('')
  const [listed, setListed] = useState<Listed | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const now = useNow()

  useEffect(() => {
    const timer = setTimeout(() => {
      setSearched(search.trim())
    }, 250)
    return () => {
      clearTimeout(timer)
    }
  }, [search])

  // Re-read on a filter, a search, or an event from the live stream (never on a timer).
  const generation = useRef(0)
  useEffect(() => {
    const mine = ++generation.current
    const chosen = FILTERS.find((candidate) => candidate.id === filter)?.query ?? {}
    const readAt = Date.now()
    request<Page<ContactRow>>(apiKey, 'GET', `/v1/channels/${channel.id}/contacts`, undefined, {
      ...chosen,
      limit: '200',
      ...(searched === '' ? {} : { q: searched }),
    }).then(
      (page) => {
        if (mine !== generation.current) return
        setListed({ rows: page.data, readAt })
        setProblem(null)
      },
      (error: unknown) => {
        if (mine === generation.current) setProblem(error instanceof ApiError ? error.message : String(error))
      },
    )
  }, [apiKey, channel.id, filter, searched, live.sequence])

  const open = (contactId: string) => {
    navigate(`/inbox?channel=${encodeURIComponent(channel.id)}&contact=${encodeURIComponent(contactId)}`)
  }

  return (
    <main className={selected === null ? 'inbox' : 'inbox has-selection'}>
      <section className="contacts" aria-labelledby="contacts-heading">
        <h1 id="contacts-heading">Inbox</h1>
        <div className="filters" role="group" aria-label="Filter contacts">
          {FILTERS.map((candidate) => (
            <button
              key={candidate.id}
              type="button"
              aria-pressed={filter === candidate.id}
              onClick={() => {
                setFilter(candidate.id)
              }}
            >
              {candidate.label}
            </button>
          ))}
        </div>
        <label className="search">
          <span>Search by number or name</span>
          <input
            type="search"
            value={search}
            maxLength={100}
            onChange={(event) => {
              setSearch(event.target.value)
            }}
          />
        </label>
        {problem !== null && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        {listed !== null && listed.rows.length === 0 && <p className="empty">No contacts match.</p>}
        <ul className="contact-list" aria-label="Contacts">
          {listed?.rows.map((row) => (
            <li key={row.contact_id}>
              <button
                type="button"
                className="contact"
                aria-current={selected === row.contact_id ? 'true' : undefined}
                data-contact={row.contact_id}
                onClick={() => {
                  open(row.contact_id)
                }}
              >
                <span className="who">
                  <span className="name">{row.profile_name ?? 'Unknown name'}</span>
                  <span className="number">+{row.contact_id}</span>
                </span>
                <Countdown expiresAtMs={expiryOf(row.window.seconds_left, listed.readAt)} now={now} />
              </button>
            </li>
          ))}
        </ul>
      </section>
      {selected !== null && (
        <Conversation
          key={`${channel.id}/${selected}`}
          apiKey={apiKey}
          channel={channel}
          contactId={selected}
          live={live}
          now={now}
          onBack={() => {
            navigate(`/inbox?channel=${encodeURIComponent(channel.id)}`)
          }}
        />
      )}
    </main>
  )
}
