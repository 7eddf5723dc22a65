import { describe, expect, it } from 'vitest'
import {
  INBOUND_TEXT,
  STATUS_SENT,
  TEMPLATE_PAUSED,
  USER_PREFERENCES_STOP,
} from '../../../test/e2e/fixtures/meta-examples.js'
import { contactSubject, notificationSubjects, templateSubject } from './notification-subjects.js'

const subjectsOf = (body: unknown, platform: 'whatsapp' | 'messenger' = 'whatsapp'): string[] | string => {
  const read = notificationSubjects(platform, body)
  return read.ok ? read.subjects : read.problem
}

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
    expect(subjectsOf(JSON.parse(INBOUND_TEXT))).toEqual([
      contactSubject('whatsapp', '106540352242922', '16505551234'),
    ])
    expect(subjectsOf(withMessages([text('+1 650-555-1234', 'wamid.a')]))).toEqual([
      'whatsapp:106540352242922:16505551234',
    ])
  })

  it('is the contact of a marketing preference', () => {
    expect(subjectsOf(JSON.parse(USER_PREFERENCES_STOP))).toEqual(['whatsapp:106540352242922:16505551234'])
  })

  it('names each contact of a batch once', () => {
    expect(
      subjectsOf(withMessages([text('16505551234', 'wamid.a'), text('16505551234', 'wamid.b')])),
    ).toEqual(['whatsapp:106540352242922:16505551234'])
    expect(
      subjectsOf(
        withMessages([
          text('16505551234', 'wamid.a'),
          text('31612345678', 'wamid.b'),
          text('16505551234', 'c'),
        ]),
      ),
    ).toEqual(['whatsapp:106540352242922:16505551234', 'whatsapp:106540352242922:31612345678'])
  })

  it('is none for statuses, which change no decision, and for what is skipped (it is not applied)', () => {
    expect(subjectsOf(JSON.parse(STATUS_SENT))).toEqual([])
    expect(subjectsOf(withMessages([{ id: 'wamid.without-from', timestamp: '1749416383' }]))).toEqual([])
  })

  it('is the template of a template update, which changes sends of that template only', () => {
    const update = JSON.parse(TEMPLATE_PAUSED) as {
      entry: { changes: { value: { message_template_name: string; message_template_language: string } }[] }[]
    }
    const { message_template_name: name, message_template_language: language } =
      update.entry[0]!.changes[0]!.value
    expect(subjectsOf(update)).toEqual([templateSubject(name, language)])
  })

  it('refuses, saying why, what the inbox could not apply', () => {
    expect(subjectsOf({ object: 'whatsapp_business_account', entry: 'x' })).toMatch(/^entry: /)
    expect(subjectsOf({ object: 'page', entry: [] })).toMatch(/whatsapp_business_account/)
  })
})

describe('which decisions a Messenger notification can change', () => {
  const event = (body: Record<string, unknown>, psid = '1254477777772919') => ({
    sender: { id: psid },
    recipient: { id: '682498302938465' },
    timestamp: 1_458_692_752_478,
    ...body,
  })
  const page = (events: readonly object[]) => ({
    object: 'page',
    entry: [{ id: '682498302938465', messaging: events }],
  })

  it('is the contact of each inbound event, and none for deliveries and reads', () => {
    expect(
      subjectsOf(
        page([
          event({ message: { mid: 'm_1', text: 'Hi' } }),
          event({ postback: { title: 'Go', payload: 'GO' } }, '42'),
          event({ delivery: { mids: ['m_2'], watermark: 1 } }),
          event({ read: { watermark: 1 } }, '43'),
        ]),
        'messenger',
      ),
    ).toEqual(['messenger:682498302938465:1254477777772919', 'messenger:682498302938465:42'])
  })

  it('refuses a timestamp out of range', () => {
    expect(subjectsOf(page([event({ timestamp: -1e16, message: { mid: 'm' } })]), 'messenger')).toMatch(
      /timestamp/,
    )
  })
})
