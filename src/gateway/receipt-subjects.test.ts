import { describe, expect, it } from 'vitest'
import { parseWhatsAppNotification } from '../channels/whatsapp/notification.js'
import {
  INBOUND_TEXT,
  STATUS_SENT,
  TEMPLATE_PAUSED,
  USER_PREFERENCES_STOP,
} from '../../test/e2e/fixtures/meta-examples.js'
import { contactSubject, NO_DECISION, whatsappSubject } from './receipt-subjects.js'

const subjectOf = (body: unknown): string | null => whatsappSubject(parseWhatsAppNotification(body))

/** Meta's inbound text example with its messages replaced. */
function withMessages(messages: readonly Record<string, unknown>[]): unknown {
  const json = JSON.parse(INBOUND_TEXT) as { entry: { changes: { value: Record<string, unknown> }[] }[] }
  json.entry[0]!.changes[0]!.value.messages = messages
  return json
}

const text = (from: string, id: string) => ({
  from,
  id,
  timestamp: '1749416383',
  type: 'text',
  text: { body: 'Hi' },
})

describe('which decisions a WhatsApp notification can change', () => {
  it('is the contact of an inbound message, keyed by the business number and the normalised wa_id', () => {
    expect(subjectOf(JSON.parse(INBOUND_TEXT))).toBe(
      contactSubject('whatsapp', '106540352242922', '16505551234'),
    )
    expect(subjectOf(withMessages([text('+1 650-555-1234', 'wamid.a')]))).toBe(
      'whatsapp:106540352242922:16505551234',
    )
  })

  it('is the contact of a marketing preference', () => {
    expect(subjectOf(JSON.parse(USER_PREFERENCES_STOP))).toBe('whatsapp:106540352242922:16505551234')
  })

  it('is one contact for several messages of the same contact, and any for messages of several contacts', () => {
    expect(subjectOf(withMessages([text('16505551234', 'wamid.a'), text('16505551234', 'wamid.b')]))).toBe(
      'whatsapp:106540352242922:16505551234',
    )
    expect(
      subjectOf(withMessages([text('16505551234', 'wamid.a'), text('31612345678', 'wamid.b')])),
    ).toBeNull()
  })

  it('is none for statuses, which change no decision', () => {
    expect(subjectOf(JSON.parse(STATUS_SENT))).toBe(NO_DECISION)
  })

  it('is any for a template update, which can change every contact’s decisions', () => {
    expect(subjectOf(JSON.parse(TEMPLATE_PAUSED))).toBeNull()
  })

  it('is any for what cannot be read, and none for what is skipped (it is not applied)', () => {
    expect(subjectOf({ object: 'page', entry: [] })).toBeNull()
    expect(subjectOf(withMessages([{ id: 'wamid.without-from', timestamp: '1749416383' }]))).toBe(NO_DECISION)
  })
})
