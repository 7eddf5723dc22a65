import { useEffect, useMemo, useState, type SyntheticEvent } from 'react'
import {
  ApiError,
  GRAPH_VERSION,
  request,
  type Channel,
  type DryRun,
  type Page,
  type TemplateJson,
} from '../api.js'
import { messengerBody, TagChoice, useAllowedTags } from './messenger-tags.js'
import { fieldsOf, formProblem, previewOf, templateSendOf } from './template-form.js'

type Mode = 'text' | 'template'

/** Graph's send body for the message being composed. */
function sendBody(
  to: string,
  mode: Mode,
  text: string,
  template: TemplateJson | null,
  values: Readonly<Record<string, string>>,
): Record<string, unknown> | null {
  if (mode === 'text')
    return text.trim() === ''
      ? null
      : { messaging_product: 'whatsapp', to, type: 'text', text: { body: text } }
  if (template === null) return null
  return { messaging_product: 'whatsapp', to, type: 'template', template: templateSendOf(template, values) }
}

interface Sent {
  readonly ok: boolean
  readonly text: string
}

/** The 202 answer to a free-form reply the channel held for a closed window. */
interface HeldAnswer {
  readonly held?: { readonly id: string; readonly expires_at: string }
}

/** Whether the channel holds free-form replies to a closed window (its `hold_replies` automation). */
function useHoldsReplies(apiKey: string, channel: Channel): boolean {
  const [holds, setHolds] = useState(false)
  useEffect(() => {
    if (channel.platform !== 'whatsapp') return
    request<{ hold_replies?: { enabled?: boolean } }>(
      apiKey,
      'GET',
      `/v1/channels/${channel.id}/automations`,
    ).then(
      (automations) => {
        setHolds(automations.hold_replies?.enabled === true)
      },
      () => {
        setHolds(false)
      },
    )
  }, [apiKey, channel.id, channel.platform])
  return holds
}

export function Composer(props: {
  readonly apiKey: string
  readonly channel: Channel
  readonly contactId: string
  readonly isWindowOpen: boolean
  readonly onSent: () => void
}) {
  const { apiKey, channel, contactId, isWindowOpen } = props
  const [mode, setMode] = useState<Mode>(isWindowOpen ? 'text' : 'template')
  const [text, setText] = useState('')
  const [templates, setTemplates] = useState<TemplateJson[]>([])
  const [chosen, setChosen] = useState<string>('')
  const [values, setValues] = useState<Record<string, string>>({})
  const [dryRun, setDryRun] = useState<DryRun | null>(null)
  const [result, setResult] = useState<Sent | null>(null)
  const [busy, setBusy] = useState(false)
  const holdsReplies = useHoldsReplies(apiKey, channel)
  const [hold, setHold] = useState(false)
  // Free text to a closed window goes out only as a held reply, and only when the agent asked for that.
  const mustHold = !isWindowOpen && mode === 'text' && holdsReplies
  const isMessenger = channel.platform === 'messenger'
  const [tag, setTag] = useState<string | null>(null)
  const [sends, setSends] = useState(0)
  const tagCheck = useAllowedTags(apiKey, channel, contactId, isWindowOpen, sends)
  const usableTag = tag !== null && tagCheck?.allowed.includes(tag) === true ? tag : null

  // The window decides the composer: it switches to templates when the window closes, and back when it opens.
  useEffect(() => {
    setMode(isWindowOpen ? 'text' : 'template')
  }, [isWindowOpen])

  useEffect(() => {
    if (channel.platform !== 'whatsapp') return
    request<Page<TemplateJson>>(apiKey, 'GET', `/v1/channels/${channel.id}/templates`).then(
      (page) => {
        const usable = page.data
          .filter((template) => template.status === 'APPROVED')
          // Issue Resolution templates first: they may reopen a closed window without an opt-in (CCW-7).
          .sort(
            (a, b) => Number(b.issue_resolution) - Number(a.issue_resolution) || a.name.localeCompare(b.name),
          )
        setTemplates(usable)
        setChosen(
          (before) => before || (usable[0] === undefined ? '' : `${usable[0].name}/${usable[0].language}`),
        )
      },
      () => {
        setTemplates([])
      },
    )
  }, [apiKey, channel.id, channel.platform])

  const template = templates.find((candidate) => `${candidate.name}/${candidate.language}` === chosen) ?? null
  const fields = useMemo(() => (template === null ? [] : fieldsOf(template)), [template])
  // Graph's own check of the parameters (132000, 132012), run before anything is sent or dry-run.
  const problem = mode === 'template' && template !== null ? formProblem(template, values) : null
  const body = isMessenger
    ? messengerBody(contactId, text, usableTag)
    : problem !== null || (mustHold && !hold)
      ? null
      : sendBody(contactId, mode, text, template, values)
  const bodyText = body === null ? null : JSON.stringify(body)

  // The decision and price before sending: a dry run of exactly the body that would be sent.
  useEffect(() => {
    setDryRun(null)
    if (bodyText === null) return
    const timer = setTimeout(() => {
      request<DryRun>(apiKey, 'POST', `/v1/channels/${channel.id}/decisions`, {
        message: JSON.parse(bodyText) as unknown,
        sender: 'agent',
      }).then(setDryRun, () => {
        setDryRun(null)
      })
    }, 300)
    return () => {
      clearTimeout(timer)
    }
  }, [apiKey, channel.id, bodyText])

  const send = async (event: SyntheticEvent) => {
    event.preventDefault()
    if (body === null) return
    setBusy(true)
    setResult(null)
    try {
      const answer = await request<HeldAnswer | null>(
        apiKey,
        'POST',
        `/${GRAPH_VERSION}/${channel.id}/messages`,
        body,
        undefined,
        // A person writes in the composer: on Messenger that is what HUMAN_AGENT requires.
        isMessenger ? { 'x-carewindow-sender': 'agent' } : undefined,
      )
      const held = answer?.held
      setResult({
        ok: true,
        text:
          held !== undefined
            ? `Held until the customer writes (expires ${new Date(held.expires_at).toLocaleString()}).`
            : mode === 'text' || isMessenger
              ? 'Sent.'
              : `Template ${template?.name ?? ''} sent.`,
      })
      setText('')
      props.onSent()
    } catch (error) {
      const reason = error instanceof ApiError ? error.message : String(error)
      setResult({ ok: false, text: `Refused: ${reason}` })
      // A free-form reply refused for a closed window: templates are what may go now.
      if (mode === 'text' && error instanceof ApiError && error.status === 400) setMode('template')
      props.onSent()
    } finally {
      setSends((count) => count + 1)
      setBusy(false)
    }
  }

  const price = dryRun?.billing?.price as { amount?: string; currency?: string } | null | undefined

  return (
    <form className="composer" onSubmit={(event) => void send(event)} aria-labelledby="composer-heading">
      <h3 id="composer-heading">Reply</h3>
      {isMessenger ? null : (
        <div className="modes" role="group" aria-label="Message kind">
          <button
            type="button"
            aria-pressed={mode === 'text'}
            onClick={() => {
              setMode('text')
            }}
          >
            Free text
          </button>
          <button
            type="button"
            aria-pressed={mode === 'template'}
            onClick={() => {
              setMode('template')
            }}
          >
            Template
          </button>
        </div>
      )}
      {isMessenger && !isWindowOpen && <TagChoice check={tagCheck} tag={usableTag} onChange={setTag} />}
      {!isWindowOpen && mode === 'text' && !holdsReplies && !isMessenger && (
        <p className="hint">
          The window is closed: free text will be refused. Use a template, or turn on held replies in the
          channel’s automations (<code>hold_replies</code>) to keep it until the customer writes.
        </p>
      )}
      {mustHold && (
        <label className="check hold-option">
          <input
            type="checkbox"
            checked={hold}
            onChange={(event) => {
              setHold(event.target.checked)
            }}
          />{' '}
          Hold until the customer writes
        </label>
      )}
      {mode === 'text' || isMessenger ? (
        <div className="field">
          <label htmlFor="composer-text">Message</label>
          <textarea
            id="composer-text"
            rows={3}
            maxLength={4096}
            value={text}
            onChange={(event) => {
              setText(event.target.value)
            }}
          />
        </div>
      ) : (
        <>
          <div className="field">
            <label htmlFor="composer-template">Template</label>
            <select
              id="composer-template"
              value={chosen}
              onChange={(event) => {
                setChosen(event.target.value)
                setValues({})
              }}
            >
              {templates.map((candidate) => (
                <option
                  key={`${candidate.name}/${candidate.language}`}
                  value={`${candidate.name}/${candidate.language}`}
                >
                  {candidate.issue_resolution ? '★ Issue Resolution · ' : ''}
                  {candidate.name} ({candidate.language}, {candidate.category.toLowerCase()})
                </option>
              ))}
            </select>
          </div>
          {fields.map((field) => (
            <div className="field" key={field.key}>
              <label htmlFor={`composer-parameter-${field.key}`}>{field.label}</label>
              <input
                id={`composer-parameter-${field.key}`}
                type={field.kind === 'link' ? 'url' : 'text'}
                required
                maxLength={1024}
                aria-describedby={problem === null ? undefined : 'composer-problem'}
                value={values[field.key] ?? ''}
                onChange={(event) => {
                  setValues((before) => ({ ...before, [field.key]: event.target.value }))
                }}
              />
            </div>
          ))}
          {template !== null && (
            <div className="preview" aria-label="Preview">
              <span className="label">Preview</span>
              <p>{previewOf(template, values)}</p>
            </div>
          )}
          {problem !== null && Object.values(values).some((value) => value !== '') && (
            <p id="composer-problem" className="hint problem" aria-live="polite">
              Graph would refuse this ({problem.code}): {problem.details}
            </p>
          )}
        </>
      )}
      {dryRun !== null && (
        <p className={dryRun.allowed ? 'dry-run allowed' : 'dry-run refused'} aria-live="polite">
          <strong>{dryRun.allowed ? 'Would be allowed' : 'Would be refused'}</strong> ·{' '}
          <code>{dryRun.reason}</code>
          {dryRun.rules.length > 0 && <> · {dryRun.rules.join(', ')}</>}
          {' · '}
          <span className="dry-run-price">
            {price === null || price === undefined
              ? 'no charge'
              : `${price.amount ?? ''} ${price.currency ?? ''}`}
          </span>
          {dryRun.explanation !== undefined && <span className="explanation"> {dryRun.explanation}</span>}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || body === null}>
        {busy ? 'Sending…' : 'Send'}
      </button>
      {result !== null && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'sent' : 'error'}>
          {result.text}
        </p>
      )}
    </form>
  )
}
