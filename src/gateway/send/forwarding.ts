import type { Clock } from '../../shared/clock.js'
import { ERRORS, graphErrorBody } from '../../shared/errors.js'
import type { IdempotencyClaim, KeyOutcome, MessageOutcome, MessageOutcomes } from './message-outcomes.js'
import type { GatewayReply } from '../reply.js'
import { UpstreamOutcomeUnknown, UpstreamUnavailable } from '../../channels/upstream.js'

export interface ForwardingDependencies {
  readonly outcomes: MessageOutcomes
  readonly clock: Clock
}

/** A recorded, allowed message about to be forwarded, and what its reply carries. */
export interface ForwardedMessage {
  readonly messageId: string
  /** carewindow's headers (`x-carewindow-message-id`, `x-carewindow-decision` …), sent next to Graph's. */
  readonly headers: Readonly<Record<string, string>>
  readonly traceId: string
  /** `whatsapp` adds `error_data.messaging_product` to carewindow's own errors, as WhatsApp does. */
  readonly product: 'whatsapp' | null
  /** The Idempotency-Key it was sent under: its reply is kept (or let go) with the message's outcome. */
  readonly idempotency: IdempotencyClaim | null
  /** Graph's id of the message in its success answer (`wamid`, Messenger's `message_id`), or `null`. */
  readonly externalIdOf: (reply: GatewayReply) => string | null
}

/**
 * The reply for a message Graph may or may not have taken (504, {@link ERRORS.UPSTREAM_OUTCOME_UNKNOWN}): it is
 * kept as the Idempotency-Key's reply, so no retry with the key sends it again.
 */
export function outcomeUnknownReply(
  messageId: string,
  reason: string,
  traceId: string,
  product: 'whatsapp' | null,
  headers: Readonly<Record<string, string>> = { 'x-carewindow-message-id': messageId },
): GatewayReply {
  const entry = ERRORS.UPSTREAM_OUTCOME_UNKNOWN
  return {
    status: entry.status,
    headers,
    body: graphErrorBody({
      code: entry.code,
      title: entry.title,
      details: `message ${messageId}: ${reason}. ${entry.hint}`,
      product,
      traceId,
    }),
  }
}

/**
 * Forwards an allowed, recorded message and records what came of it, with what becomes of its Idempotency-Key:
 *
 * - Graph took it (2xx with its id): `accepted`, and the key keeps Graph's reply;
 * - Graph refused it (4xx): `failed` with Graph's error, passed on as it is, and kept;
 * - Graph is rate-limiting (429): `failed`, passed on with its `Retry-After`, and the key let go — a retry may send;
 * - Graph could not be reached, or answered 5xx after the retries: `failed`, 502, and the key let go;
 * - no usable answer came (a timeout, a reset after the request went out, a 2xx carewindow cannot read): Graph may
 *   have taken it — `unknown`, 504 with the message id, and the key keeps that answer: it never sends again.
 *
 * When the database cannot take the outcome, the client still gets what Graph said, and the outcome is written
 * once the database answers again (see {@link MessageOutcomes.writeLater}).
 */
export async function forwardAndRecord(
  deps: ForwardingDependencies,
  message: ForwardedMessage,
  send: () => Promise<GatewayReply>,
): Promise<GatewayReply> {
  const { reply, patch, key } = await settle(message, send)
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
  return { ...reply, idempotency: 'done' }
}

async function settle(
  message: ForwardedMessage,
  send: () => Promise<GatewayReply>,
): Promise<{ reply: GatewayReply; patch: MessageOutcome['patch']; key: KeyOutcome }> {
  const unknown = (reason: string) => {
    const reply = outcomeUnknownReply(
      message.messageId,
      reason,
      message.traceId,
      message.product,
      message.headers,
    )
    return {
      reply,
      patch: { status: 'unknown' as const, errorJson: JSON.stringify({ upstream: reason }) },
      key: { kind: 'complete' as const, status: reply.status, body: reply.body },
    }
  }
  let answer: GatewayReply
  try {
    answer = await send()
  } catch (error) {
    if (error instanceof UpstreamOutcomeUnknown) return unknown(error.message)
    if (!(error instanceof UpstreamUnavailable)) throw error
    const entry = ERRORS.UPSTREAM_UNAVAILABLE
    return {
      reply: {
        status: entry.status,
        headers: message.headers,
        body: graphErrorBody({
          code: entry.code,
          title: entry.title,
          details: error.message,
          product: message.product,
          traceId: message.traceId,
        }),
      },
      patch: { status: 'failed', errorJson: JSON.stringify({ upstream: error.message }) },
      key: { kind: 'release' },
    }
  }
  const reply = { ...answer, headers: { ...message.headers, ...answer.headers } }
  if (answer.status >= 200 && answer.status < 300) {
    const externalId = message.externalIdOf(answer)
    if (externalId === null)
      return unknown(
        `Graph answered ${answer.status} without a message id carewindow could read (${preview(answer.body)})`,
      )
    return {
      reply,
      patch: { status: 'accepted', externalId },
      key: { kind: 'complete', status: answer.status, body: answer.body },
    }
  }
  return {
    reply,
    patch: { status: 'failed', errorJson: answer.body },
    // A 429 is Graph saying "not now", not a verdict on the message: a retry with the key may send it.
    key:
      answer.status === 429
        ? { kind: 'release' }
        : { kind: 'complete', status: answer.status, body: answer.body },
  }
}

/** The start of a body, for messages: enough to recognise an HTML error page or a proxy's text. */
function preview(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim()
  return text === '' ? 'an empty body' : `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`
}
