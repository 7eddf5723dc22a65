import type { Platform } from '../../domain/index.js'
import type { Clock } from '../../shared/clock.js'
import type { IdempotencyClaim, KeyOutcome, MessageOutcome, MessageOutcomes } from './message-outcomes.js'
import { UpstreamOutcomeUnknown, UpstreamUnavailable, type UpstreamReply } from '../../channels/upstream.js'
import type {
  AllowedSendDecision,
  Forwarded,
  OutcomeUnknown,
  UpstreamFailed,
  UpstreamRefused,
} from './send-result.js'

export interface ForwardingDependencies {
  readonly outcomes: MessageOutcomes
  readonly clock: Clock
}

/** A recorded, allowed message about to be forwarded. */
export interface ForwardedMessage {
  readonly messageId: string
  readonly decision: AllowedSendDecision
  readonly platform: Platform
  readonly traceId: string
  /** The Idempotency-Key it was sent under: its result is kept (or the key let go) with the message's outcome. */
  readonly idempotency: IdempotencyClaim | null
  /** Graph's id of the message in its success body (`wamid`, Messenger's `message_id`), or `null`. */
  readonly externalIdOf: (body: string) => string | null
}

/** What came of forwarding an allowed message. */
export type ForwardResult = Forwarded | UpstreamRefused | UpstreamFailed | OutcomeUnknown

/**
 * Forwards an allowed, recorded message and records what came of it, with what becomes of its Idempotency-Key:
 *
 * - Graph took it (2xx with its id): `accepted`, forwarded, and the key keeps the result;
 * - Graph refused it (4xx): `failed` with Graph's error, passed on as it is, and kept;
 * - Graph is rate-limiting (429): `failed`, passed on with its `Retry-After`, and the key let go — a retry may send;
 * - Graph could not be reached, or answered 5xx after the retries: `failed`, and the key let go;
 * - no usable answer came (a timeout, a reset after the request went out, a 2xx carewindow cannot read): Graph may
 *   have taken it — `unknown`, and the key keeps that result: it never sends again.
 *
 * A `failed` message was not sent, so Meta does not bill it: its price is cleared, as a throttled one's (cost reports
 * count it without a price). An `unknown` one keeps its price: it may have gone out.
 *
 * When the database cannot take the outcome, the client still learns what Graph said, and the outcome is written
 * once the database answers again (see {@link MessageOutcomes.writeLater}).
 */
export async function forwardAndRecord(
  deps: ForwardingDependencies,
  message: ForwardedMessage,
  send: () => Promise<UpstreamReply>,
): Promise<ForwardResult> {
  const { result, patch, key } = await settle(message, send)
  const outcome: MessageOutcome = {
    id: message.messageId,
    patch: { statusAt: deps.clock(), ...patch },
    ...(message.idempotency === null ? {} : { key: { claim: message.idempotency, outcome: key } }),
  }
  try {
    await deps.outcomes.write(outcome)
  } catch {
    deps.outcomes.writeLater(outcome)
  }
  return result
}

interface Settled {
  readonly result: ForwardResult
  readonly patch: MessageOutcome['patch']
  readonly key: KeyOutcome
}

async function settle(message: ForwardedMessage, send: () => Promise<UpstreamReply>): Promise<Settled> {
  const sent = {
    messageId: message.messageId,
    decision: message.decision,
    platform: message.platform,
    traceId: message.traceId,
  }
  const unknown = (problem: string): Settled => {
    const result: OutcomeUnknown = { ...sent, kind: 'outcome_unknown', problem }
    return {
      result,
      patch: { status: 'unknown', errorJson: JSON.stringify({ upstream: problem }) },
      key: { kind: 'complete', result },
    }
  }
  let answer: UpstreamReply
  try {
    answer = await send()
  } catch (error) {
    if (error instanceof UpstreamOutcomeUnknown) return unknown(error.message)
    if (!(error instanceof UpstreamUnavailable)) throw error
    return {
      result: { ...sent, kind: 'upstream_failed', problem: error.message },
      patch: { status: 'failed', errorJson: JSON.stringify({ upstream: error.message }), priceMicros: null },
      key: { kind: 'release' },
    }
  }
  if (answer.status >= 200 && answer.status < 300) {
    const externalId = message.externalIdOf(answer.body)
    if (externalId === null)
      return unknown(
        `Graph answered ${answer.status} without a message id carewindow could read (${preview(answer.body)})`,
      )
    const result: Forwarded = { ...sent, kind: 'forwarded', upstream: answer, externalId }
    return { result, patch: { status: 'accepted', externalId }, key: { kind: 'complete', result } }
  }
  const result: UpstreamRefused = { ...sent, kind: 'upstream_refused', upstream: answer }
  return {
    result,
    patch: { status: 'failed', errorJson: answer.body, priceMicros: null },
    // A 429 is Graph saying "not now", not a verdict on the message: a retry with the key may send it.
    key: answer.status === 429 ? { kind: 'release' } : { kind: 'complete', result },
  }
}

/** The start of a body, for messages: enough to recognise an HTML error page or a proxy's text. */
function preview(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim()
  return text === '' ? 'an empty body' : `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`
}
