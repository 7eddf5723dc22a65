import { describe, expect, it } from 'vitest'
import { messengerIntent, parseMessengerSend } from './send-body.js'

const PSID = '2487329847239847'

describe('parseMessengerSend', () => {
  it("reads Meta's JSON body as a message to the PSID", () => {
    expect(
      parseMessengerSend({
        recipient: { id: PSID },
        messaging_type: 'RESPONSE',
        message: { text: 'hello, world' },
      }),
    ).toEqual({
      ok: true,
      value: { kind: 'message', recipientId: PSID, messagingType: 'RESPONSE', tag: null },
    })
  })

  it('keeps the tag of a MESSAGE_TAG message', () => {
    const parsed = parseMessengerSend({
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { attachment: { type: 'image', payload: { url: 'https://example.com/a.png' } } },
    })
    expect(parsed).toEqual({
      ok: true,
      value: { kind: 'message', recipientId: PSID, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    })
  })

  it('accepts a numeric recipient id and keys it as a string', () => {
    const parsed = parseMessengerSend({
      recipient: { id: 2487329847239847 },
      messaging_type: 'UPDATE',
      message: { text: 'hi' },
    })
    expect(parsed.ok && parsed.value.recipientId).toBe(PSID)
  })

  it.each(['typing_on', 'typing_off', 'mark_seen'])(
    'reads the sender action %s, which needs no messaging_type',
    (action) => {
      expect(parseMessengerSend({ recipient: { id: PSID }, sender_action: action })).toEqual({
        ok: true,
        value: { kind: 'sender_action', recipientId: PSID, action },
      })
    },
  )

  it.each([
    [
      'without messaging_type',
      { recipient: { id: PSID }, message: { text: 'hi' } },
      '"messaging_type" is required',
    ],
    [
      'with an unknown messaging_type',
      { recipient: { id: PSID }, messaging_type: 'NON_PROMOTIONAL_SUBSCRIPTION', message: { text: 'hi' } },
      'messaging_type',
    ],
    [
      'without message or sender_action',
      { recipient: { id: PSID }, messaging_type: 'RESPONSE' },
      '"message"',
    ],
    ['without recipient', { messaging_type: 'RESPONSE', message: { text: 'hi' } }, 'recipient'],
    [
      'with a recipient that is a string',
      { recipient: PSID, messaging_type: 'RESPONSE', message: {} },
      'recipient',
    ],
    [
      'with a recipient without id',
      { recipient: {}, messaging_type: 'RESPONSE', message: {} },
      'recipient.id',
    ],
    [
      'with an empty recipient id',
      { recipient: { id: '' }, messaging_type: 'RESPONSE', message: {} },
      'recipient.id',
    ],
    [
      'with a numeric recipient id too large to be exact',
      { recipient: { id: Number.MAX_SAFE_INTEGER + 2 }, messaging_type: 'RESPONSE', message: {} },
      'recipient.id',
    ],
    ['with an unknown sender action', { recipient: { id: PSID }, sender_action: 'wave' }, 'sender_action'],
    [
      'with a recipient id of 10,000 characters (longer than any index should hold)',
      { recipient: { id: '7'.repeat(10_000) }, messaging_type: 'RESPONSE', message: { text: 'hi' } },
      'recipient.id is a page-scoped id (PSID) of at most 64 characters',
    ],
  ])('rejects a body %s with code 100 naming the field', (_name, body, field) => {
    const parsed = parseMessengerSend(body)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.problem.code).toBe(100)
    expect(parsed.problem.details).toContain(field)
  })
})

describe('messengerIntent', () => {
  it('turns a parsed message into the intent decide judges, with who sends it', () => {
    const parsed = parseMessengerSend({
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Anna here' },
    })
    if (!parsed.ok || parsed.value.kind !== 'message') throw new Error('expected a message')
    expect(messengerIntent(parsed.value, 'agent')).toEqual({
      platform: 'messenger',
      kind: 'message',
      messagingType: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      sender: 'agent',
    })
  })

  it('carries a null tag for messages without one', () => {
    expect(
      messengerIntent({ kind: 'message', recipientId: PSID, messagingType: 'RESPONSE', tag: null }, 'bot'),
    ).toEqual({ platform: 'messenger', kind: 'message', messagingType: 'RESPONSE', tag: null, sender: 'bot' })
  })
})
