import { useCallback, useEffect, useRef, useState } from 'react'
import {
  ApiError,
  request,
  type Channel,
  type Decision,
  type MessageJson,
  type Page,
  type WindowJson,
} from '../api.js'
import type { Live } from '../app.js'
import { Countdown, expiryOf, toneOf, TONE_WORDS, type Tone } from '../countdown.js'
import { Composer } from './composer.js'
import { ContactWork } from './contact-work.js'

interface ConsentEntry {
  readonly id: number
  readonly kind: string
  readonly scope: string
  readonly source: string
  readonly evidence: string | null
  readonly actor: string | null
  readonly at: string
}

interface Consent {
  readonly history: ConsentEntry[]
  readonly current: Record<string, { readonly state: string; readonly since: string | null } | null>
}

interface Detail extends MessageJson {
  readonly body?: unknown
}

/** Messages read at a time: the newest first, older ones on request. */
const MESSAGES_PER_PAGE = 100

const when = (iso: string | null | undefined) =>
  iso === null || iso === undefined ? '—' : new Date(iso).toLocaleString()

const WINDOW_TYPES: Record<string, string> = {
  customer_care: 'Customer care',
  free_entry_point: 'Free entry point',
  messenger_standard: 'Messenger standard',
  messenger_ad: 'Messenger ad',
  human_agent: 'Human agent',
}

function textOf(message: Detail): string {
  const body = message.body as Record<string, unknown> | null | undefined
  if (body === null || body === undefined) return ''
  const text = (body.text as { body?: unknown } | undefined)?.body
  if (typeof text === 'string') return text
  const template = body.template as { name?: string } | undefined
  if (template?.name !== undefined) return `Template ${template.name}`
  const message_ = (body.message as { text?: unknown } | undefined)?.text
  if (typeof message_ === 'string') return message_
  return typeof body.type === 'string' ? `(${body.type})` : ''
}

export function Conversation(props: {
  readonly apiKey: string
  readonly channel: Channel
  readonly contactId: string
  readonly live: Live
  readonly now: number
  readonly onBack: () => void
}) {
  const { apiKey, channel, contactId, live, now } = props
  const [window, setWindow] = useState<{ json: WindowJson; readAt: number } | null>(null)
  const [messages, setMessages] = useState<Detail[] | null>(null)
  /** Where older messages continue (`null`: the timeline reaches the first message). */
  const [olderCursor, setOlderCursor] = useState<string | null>(null)
  const [isLoadingOlder, setLoadingOlder] = useState(false)
  const [consent, setConsent] = useState<Consent | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [reloads, setReloads] = useState(0)
  const base = `/v1/channels/${channel.id}/contacts/${contactId}`

  // Re-read when the live stream says something about this contact (or after a reconnect), and after a send.
  const lastSeen = useRef(live.sequence)
  const concernsUs =
    live.sequence !== lastSeen.current &&
    (live.last?.contactId === contactId || live.last?.contactId === null)
  const [liveTick, setLiveTick] = useState(0)
  useEffect(() => {
    lastSeen.current = live.sequence
    if (concernsUs) setLiveTick((tick) => tick + 1)
  }, [live.sequence, concernsUs])

  /** A page of the contact's messages with their text, newest first; `cursor` continues an earlier page. */
  const readMessages = useCallback(
    (cursor?: string) =>
      request<Page<Detail>>(apiKey, 'GET', '/v1/messages', undefined, {
        channel: channel.id,
        contact_id: contactId,
        limit: String(MESSAGES_PER_PAGE),
        include: 'body',
        cursor,
      }),
    [apiKey, channel.id, contactId],
  )

  const showOlder = () => {
    if (olderCursor === null) return
    setLoadingOlder(true)
    readMessages(olderCursor)
      .then(
        (page) => {
          setMessages((shown) => [...[...page.data].reverse(), ...(shown ?? [])])
          setOlderCursor(page.paging.next_cursor)
        },
        (error: unknown) => {
          setProblem(error instanceof ApiError ? error.message : String(error))
        },
      )
      .finally(() => {
        setLoadingOlder(false)
      })
  }

  useEffect(() => {
    let isCurrent = true
    const readAt = Date.now()
    const fail = (error: unknown) => {
      if (isCurrent) setProblem(error instanceof ApiError ? error.message : String(error))
    }
    request<WindowJson>(apiKey, 'GET', `${base}/window`).then((json) => {
      if (isCurrent) setWindow({ json, readAt })
    }, fail)
    request<Consent>(apiKey, 'GET', `${base}/consent`).then((json) => {
      if (isCurrent) setConsent(json)
    }, fail)
    readMessages().then((page) => {
      if (!isCurrent) return
      setMessages([...page.data].reverse())
      setOlderCursor(page.paging.next_cursor)
    }, fail)
    return () => {
      isCurrent = false
    }
  }, [apiKey, base, readMessages, liveTick, reloads])

  const expiresAtMs = window === null ? null : expiryOf(window.json.seconds_left, window.readAt)
  const tone: Tone = toneOf(expiresAtMs === null ? 0 : expiresAtMs - now)
  const isOpen = tone !== 'closed'

  return (
    <section className="conversation" aria-labelledby="conversation-heading">
      <div className="conversation-head">
        <button type="button" className="quiet back" onClick={props.onBack}>
          ← Contacts
        </button>
        <h2 id="conversation-heading">+{contactId}</h2>
      </div>
      {problem !== null && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {window !== null && (
        <div className={`window-bar tone-${tone}`} aria-label="Window">
          <div>
            <span className="label">Window</span> <strong className="window-state">{TONE_WORDS[tone]}</strong>{' '}
            <Countdown expiresAtMs={expiresAtMs} now={now} />
          </div>
          <dl>
            <dt>Type</dt>
            <dd>{window.json.type === null ? '—' : (WINDOW_TYPES[window.json.type] ?? window.json.type)}</dd>
            <dt>Opened</dt>
            <dd>{when(window.json.opened_at)}</dd>
            <dt>Last customer message</dt>
            <dd>{when(window.json.last_user_message_at)}</dd>
            <dt>Expires</dt>
            <dd>{when(window.json.expires_at)}</dd>
          </dl>
          {/* Announced only when the tone changes, not every second. */}
          <p className="visually-hidden" aria-live="polite">
            Window {TONE_WORDS[tone]}
          </p>
        </div>
      )}
      {olderCursor !== null && (
        <button type="button" className="quiet older" disabled={isLoadingOlder} onClick={showOlder}>
          {isLoadingOlder ? 'Loading…' : 'Show older messages'}
        </button>
      )}
      <ol className="timeline" aria-label="Messages">
        {messages?.length === 0 && <li className="empty">No messages yet.</li>}
        {messages?.map((message) => (
          <li key={message.id} className={`message ${message.direction}`} data-message={message.id}>
            <div className="bubble">
              <p className="text">
                {textOf(message) || (message.direction === 'inbound' ? 'Customer message' : 'Message')}
              </p>
              <p className="meta">
                {message.direction === 'inbound' ? 'Customer' : 'Sent'} · {when(message.at)}
                {message.status === null ? '' : ` · ${message.status}`}
              </p>
              {message.direction === 'outbound' &&
                message.decision !== null &&
                message.decision !== undefined && (
                  <DecisionView decision={message.decision} message={message} />
                )}
            </div>
          </li>
        ))}
      </ol>
      <Composer
        apiKey={apiKey}
        channel={channel}
        contactId={contactId}
        isWindowOpen={isOpen}
        onSent={() => {
          setReloads((count) => count + 1)
        }}
      />
      <ContactWork apiKey={apiKey} channel={channel} contactId={contactId} generation={liveTick + reloads} />
      <section className="consent" aria-labelledby="consent-heading">
        <h3 id="consent-heading">Consent</h3>
        {consent !== null && (
          <>
            <p className="consent-now">
              {Object.entries(consent.current)
                .filter(([, value]) => value !== null && typeof value === 'object')
                .map(([scope, value]) => `${scope}: ${value?.state ?? 'none'}`)
                .join(' · ')}
            </p>
            {consent.history.length === 0 ? (
              <p className="empty">No opt-ins or opt-outs recorded.</p>
            ) : (
              <table>
                <caption className="visually-hidden">Consent ledger</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">What</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Source</th>
                    <th scope="col">Evidence</th>
                  </tr>
                </thead>
                <tbody>
                  {consent.history.map((entry) => (
                    <tr key={entry.id}>
                      <td>{when(entry.at)}</td>
                      <td>{entry.kind === 'opt_in' ? 'Opt-in' : 'Opt-out'}</td>
                      <td>{entry.scope}</td>
                      <td>{entry.source}</td>
                      <td>{entry.evidence ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>
    </section>
  )
}

/** The given values that are words, space-separated. */
function words(...values: readonly unknown[]): string {
  return values.filter((value): value is string => typeof value === 'string').join(' ')
}

export function DecisionView({
  decision,
  message,
}: {
  readonly decision: Decision
  readonly message?: MessageJson
}) {
  const billing = decision.billing ?? null
  return (
    <div className={decision.allowed ? 'decision allowed' : 'decision refused'}>
      <p>
        <strong>{decision.allowed ? 'Allowed' : 'Refused'}</strong> · <code>{decision.reason}</code>
        {decision.rules.length > 0 && <> · rules {decision.rules.join(', ')}</>}
      </p>
      {decision.explanation !== undefined && decision.explanation !== null && (
        <p className="explanation">{decision.explanation}</p>
      )}
      <p className="pricing">
        {message?.price !== undefined && message.price !== null ? (
          <span className="price">
            Price {message.price.amount} {message.price.currency}
          </span>
        ) : (
          <span className="price">No charge</span>
        )}
        {billing !== null && <> · {words(billing.pricing_model, billing.category, billing.type)}</>}
        {message?.meta_pricing !== undefined && message.meta_pricing !== null && (
          <>
            {' '}
            · Meta: {words(message.meta_pricing.pricing_model, message.meta_pricing.category)}{' '}
            {message.meta_pricing.billable === true ? 'billable' : 'not billable'}
          </>
        )}
      </p>
    </div>
  )
}
