import type {
  AllowedDecision,
  AllowReason,
  GraphError,
  Instant,
  Platform,
  RefusalReason,
  RefusedDecision,
} from '../../domain/index.js'
import type { UpstreamReply } from '../../channels/upstream.js'
import type { HoldStatus } from '../../store/store.js'

/** The decision a send was made under, as far as its answer tells it (the message's record keeps all of it). */
export type SendDecision = AllowedSendDecision | RefusedSendDecision

export interface AllowedSendDecision {
  readonly allowed: true
  readonly reason: AllowReason
  /** Messenger: the request went out as `MESSAGE_TAG` / `HUMAN_AGENT` (see `AllowedDecision.autoTagged`). */
  readonly autoTagged?: true
}

export interface RefusedSendDecision {
  readonly allowed: false
  readonly reason: RefusalReason
  /** The error Graph answers such a message with: the refusal is answered with it. */
  readonly error: GraphError
}

/** What every result of a decided (and recorded) message carries. */
interface DecidedSend<D extends SendDecision> {
  /** carewindow's id of the recorded message. */
  readonly messageId: string
  readonly decision: D
  readonly platform: Platform
  /** The request's trace id: `fbtrace_id` of the errors carewindow answers itself. */
  readonly traceId: string
}

/** carewindow refused the message; nothing went upstream, and `message.refused` was announced. */
export interface Refused extends DecidedSend<RefusedSendDecision> {
  readonly kind: 'refused'
}

/** Refused for a closed window, the message is held instead, and goes out when the customer writes. */
export interface Held extends DecidedSend<RefusedSendDecision> {
  readonly kind: 'held'
  readonly hold: { readonly id: string; readonly status: HoldStatus; readonly expiresAt: Instant }
}

/** Graph took the message: its answer, as it sent it, with the id it gave the message. */
export interface Forwarded extends DecidedSend<AllowedSendDecision> {
  readonly kind: 'forwarded'
  readonly upstream: UpstreamReply
  /** Graph's id of the message (`wamid`, Messenger's `message_id`). */
  readonly externalId: string
}

/** Graph answered, and did not take the message (a 4xx, its 429 among them): its answer, as it sent it. */
export interface UpstreamRefused extends DecidedSend<AllowedSendDecision> {
  readonly kind: 'upstream_refused'
  readonly upstream: UpstreamReply
}

/**
 * Allowed, but above one of the channel's throughput limits (`settings.rate`): not forwarded, not billed (the
 * message is recorded `throttled`), and its Idempotency-Key let go, so a retry after `retryAfterMs` may send.
 */
export interface Throttled extends DecidedSend<AllowedSendDecision> {
  readonly kind: 'throttled'
  /** `number`: the number's messages per second (Graph's 130429); `pair`: one user's (131056). */
  readonly limit: ThroughputLimit
  /** When a send would fit again (ms). */
  readonly retryAfterMs: number
}

/** The throughput limits a send may be held to. */
export type ThroughputLimit = 'number' | 'pair'

/** Graph could not be reached, or answered 5xx after the retries: the message was not sent. */
export interface UpstreamFailed extends DecidedSend<AllowedSendDecision> {
  readonly kind: 'upstream_failed'
  /** What went wrong, for the client. */
  readonly problem: string
}

/** Graph may or may not have taken the message: it is never sent again under its Idempotency-Key. */
export interface OutcomeUnknown extends DecidedSend<AllowedSendDecision> {
  readonly kind: 'outcome_unknown'
  /** Why the outcome is unknown, for the client. */
  readonly problem: string
}

/** Not a message (a read receipt, a sender action): nothing to decide, passed on, Graph's answer as it sent it. */
export interface PassedOn {
  readonly kind: 'passed_on'
  readonly upstream: UpstreamReply
}

/** The first request's result, answered again to a repeat with its Idempotency-Key; nothing was sent again. */
export interface Replayed {
  readonly kind: 'replayed'
  readonly first: KeptSendResult | EarlierReply
}

/**
 * A key answered before results were kept as values: the reply as it was sent then (status and body), kept as it
 * is and answered again as it is.
 */
export interface EarlierReply {
  readonly kind: 'earlier_reply'
  readonly status: number
  readonly body: string
  /** The message the key decided (`null`: none was recorded). */
  readonly messageId: string | null
  /** That message's decision reason, from its record. */
  readonly reason: string | null
}

/** What a send through carewindow came to. */
export type SendResult =
  | Refused
  | Held
  | Forwarded
  | UpstreamRefused
  | UpstreamFailed
  | OutcomeUnknown
  | Throttled
  | PassedOn
  | Replayed

/** The results an Idempotency-Key keeps for its repeats; the others let the key go (nothing was sent). */
export type KeptSendResult = Refused | Held | Forwarded | UpstreamRefused | OutcomeUnknown

const KEPT_KINDS: ReadonlySet<string> = new Set<KeptSendResult['kind']>([
  'refused',
  'held',
  'forwarded',
  'upstream_refused',
  'outcome_unknown',
])

/** A kept result as the key stores it (JSON). */
export function keptResultJson(result: KeptSendResult): string {
  return JSON.stringify(result)
}

/** A result the key stored with {@link keptResultJson}. */
export function parseKeptResult(json: string): KeptSendResult {
  const value: unknown = JSON.parse(json)
  if (
    typeof value !== 'object' ||
    value === null ||
    !KEPT_KINDS.has(String((value as { kind?: unknown }).kind)) ||
    typeof (value as { messageId?: unknown }).messageId !== 'string'
  )
    throw new Error(`an Idempotency-Key holds a result carewindow cannot read: ${json.slice(0, 80)}`)
  return value as KeptSendResult
}

/** What a send's result reports of an allowed decision. */
export function allowedSendDecision(decision: AllowedDecision): AllowedSendDecision {
  return {
    allowed: true,
    reason: decision.reason,
    ...(decision.autoTagged === true ? { autoTagged: true as const } : {}),
  }
}

/** What a send's result reports of a refusal. */
export function refusedSendDecision(decision: RefusedDecision): RefusedSendDecision {
  return { allowed: false, reason: decision.reason, error: decision.error }
}
