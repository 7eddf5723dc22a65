import { useEffect, useRef, useState } from 'react'

/** What the live stream says about one contact (or anything else the tenant hears). */
export interface LiveEvent {
  readonly type: string
  readonly contactId: string | null
}

const TYPES = [
  'window.opened',
  'window.expiring',
  'window.closed',
  'message.refused',
  'message.status',
  'consent.changed',
  'case.reengaged',
  'held_message.released',
  'billing.mismatch',
  'whatsapp.notification',
  'messenger.notification',
]

/** The contacts a relayed Meta notification is about (the messages' senders, the statuses' recipients). */
function contactsOfNotification(body: unknown): string[] {
  const found: string[] = []
  const entries = (body as { entry?: unknown[] } | null)?.entry ?? []
  for (const entry of entries as { changes?: { value?: Record<string, unknown> }[] }[])
    for (const change of entry.changes ?? []) {
      const value = change.value ?? {}
      for (const message of (value.messages as { from?: string }[] | undefined) ?? [])
        if (typeof message.from === 'string') found.push(message.from)
      for (const status of (value.statuses as { recipient_id?: string }[] | undefined) ?? [])
        if (typeof status.recipient_id === 'string') found.push(status.recipient_id)
    }
  return found
}

/**
 * Listens to `GET /v1/events/stream` (Server-Sent Events; the key goes in the query because EventSource sends no
 * headers) and calls `onEvent` for each event. Reconnects by itself; `connected` says whether it is live now.
 */
export function useLiveEvents(key: string, onEvent: (event: LiveEvent) => void): boolean {
  const [connected, setConnected] = useState(false)
  const handler = useRef(onEvent)
  handler.current = onEvent
  useEffect(() => {
    const source = new EventSource(`/v1/events/stream?access_token=${encodeURIComponent(key)}`)
    source.onopen = () => {
      setConnected(true)
      // Whatever happened while it was away: the pages read their resources again.
      handler.current({ type: 'reconnected', contactId: null })
    }
    source.onerror = () => {
      setConnected(false)
    }
    const listener = (message: MessageEvent<string>) => {
      let body: unknown = null
      try {
        body = JSON.parse(message.data)
      } catch {
        return
      }
      if (message.type.endsWith('.notification')) {
        const contacts = contactsOfNotification(body)
        if (contacts.length === 0) handler.current({ type: message.type, contactId: null })
        for (const contactId of contacts) handler.current({ type: message.type, contactId })
        return
      }
      const contactId = (body as { contact_id?: unknown }).contact_id
      handler.current({ type: message.type, contactId: typeof contactId === 'string' ? contactId : null })
    }
    for (const type of TYPES) source.addEventListener(type, listener)
    return () => {
      source.close()
    }
  }, [key])
  return connected
}
