import { describe, expect, it } from 'vitest'
import { parseWhatsAppNotification } from './notification.js'

const PHONE_NUMBER_ID = '106540352242922'
const AT_SECONDS = 1_712_345_678

function notification(value: Record<string, unknown>, field = 'messages'): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { phone_number_id: PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  }
}

const message = (fields: Record<string, unknown> = {}) => ({
  from: '16315551234',
  id: 'wamid.ID',
  timestamp: String(AT_SECONDS),
  type: 'text',
  text: { body: 'Hi' },
  ...fields,
})

const problemOf = (body: unknown): string => {
  const parsed = parseWhatsAppNotification(body)
  return parsed.ok ? '(accepted)' : parsed.problem
}

describe('parseWhatsAppNotification', () => {
  it('reads an inbound message with its contact normalised and its instant in milliseconds', () => {
    const parsed = parseWhatsAppNotification(
      notification({ messages: [message({ from: '+1 631-555-1234' })] }),
    )

    expect(parsed).toMatchObject({
      ok: true,
      changes: [{ kind: 'message', contact: '16315551234', messageId: 'wamid.ID', at: AT_SECONDS * 1000 }],
    })
  })

  it.each([
    ['a wa_id as Meta sends it', '31612345678', '31612345678'],
    ['a + and the trunk 0 after the country code', '+31 06 12345678', '31612345678'],
    ['the 00 international prefix', '0031 6 1234 5678', '31612345678'],
    ['a Mexican mobile number as WhatsApp writes it', '5215512345678', '5215512345678'],
    ['a business-scoped user id', 'US.13491208655302741918', 'US.13491208655302741918'],
    ['a number carewindow cannot read, kept as Meta wrote it', '+999 123-456', '999123456'],
    ['an id with letters, kept as Meta wrote it', ' 48XXXXXXXXX ', '48XXXXXXXXX'],
  ])('keys the sender of %s as the proxy keys "to", and its profile name with it', (_, from, contact) => {
    const parsed = parseWhatsAppNotification(
      notification({
        contacts: [{ profile: { name: 'Sanne' }, wa_id: from }],
        messages: [message({ from })],
      }),
    )
    expect(parsed).toMatchObject({ ok: true, changes: [{ kind: 'message', contact, profileName: 'Sanne' }] })
  })

  it('keys a status’s recipient and a user preference’s contact the same way', () => {
    const statuses = parseWhatsAppNotification(
      notification({
        statuses: [
          { id: 'wamid.X', status: 'sent', timestamp: String(AT_SECONDS), recipient_id: '+31 06 12345678' },
        ],
      }),
    )
    expect(statuses).toMatchObject({ ok: true, changes: [{ kind: 'status', recipient: '31612345678' }] })
    const preferences = parseWhatsAppNotification(
      notification(
        { user_preferences: [{ wa_id: '0031 6 1234 5678', value: 'stop', timestamp: String(AT_SECONDS) }] },
        'user_preferences',
      ),
    )
    expect(preferences).toMatchObject({
      ok: true,
      changes: [{ kind: 'user_preference', contact: '31612345678' }],
    })
  })

  it.each([
    ['"entry" that is a string', { object: 'whatsapp_business_account', entry: 'x' }, /^entry: /],
    ['no "entry"', { object: 'whatsapp_business_account' }, /^entry: /],
    [
      'changes that are not a list',
      { object: 'whatsapp_business_account', entry: [{ changes: {} }] },
      /changes/,
    ],
    ['another "object"', { object: 'page', entry: [] }, /object must be "whatsapp_business_account"/],
    [
      'a wa_id of 10,000 characters',
      notification({ messages: [message({ from: '3'.repeat(10_000) })] }),
      /messages\[0\]\.from: it has 10000 characters; at most 64 are accepted/,
    ],
    [
      'a message id of 300 characters',
      notification({ messages: [message({ id: 'w'.repeat(300) })] }),
      /messages\[0\]\.id: it has 300 characters; at most 256 are accepted/,
    ],
    [
      'a phone_number_id of 100 characters',
      notification({ metadata: { phone_number_id: '1'.repeat(100) }, messages: [message()] }),
      /metadata\.phone_number_id: it has 100 characters/,
    ],
    [
      'a timestamp in the year 5138',
      notification({ messages: [message({ timestamp: '99999999999' })] }),
      /messages\[0\]\.timestamp: the timestamp must be between 2000-01-01/,
    ],
    [
      'a negative timestamp',
      notification({ messages: [message({ timestamp: -1e13 })] }),
      /the timestamp must be between/,
    ],
    [
      'a timestamp that is not a time',
      notification({ messages: [message({ timestamp: 'yesterday' })] }),
      /messages\[0\]\.timestamp: expected Unix seconds/,
    ],
    [
      'a "from" that is an object',
      notification({ messages: [message({ from: { $ne: null } })] }),
      /messages\[0\]\.from: expected a string, got an object/,
    ],
    [
      'a "from" made only of spaces and a plus',
      notification({ messages: [message({ from: ' + ' })] }),
      /messages\[0\]\.from: a contact id has at least one letter or digit/,
    ],
    [
      'a status timestamp out of range',
      notification({ statuses: [{ id: 'wamid.X', status: 'sent', timestamp: '1', recipient_id: '1' }] }),
      /statuses\[0\]\.timestamp: the timestamp must be between/,
    ],
    [
      'a user preference for a wa_id of 100 characters',
      notification(
        { user_preferences: [{ wa_id: '1'.repeat(100), value: 'stop', timestamp: String(AT_SECONDS) }] },
        'user_preferences',
      ),
      /user_preferences\[0\]\.wa_id: it has 100 characters/,
    ],
    [
      'a template name of 600 characters',
      notification(
        { message_template_name: 't'.repeat(600), message_template_language: 'en', event: 'APPROVED' },
        'message_template_status_update',
      ),
      /message_template_name: it has 600 characters; at most 512/,
    ],
  ])('refuses a notification with %s, saying where', (_, body, problem) => {
    expect(problemOf(body)).toMatch(problem)
  })

  it('accepts a timestamp at the start of 2000 and refuses the second before it', () => {
    const at = (seconds: number) =>
      parseWhatsAppNotification(notification({ messages: [message({ timestamp: String(seconds) })] })).ok

    expect(at(Date.UTC(2000, 0, 1) / 1000)).toBe(true)
    expect(at(Date.UTC(2000, 0, 1) / 1000 - 1)).toBe(false)
  })

  it('skips, without refusing, items that lack what carewindow acts on, and fields it does not act on', () => {
    const parsed = parseWhatsAppNotification({
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            {
              field: 'messages',
              value: { metadata: { phone_number_id: PHONE_NUMBER_ID }, messages: [{ id: 'x' }] },
            },
            { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
          ],
        },
      ],
    })

    expect(parsed).toEqual({
      ok: true,
      changes: [],
      skipped: [
        'message x without from, id or timestamp',
        'field account_update is relayed but not acted on',
      ],
    })
  })

  it('refuses a notification with more than 1,000 changes, and takes one with 1,000', () => {
    const messages = (count: number) =>
      Array.from({ length: count }, (_, index) => message({ id: `wamid.${index}` }))

    expect(parseWhatsAppNotification(notification({ messages: messages(1_000) })).ok).toBe(true)
    expect(problemOf(notification({ messages: messages(1_001) }))).toMatch(/at most 1000 changes/)
  })

  it('lists at most ten problems, however many items are wrong', () => {
    const messages = Array.from({ length: 500 }, (_, index) =>
      message({ id: `wamid.${index}`, timestamp: '1' }),
    )

    expect(problemOf(notification({ messages })).split('; ')).toHaveLength(10)
  })
})
