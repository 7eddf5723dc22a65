import { describe, expect, it } from 'vitest'
import { UpstreamUnavailable } from '../../channels/upstream.js'
import { internalSendResult } from './internal-send.js'
import {
  keptResultJson,
  parseKeptResult,
  type Forwarded,
  type Refused,
  type SendResult,
} from './send-result.js'

const CHANNEL = { externalId: '106540352242922' }

const forwarded: Forwarded = {
  kind: 'forwarded',
  messageId: 'msg_1',
  decision: { allowed: true, reason: 'IN_CARE_WINDOW' },
  platform: 'whatsapp',
  traceId: 'job_1',
  upstream: { status: 200, body: '{"messages":[{"id":"wamid.1"}]}' },
  externalId: 'wamid.1',
}

const refused: Refused = {
  kind: 'refused',
  messageId: 'msg_2',
  decision: {
    allowed: false,
    reason: 'WINDOW_CLOSED',
    error: { code: 131047, subcode: null, title: 'Re-engagement message', details: 'closed' },
  },
  platform: 'whatsapp',
  traceId: 'job_2',
}

describe("an automation's send result", () => {
  it('is not taken when a throughput limit held it back, so its job tries again', () => {
    const throttled: SendResult = {
      kind: 'throttled',
      messageId: 'msg_9',
      decision: { allowed: true, reason: 'IN_CARE_WINDOW' },
      platform: 'whatsapp',
      traceId: 'job_9',
      limit: 'pair',
      retryAfterMs: 6_000,
    }
    expect(() => internalSendResult(throttled, CHANNEL)).toThrow(UpstreamUnavailable)
    expect(() => internalSendResult(throttled, CHANNEL)).toThrow(/pair rate limit/)
  })

  it('is allowed when Graph took the message, and when it may have (the key never sends it again)', () => {
    expect(internalSendResult(forwarded, CHANNEL)).toEqual({
      allowed: true,
      messageId: 'msg_1',
      reason: 'IN_CARE_WINDOW',
    })
    const { upstream: _upstream, externalId: _externalId, ...sent } = forwarded
    expect(internalSendResult({ ...sent, kind: 'outcome_unknown', problem: 'no answer' }, CHANNEL)).toEqual({
      allowed: true,
      messageId: 'msg_1',
      reason: 'IN_CARE_WINDOW',
    })
  })

  it("is refused with the decision's reason when carewindow refused it, and when Graph refused it", () => {
    expect(internalSendResult(refused, CHANNEL)).toEqual({
      allowed: false,
      messageId: 'msg_2',
      reason: 'WINDOW_CLOSED',
    })
    const graphRefused: SendResult = {
      ...forwarded,
      kind: 'upstream_refused',
      upstream: { status: 400, body: '{"error":{"code":131026}}' },
    }
    expect(internalSendResult(graphRefused, CHANNEL)).toMatchObject({ allowed: false, messageId: 'msg_1' })
  })

  it('throws when Graph did not take it — unreachable or rate-limiting — so the job runs again and sends', () => {
    const { upstream: _upstream, externalId: _externalId, ...sent } = forwarded
    expect(() =>
      internalSendResult({ ...sent, kind: 'upstream_failed', problem: 'Graph answered 503' }, CHANNEL),
    ).toThrow(UpstreamUnavailable)
    expect(() =>
      internalSendResult(
        { ...forwarded, kind: 'upstream_refused', upstream: { status: 429, body: '{}' } },
        CHANNEL,
      ),
    ).toThrow(UpstreamUnavailable)
  })

  it("reads a replay as the first run's result, kept and read back", () => {
    const first = parseKeptResult(keptResultJson(refused))
    expect(first).toEqual(refused)
    expect(internalSendResult({ kind: 'replayed', first }, CHANNEL)).toEqual({
      allowed: false,
      messageId: 'msg_2',
      reason: 'WINDOW_CLOSED',
    })
  })

  it('reads a reply kept before results were: Graph’s 2xx and the 504 of an unknown outcome went out, a 400 did not', () => {
    const earlier = (status: number) =>
      internalSendResult(
        {
          kind: 'replayed',
          first: { kind: 'earlier_reply', status, body: '{}', messageId: 'msg_3', reason: 'IN_CARE_WINDOW' },
        },
        CHANNEL,
      )
    expect([200, 504, 400].map((status) => earlier(status).allowed)).toEqual([true, true, false])
    expect(earlier(200)).toEqual({ allowed: true, messageId: 'msg_3', reason: 'IN_CARE_WINDOW' })
  })
})

describe('a kept send result', () => {
  it('refuses to read what it did not write', () => {
    expect(() => parseKeptResult('{"kind":"passed_on","upstream":{}}')).toThrow(/cannot read/)
    expect(() => parseKeptResult('{"kind":"refused"}')).toThrow(/cannot read/)
    expect(() => parseKeptResult('[1]')).toThrow(/cannot read/)
  })
})
