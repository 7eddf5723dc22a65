import { UpstreamUnavailable } from '../../channels/upstream.js'
import type { ChannelRecord } from '../../store/store.js'
import type { InternalSendResult } from '../automations/automations.js'
import type { EarlierReply, SendResult } from './send-result.js'

/**
 * What a message carewindow sent itself came to, from its send's result. Throws {@link UpstreamUnavailable} when
 * Graph did not take it (unreachable, rate-limiting): the job fails and is tried again when its lease ends — its
 * Idempotency-Key was let go, so the next try sends.
 */
export function internalSendResult(
  result: SendResult,
  channel: Pick<ChannelRecord, 'externalId'>,
): InternalSendResult {
  switch (result.kind) {
    case 'replayed':
      return result.first.kind === 'earlier_reply'
        ? earlierReplyResult(result.first)
        : internalSendResult(result.first, channel)
    // Graph may have taken an `outcome_unknown` and never said: the key keeps that result, so trying again could
    // only replay it — the job is done, as a send that went out would be.
    case 'forwarded':
    case 'outcome_unknown':
      return { allowed: true, messageId: result.messageId, reason: result.decision.reason }
    case 'refused':
    case 'held':
      return { allowed: false, messageId: result.messageId, reason: result.decision.reason }
    case 'upstream_refused':
      if (result.upstream.status === 429) throw notTaken(channel, `Graph answered ${result.upstream.status}`)
      return { allowed: false, messageId: result.messageId, reason: result.decision.reason }
    case 'upstream_failed':
      throw notTaken(channel, result.problem)
    // Held to the number's throughput like any send: the job tries again when its lease ends.
    case 'throttled':
      throw notTaken(channel, `the ${result.limit} rate limit was reached`)
    case 'passed_on':
      throw new Error(`an automation's message to ${channel.externalId} is not a message`)
  }
}

function notTaken(channel: Pick<ChannelRecord, 'externalId'>, why: string): UpstreamUnavailable {
  return new UpstreamUnavailable(
    `the automation's message to ${channel.externalId} was not taken (${why}); it will be tried again`,
  )
}

/**
 * A key answered before results were kept holds the reply as it was sent: Graph's 2xx, or the 504 of an outcome
 * never known, went out (as far as anyone can tell); a 4xx was a refusal. Nothing else was ever kept.
 */
function earlierReplyResult(reply: EarlierReply): InternalSendResult {
  return {
    allowed: (reply.status >= 200 && reply.status < 300) || reply.status === 504,
    messageId: reply.messageId,
    reason: reply.reason,
  }
}
