import { useCallback, useEffect, useState, type SyntheticEvent, type MouseEvent } from 'react'
import { ApiError, request, storedKey, storeKey, type Channel, type Page } from './api.js'
import { useLiveEvents, type LiveEvent } from './live.js'
import { navigate, useLocation, type PageName } from './router.js'
import { InboxPage } from './pages/inbox.js'
import { CostsPage } from './pages/costs.js'
import { TemplatesPage } from './pages/templates.js'
import { HealthPage } from './pages/health.js'

export function App() {
  const [key, setKey] = useState<string | null>(storedKey)
  const signOut = useCallback(() => {
    storeKey(null)
    setKey(null)
  }, [])
  if (key === null)
    return (
      <SignIn
        onSignedIn={(accepted) => {
          storeKey(accepted)
          setKey(accepted)
        }}
      />
    )
  return <Signed apiKey={key} onSignOut={signOut} />
}

function SignIn({ onSignedIn }: { readonly onSignedIn: (key: string) => void }) {
  const [draft, setDraft] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault()
    setBusy(true)
    setProblem(null)
    try {
      await request(draft.trim(), 'GET', '/v1/channels')
      onSignedIn(draft.trim())
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : 'carewindow could not be reached.')
    } finally {
      setBusy(false)
    }
  }
  return (
    <main className="sign-in">
      <form onSubmit={(event) => void submit(event)} aria-describedby="sign-in-help">
        <h1>carewindow</h1>
        <p id="sign-in-help">
          Sign in with a carewindow API key. <code>npm start</code> prints the sandbox’s key on its first
          start.
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value)
          }}
        />
        <button type="submit" disabled={busy || draft.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {problem !== null && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
      </form>
    </main>
  )
}

const NAV: readonly { readonly page: PageName; readonly label: string }[] = [
  { page: 'inbox', label: 'Inbox' },
  { page: 'costs', label: 'Costs' },
  { page: 'templates', label: 'Templates' },
  { page: 'health', label: 'Health' },
]

/** Every page's view of what the live stream said: bumps on each event so pages re-read what it concerns. */
export interface Live {
  readonly connected: boolean
  readonly last: LiveEvent | null
  readonly sequence: number
}

function Signed({ apiKey, onSignOut }: { readonly apiKey: string; readonly onSignOut: () => void }) {
  const location = useLocation()
  const [channels, setChannels] = useState<Channel[] | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [live, setLive] = useState<Live>({ connected: false, last: null, sequence: 0 })
  const connected = useLiveEvents(apiKey, (event) => {
    setLive((before) => ({ ...before, last: event, sequence: before.sequence + 1 }))
  })
  useEffect(() => {
    request<Page<Channel>>(apiKey, 'GET', '/v1/channels').then(
      (page) => {
        setChannels(page.data)
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) onSignOut()
        else setProblem(error instanceof Error ? error.message : String(error))
      },
    )
  }, [apiKey, onSignOut])
  const liveNow = { ...live, connected }
  const channelId = location.query.get('channel') ?? channels?.[0]?.id ?? null
  const channel = channels?.find((candidate) => candidate.id === channelId) ?? null
  const go = (event: MouseEvent<HTMLAnchorElement>, path: string) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return
    event.preventDefault()
    navigate(path)
  }
  return (
    <div className="shell">
      <header className="top">
        <span className="brand">carewindow</span>
        <nav aria-label="Pages">
          {NAV.map((item) => (
            <a
              key={item.page}
              href={`/${item.page}`}
              aria-current={location.page === item.page ? 'page' : undefined}
              onClick={(event) => {
                go(event, `/${item.page}`)
              }}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <span className={connected ? 'live on' : 'live off'} title="Live updates (Server-Sent Events)">
          {connected ? 'Live' : 'Reconnecting…'}
        </span>
        {channels !== null && channels.length > 1 && (
          <label className="channel-pick">
            <span className="visually-hidden">Channel</span>
            <select
              value={channelId ?? ''}
              onChange={(event) => {
                navigate(`/${location.page}?channel=${encodeURIComponent(event.target.value)}`)
              }}
            >
              {channels.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.platform} {candidate.id}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" className="quiet" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {problem !== null && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {channels !== null && channels.length === 0 && <p>This tenant has no channels yet.</p>}
      {channel !== null && location.page === 'inbox' && (
        <InboxPage apiKey={apiKey} channel={channel} query={location.query} live={liveNow} />
      )}
      {location.page === 'costs' && <CostsPage apiKey={apiKey} live={liveNow} />}
      {channel !== null && location.page === 'templates' && (
        <TemplatesPage apiKey={apiKey} channel={channel} />
      )}
      {location.page === 'health' && <HealthPage apiKey={apiKey} />}
    </div>
  )
}
