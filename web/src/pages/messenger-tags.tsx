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
 * Whether a human agent's HUMAN_AGENT-tagged reply would be allowed now: the dry run of the tagged body, as a send
 * would decide it. The composer offers the tag only then, and only when the window is closed (inside it no tag
 * is needed).
 */
export function useAgentTagAllowed(
  apiKey: string,
  channel: Channel,
  contactId: string,
  isWindowOpen: boolean,
  generation: number,
): DryRun | null {
  const [decision, setDecision] = useState<DryRun | null>(null)
  useEffect(() => {
    setDecision(null)
    if (channel.platform !== 'messenger' || isWindowOpen) return
    let isCurrent = true
    request<DryRun>(apiKey, 'POST', `/v1/channels/${channel.id}/decisions`, {
      message: messengerBody(contactId, 'Tag check', AGENT_TAG),
      sender: 'agent',
    }).then(
      (answer) => {
        if (isCurrent) setDecision(answer)
      },
      () => {
        if (isCurrent) setDecision(null)
      },
    )
    return () => {
      isCurrent = false
    }
  }, [apiKey, channel.id, channel.platform, contactId, isWindowOpen, generation])
  return decision
}

/** The tag choice: no tag, or HUMAN_AGENT when the dry run allows it (with the rule that allows it). */
export function TagChoice(props: {
  readonly decision: DryRun | null
  readonly tag: string | null
  readonly onChange: (tag: string | null) => void
}) {
  const { decision } = props
  if (decision === null) return null
  if (!decision.allowed)
    return (
      <p className="hint tag-refused">
        The window is closed and no message tag is allowed now: <code>{decision.reason}</code>
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
        <option value={AGENT_TAG}>HUMAN_AGENT (a person answering, within 7 days)</option>
      </select>
    </div>
  )
}
