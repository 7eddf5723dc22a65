import { describe, expect, it } from 'vitest'
import type { Held, OutcomeUnknown, Refused, Throttled } from '../../gateway/send/send-result.js'
import { sendResultReply } from './send-reply.js'

const T0 = Date.parse('2024-03-02T10:00:00Z')

const refused: Refused = {
  kind: 'refused',
  messageId: 'msg_1',
  decision: {
    allowed: false,
    reason: 'NO_OPT_IN',
    error: { code: 131047, subcode: 2018278, title: 'Re-engagement message', details: 'closed' },
  },
  platform: 'messenger',
  traceId: 'req_1',
}

const unknown: OutcomeUnknown = {
  kind: 'outcome_unknown',
  messageId: 'msg_2',
  decision: { allowed: true, reason: 'HUMAN_AGENT', autoTagged: true },
  platform: 'whatsapp',
  traceId: 'req_2',
  problem: 'no answer within 10000 ms',
}

const throttled = (limit: Throttled['limit'], retryAfterMs: number): Throttled => ({
  kind: 'throttled',
  messageId: 'msg_3',
  decision: { allowed: true, reason: 'IN_CARE_WINDOW' },
  platform: 'whatsapp',
  traceId: 'req_3',
  limit,
  retryAfterMs,
})

describe("a send's reply", () => {
  it("answers a send above the number's rate with 429, Graph's 130429 and Retry-After in whole seconds", () => {
    const reply = sendResultReply(throttled('number', 1_200))
    expect([
      reply.status,
      reply.headers?.['retry-after'],
      reply.headers?.['x-carewindow-message-id'],
    ]).toEqual([429, '2', 'msg_3'])
    const { error } = JSON.parse(reply.body) as {
      error: { message: string; code: number; error_subcode: number; error_data: { details: string } }
    }
    expect([error.message, error.code, error.error_subcode]).toEqual([
      '(#130429) Rate limit hit',
      130429,
      2494055,
    ])
    expect(error.error_data.details).toMatch(/^Cloud API message throughput has been reached\./)
  })

  it("answers a send above one user's pair rate with 429 and Graph's 131056, Retry-After at least 1 s", () => {
    const reply = sendResultReply(throttled('pair', 3))
    const { error } = JSON.parse(reply.body) as { error: { code: number; error_subcode?: number } }
    expect([reply.status, reply.headers?.['retry-after'], error.code, error.error_subcode]).toEqual([
      429,
      '1',
      131056,
      undefined,
    ])
  })

  it("answers a refusal with 400 and the decision's error in Graph's envelope, with the message id and reason", () => {
    expect(sendResultReply(refused)).toEqual({
      status: 400,
      headers: { 'x-carewindow-message-id': 'msg_1', 'x-carewindow-decision': 'NO_OPT_IN' },
      body: JSON.stringify({
        error: {
          message: '(#131047) Re-engagement message',
          type: 'OAuthException',
          code: 131047,
          error_subcode: 2018278,
          error_data: { details: 'closed' },
          fbtrace_id: 'req_1',
        },
      }),
    })
  })

  it('answers an unknown outcome with 504 naming the message, the auto-tag header when it was sent as one', () => {
    const reply = sendResultReply(unknown)
    expect(reply.status).toBe(504)
    expect(reply.headers).toEqual({
      'x-carewindow-message-id': 'msg_2',
      'x-carewindow-decision': 'HUMAN_AGENT',
      'x-carewindow-auto-tag': 'HUMAN_AGENT',
    })
    const { error } = JSON.parse(reply.body) as {
      error: { code: number; error_data: { messaging_product: string; details: string }; fbtrace_id: string }
    }
    expect([error.code, error.error_data.messaging_product, error.fbtrace_id]).toEqual([
      2,
      'whatsapp',
      'req_2',
    ])
    expect(error.error_data.details).toMatch(/^message msg_2: no answer within 10000 ms\. Graph may/)
  })

  it('answers a held reply with 202, its hold id and when it expires', () => {
    const held: Held = {
      ...refused,
      kind: 'held',
      platform: 'whatsapp',
      hold: { id: 'hold_1', status: 'held', expiresAt: T0 },
    }
    const reply = sendResultReply(held)
    expect(reply.status).toBe(202)
    expect(reply.headers).toMatchObject({ 'x-carewindow-hold-id': 'hold_1' })
    expect(JSON.parse(reply.body)).toMatchObject({
      held: { id: 'hold_1', status: 'held', expires_at: '2024-03-02T10:00:00.000Z' },
      message_id: 'msg_1',
    })
  })

  it("passes Graph's answer on as Graph sent it, with the headers Graph passes on after carewindow's", () => {
    const upstream = { status: 429, body: '{"error":{"code":130429}}', headers: { 'retry-after': '7' } }
    const { problem: _problem, ...sent } = unknown
    expect(sendResultReply({ ...sent, kind: 'upstream_refused', upstream })).toEqual({
      status: 429,
      headers: {
        'x-carewindow-message-id': 'msg_2',
        'x-carewindow-decision': 'HUMAN_AGENT',
        'x-carewindow-auto-tag': 'HUMAN_AGENT',
        'retry-after': '7',
      },
      body: upstream.body,
    })
  })

  it("answers a replay with the first answer's status and body, marked replayed, with its message id and reason", () => {
    const first = sendResultReply(refused)
    expect(sendResultReply({ kind: 'replayed', first: refused })).toEqual({
      status: first.status,
      body: first.body,
      headers: {
        'idempotent-replayed': 'true',
        'x-carewindow-message-id': 'msg_1',
        'x-carewindow-decision': 'NO_OPT_IN',
      },
    })
  })

  it('answers a replay of a reply kept before results were as it was kept', () => {
    const reply = sendResultReply({
      kind: 'replayed',
      first: { kind: 'earlier_reply', status: 200, body: '{"kept":true}', messageId: null, reason: null },
    })
    expect(reply).toEqual({ status: 200, body: '{"kept":true}', headers: { 'idempotent-replayed': 'true' } })
  })
})
