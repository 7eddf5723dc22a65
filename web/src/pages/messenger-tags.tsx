import { useEffect, useState } from 'react'
import { request, type Channel, type DryRun } from '../api.js'

/** The tag an agent may use on Messenger after the window: HUMAN_AGENT, within 7 days of the user's message (MSG-3). */
export const AGENT_TAG = 'HUMAN_AGENT'

/** The Send API body of a Messenger text reply, tagged or not. */
export function messengerBody(to: string, text: string, tag: string | null): Record<string, unknown> | null {
  if (text.trim() === '') return null
  return {
    recipient: { id: to },
    ...(tag === null ? { messaging_type: 'RESPONSE' } : { messaging_type: 'MESSAGE_TAG', tag }),
    message: { text },
  }
}

/**
 * The message tags Meta has defined since 2020 (MSG-3). Which of them a reply may carry depends on the date (the
 * three update tags end on 2026-04-27 by default) and on the user's last message (HUMAN_AGENT: 7 days, agents only);
 * the dry run knows both, so the composer asks it about each rather than keeping a list of its own.
 */
export const MESSAGE_TAGS = [
  AGENT_TAG,
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
] as const

const TAG_LABELS: Readonly<Record<string, string>> = {
  [AGENT_TAG]: 'HUMAN_AGENT (a person answering, within 7 days)',
  CONFIRMED_EVENT_UPDATE: 'CONFIRMED_EVENT_UPDATE (an event the user registered for)',
  POST_PURCHASE_UPDATE: 'POST_PURCHASE_UPDATE (an order the user placed)',
  ACCOUNT_UPDATE: 'ACCOUNT_UPDATE (a change to the user’s account)',
}

/** What the dry runs said: the tags a reply may carry now, and HUMAN_AGENT's decision (its refusal says why not). */
export interface TagCheck {
  readonly allowed: readonly string[]
  readonly agent: DryRun
}

/**
 * Which tags an agent's reply may carry now: the dry run of a tagged body per tag, as a send would decide it. The
 * composer offers only those, and only when the window is closed (inside it no tag is needed).
 */
export function useAllowedTags(
  apiKey: string,
  channel: Channel,
  contactId: string,
  isWindowOpen: boolean,
  generation: number,
): TagCheck | null {
  const [check, setCheck] = useState<TagCheck | null>(null)
  useEffect(() => {
    setCheck(null)
    if (channel.platform !== 'messenger' || isWindowOpen) return
    let isCurrent = true
    Promise.all(
      MESSAGE_TAGS.map((tag) =>
        request<DryRun>(apiKey, 'POST', `/v1/channels/${channel.id}/decisions`, {
          message: messengerBody(contactId, 'Tag check', tag),
          sender: 'agent',
        }),
      ),
    ).then(
      (decisions) => {
        if (!isCurrent) return
        const agent = decisions[0]
        if (agent === undefined) return
        setCheck({ allowed: MESSAGE_TAGS.filter((_tag, index) => decisions[index]?.allowed === true), agent })
      },
      () => {
        if (isCurrent) setCheck(null)
      },
    )
    return () => {
      isCurrent = false
    }
  }, [apiKey, channel.id, channel.platform, contactId, isWindowOpen, generation])
  return check
}

/** The tag choice: no tag, or each tag the dry runs allow; none allowed: why HUMAN_AGENT is not. */
export function TagChoice(props: {
  readonly check: TagCheck | null
  readonly tag: string | null
  readonly onChange: (tag: string | null) => void
}) {
  const { check } = props
  if (check === null) return null
  if (check.allowed.length === 0)
    return (
      <p className="hint tag-refused">
        The window is closed and no message tag is allowed now: <code>{check.agent.reason}</code>
      </p>
    )
  return (
    <div className="field">
      <label htmlFor="composer-tag">Message tag</label>
      <select
        id="composer-tag"
        value={props.tag ?? ''}
        onChange={(event) => {
          props.onChange(event.target.value === '' ? null : event.target.value)
        }}
      >
        <option value="">No tag</option>
        {check.allowed.map((tag) => (
          <option key={tag} value={tag}>
            {TAG_LABELS[tag] ?? tag}
          </option>
        ))}
      </select>
    </div>
  )
}
