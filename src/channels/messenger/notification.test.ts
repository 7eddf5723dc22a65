import { describe, expect, it } from 'vitest'
import { parseMessengerNotification, type MessengerNotificationParse } from './notification.js'

const PAGE_ID = '682498302938465'
const PSID = '1254477777772919'
const AT = 1_458_692_752_478

/** Meta's text message event with a quick reply (reference §5.6), exactly as documented. */
const META_TEXT_EVENT = JSON.parse(`{
  "sender":{
    "id":"<PSID>"
  },
  "recipient":{
    "id":"<PAGE_ID>"
  },
  "timestamp":1458692752478,
  "message":{
    "mid":"mid.1457764197618:41d102a3e1ae206a38",
    "text":"hello, world!",
    "quick_reply": {
      "payload": "<DEVELOPER_DEFINED_PAYLOAD>"
    }
  }
}`) as Record<string, unknown>

/** Meta's entry with an attachment (reference §5.6), exactly as documented. */
const META_ATTACHMENT_ENTRY = JSON.parse(`{
  "id": "682498302938465",
  "time": 1518479195594,
  "messaging": [
    {
      "sender": {
        "id": "<PSID>"
      },
      "recipient": {
        "id": "<PAGE_ID>"
      },
      "timestamp": 1518479195308,
      "message": {
        "mid": "mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c",
        "attachments": [
          {
            "type": "<image|video|audio|file>",
            "payload": {
              "url": "<ATTACHMENT_URL>"
            }
          }
        ]
      }
    }
  ]
}`) as Record<string, unknown>

function notification(events: readonly object[], field: 'messaging' | 'standby' = 'messaging'): unknown {
  return { object: 'page', entry: [{ id: PAGE_ID, time: AT + 1_000, [field]: events }] }
}

function event(body: Record<string, unknown>, at = AT): Record<string, unknown> {
  return { sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: at, ...body }
}

function parsed(body: unknown): Extract<MessengerNotificationParse, { ok: true }> {
  const result = parseMessengerNotification(body)
  if (!result.ok) throw new Error(`expected a notification: ${result.problem}`)
  return result
}

describe('parseMessengerNotification', () => {
  it("reads Meta's text message example with a quick reply as a user message that opens the window", () => {
    const result = parsed(notification([META_TEXT_EVENT]))

    expect(result).toEqual({
      ok: true,
      changes: [
        {
          kind: 'inbound',
          pageId: '<PAGE_ID>',
          psid: '<PSID>',
          eventId: 'mid.1457764197618:41d102a3e1ae206a38',
          at: 1_458_692_752_478,
          type: 'message',
          text: 'hello, world!',
          referralSource: undefined,
          event: META_TEXT_EVENT,
        },
      ],
      skipped: [],
      pageIds: [PAGE_ID],
    })
  })

  it("reads Meta's entry with an attachment as a user message without text, at the event's own timestamp", () => {
    const result = parsed({ object: 'page', entry: [META_ATTACHMENT_ENTRY] })

    expect(result.changes).toEqual([
      expect.objectContaining({
        kind: 'inbound',
        pageId: '<PAGE_ID>',
        psid: '<PSID>',
        eventId: 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c',
        at: 1_518_479_195_308,
        type: 'message',
        text: null,
      }),
    ])
    expect(result.pageIds).toEqual(['682498302938465'])
  })

  it('takes the Page id from the entry when an event has no recipient', () => {
    const result = parsed(
      notification([{ sender: { id: PSID }, timestamp: AT, message: { mid: 'm_1', text: 'hi' } }]),
    )

    expect(result.changes[0]).toMatchObject({ pageId: PAGE_ID, psid: PSID })
  })

  it('reads numeric ids as strings, as PSIDs and Page ids are keyed', () => {
    const result = parsed({
      object: 'page',
      entry: [
        {
          id: 682498302938465,
          messaging: [
            { sender: { id: 1254477777772919 }, timestamp: AT, message: { mid: 'm_2', text: 'hi' } },
          ],
        },
      ],
    })

    expect(result.changes[0]).toMatchObject({ pageId: PAGE_ID, psid: PSID })
    expect(result.pageIds).toEqual([PAGE_ID])
  })

  it('reads a postback (a button or Get Started) as a user action titled by its button, keyed by its mid', () => {
    const result = parsed(
      notification([
        event({ postback: { title: 'Get Started', payload: 'GET_STARTED', mid: 'm_postback_1' } }),
      ]),
    )

    expect(result.changes).toEqual([
      expect.objectContaining({ type: 'postback', text: 'Get Started', eventId: 'm_postback_1', at: AT }),
    ])
  })

  it('keeps the source of the referral a postback from an ad carries', () => {
    const result = parsed(
      notification([
        event({
          postback: {
            title: 'Get Started',
            payload: 'GET_STARTED',
            referral: { ref: 'summer', source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433' },
          },
        }),
      ]),
    )

    expect(result.changes[0]).toMatchObject({ type: 'postback', referralSource: 'ADS' })
  })

  it('reads a reaction as a user action, and a reaction taken back as none', () => {
    const reaction = (action: string) =>
      event({ reaction: { reaction: 'love', emoji: '❤', action, mid: 'm_page_message' } })

    const result = parsed(notification([reaction('react'), reaction('unreact')]))

    expect(result.changes).toEqual([
      expect.objectContaining({ kind: 'inbound', type: 'reaction', text: null }),
    ])
    expect(result.skipped).toEqual(['unreact (no window effect)'])
  })

  it('gives two reactions to the same message ids of their own, since the mid names the message reacted to', () => {
    const reaction = (at: number, kind: string) =>
      event({ reaction: { reaction: kind, action: 'react', mid: 'm_page_message' } }, at)

    const result = parsed(notification([reaction(AT, 'love'), reaction(AT + 86_400_000, 'like')]))

    const ids = result.changes.map((change) => (change.kind === 'inbound' ? change.eventId : null))
    expect(ids).toEqual([`reaction:${PSID}:${AT}`, `reaction:${PSID}:${AT + 86_400_000}`])
  })

  it('reads a referral from a click-to-Messenger ad with its source ADS', () => {
    const result = parsed(
      notification([
        event({ referral: { ref: 'summer', ad_id: '6045246247433', source: 'ADS', type: 'OPEN_THREAD' } }),
      ]),
    )

    expect(result.changes).toEqual([
      expect.objectContaining({
        type: 'referral',
        referralSource: 'ADS',
        eventId: `referral:${PSID}:${AT}`,
        text: null,
      }),
    ])
  })

  it('keeps the referral source of a first message sent from an ad', () => {
    const result = parsed(
      notification([
        event({ message: { mid: 'm_3', text: 'Is this still available?', referral: { source: 'ADS' } } }),
      ]),
    )

    expect(result.changes[0]).toMatchObject({ type: 'message', referralSource: 'ADS' })
  })

  it('reads an opt-in as a user action', () => {
    const result = parsed(notification([event({ optin: { ref: 'checkout', user_ref: 'u_1' } })]))

    expect(result.changes).toEqual([
      expect.objectContaining({ type: 'optin', eventId: `optin:${PSID}:${AT}` }),
    ])
  })

  it('reads a delivery with the mids it confirms, and one without mids as confirming none', () => {
    const result = parsed(
      notification([
        event({ delivery: { mids: ['m_a', 'm_b', 7, null], watermark: AT } }),
        event({ delivery: { watermark: AT } }),
      ]),
    )

    expect(result.changes).toEqual([
      { kind: 'delivery', pageId: PAGE_ID, psid: PSID, mids: ['m_a', 'm_b', '7'], at: AT },
      { kind: 'delivery', pageId: PAGE_ID, psid: PSID, mids: [], at: AT },
    ])
  })

  it('skips a read receipt and an echo of the Page’s own message, which never open the window, but names their Page', () => {
    const result = parsed(
      notification([
        event({ read: { watermark: AT } }),
        {
          sender: { id: PAGE_ID },
          recipient: { id: PSID },
          timestamp: AT,
          message: { is_echo: true, app_id: 1517776481860111, mid: 'm_echo', text: 'Thanks!' },
        },
      ]),
    )

    expect(result.changes).toEqual([])
    expect(result.skipped).toEqual(['read receipt (no window effect)', 'echo of the Page’s own message'])
    expect(result.pageIds).toEqual([PAGE_ID])
  })

  it('reads standby events (another app holds the thread) like messaging events', () => {
    const result = parsed(notification([event({ message: { mid: 'm_standby', text: 'hello?' } })], 'standby'))

    expect(result.changes).toEqual([expect.objectContaining({ type: 'message', eventId: 'm_standby' })])
  })

  it('reads events of several entries and Pages in order', () => {
    const result = parsed({
      object: 'page',
      entry: [
        { id: PAGE_ID, messaging: [event({ message: { mid: 'm_a', text: 'a' } })] },
        {
          id: '105029375683429',
          messaging: [
            { ...event({ message: { mid: 'm_b', text: 'b' } }), recipient: { id: '105029375683429' } },
          ],
        },
      ],
    })

    expect(result.changes.map((change) => change.pageId)).toEqual([PAGE_ID, '105029375683429'])
    expect(result.pageIds).toEqual([PAGE_ID, '105029375683429'])
  })

  it.each([
    ['without a sender', { recipient: { id: PAGE_ID }, timestamp: AT, message: { mid: 'm', text: 'x' } }],
    [
      'without a timestamp',
      { sender: { id: PSID }, recipient: { id: PAGE_ID }, message: { mid: 'm', text: 'x' } },
    ],
    ['with an empty sender id', { sender: { id: '' }, timestamp: AT, message: { mid: 'm', text: 'x' } }],
  ])('skips an event %s', (_, body) => {
    const result = parsed(notification([body]))

    expect(result.changes).toEqual([])
    expect(result.skipped).toEqual(['event without sender.id or timestamp'])
  })

  it('skips events with no Page id at all', () => {
    const result = parsed({
      object: 'page',
      entry: [
        {
          messaging: [
            { sender: { id: PSID }, timestamp: AT, message: { mid: 'm', text: 'x' } },
            { sender: { id: PSID }, timestamp: AT, postback: { title: 'Go' } },
          ],
        },
      ],
    })

    expect(result.skipped).toEqual(['message without a Page id', 'event without a Page id'])
    expect(result.pageIds).toEqual([])
  })

  it('skips events it does not act on, such as a handover', () => {
    const result = parsed(notification([event({ pass_thread_control: { new_owner_app_id: '123' } })]))

    expect(result.skipped).toEqual(['event carewindow does not act on'])
  })

  it.each([
    ['a WhatsApp notification', { object: 'whatsapp_business_account', entry: [] }],
    ['no entry list', { object: 'page' }],
    ['entries that are not objects', { object: 'page', entry: ['x'] }],
    ['events that are not objects', { object: 'page', entry: [{ id: PAGE_ID, messaging: [1] }] }],
    ['not an object', 'page'],
  ])('refuses %s', (_, body) => {
    expect(parseMessengerNotification(body).ok).toBe(false)
  })

  it('says why it refused a notification for another object', () => {
    expect(parseMessengerNotification({ object: 'instagram', entry: [] })).toEqual({
      ok: false,
      problem: 'object: object must be "page"',
    })
  })

  it.each([
    [
      'a timestamp in a string',
      { sender: { id: PSID }, timestamp: String(AT), message: { mid: 'm' } },
      /entry\[0\]\.messaging\[0\]\.timestamp: expected milliseconds since 1970 as a whole number/,
    ],
    [
      'a timestamp of −1e16',
      { sender: { id: PSID }, timestamp: -1e16, message: { mid: 'm' } },
      /timestamp: the timestamp must be between 2000-01-01T00:00:00\.000Z and 2100-01-01T00:00:00\.000Z/,
    ],
    [
      'a timestamp in the year 2100',
      { sender: { id: PSID }, timestamp: Date.UTC(2100, 0, 1), message: { mid: 'm' } },
      /the timestamp must be between/,
    ],
    [
      'a sender id of 10,000 characters',
      { sender: { id: '1'.repeat(10_000) }, timestamp: AT, message: { mid: 'm' } },
      /sender\.id: it has 10000 characters; at most 64 are accepted/,
    ],
    [
      'a mid of 300 characters',
      { sender: { id: PSID }, timestamp: AT, message: { mid: 'm'.repeat(300) } },
      /message\.mid: it has 300 characters; at most 256 are accepted/,
    ],
    [
      'a sender id that is an object',
      { sender: { id: { $gt: '' } }, timestamp: AT, message: { mid: 'm' } },
      /sender\.id: expected a string, got an object/,
    ],
  ])('refuses a notification with %s, saying where', (_, body, problem) => {
    const result = parseMessengerNotification(notification([body]))

    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.problem).toMatch(problem)
  })

  it('accepts the earliest instant it takes and refuses the millisecond before it', () => {
    const at = (timestamp: number) =>
      parseMessengerNotification(notification([{ sender: { id: PSID }, timestamp, message: { mid: 'm' } }]))
        .ok

    expect(at(Date.UTC(2000, 0, 1))).toBe(true)
    expect(at(Date.UTC(2000, 0, 1) - 1)).toBe(false)
  })

  it('refuses a notification with more than 1,000 changes', () => {
    const events = (count: number) =>
      Array.from({ length: count }, (_, index) => event({ message: { mid: `m_${index}`, text: 'x' } }))

    expect(parseMessengerNotification(notification(events(1_000))).ok).toBe(true)
    const result = parseMessengerNotification(notification(events(1_001)))
    expect(result.ok ? '' : result.problem).toMatch(/at most 1000 changes/)
  })
})
