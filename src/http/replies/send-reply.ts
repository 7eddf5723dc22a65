import { formatInstant } from '../../domain/index.js'
import type { UpstreamReply } from '../../channels/upstream.js'
import type {
  EarlierReply,
  KeptSendResult,
  SendResult,
  Throttled,
  UpstreamFailed,
} from '../../gateway/send/send-result.js'
import { ERRORS } from '../../shared/errors.js'
import { graphErrorBody, type EnvelopeTrace } from './graph-envelope.js'
import type { HttpReply } from './http-reply.js'

const HELD_DETAILS =
  'The customer care window is closed: the message is held, the customer is invited back with the re-engagement template, and the message goes out when they reply.'

/**
 * What a send is answered with. Graph's answers are passed on as Graph sent them, with carewindow's headers
 * (`x-carewindow-message-id`, `x-carewindow-decision`, and `x-carewindow-auto-tag` when Messenger's auto-tag sent
 * it as HUMAN_AGENT); a refusal is 400 in Graph's envelope with the decision's code; a held reply 202; Graph out
 * of reach 502, an outcome never known 504. A repeat with an Idempotency-Key gets the first answer's status and
 * body, with `idempotent-replayed` and the first answer's message id and decision.
 */
export function sendResultReply(result: SendResult): HttpReply {
  switch (result.kind) {
    case 'passed_on':
      return upstreamReply(result.upstream, {})
    case 'replayed':
      return replayReply(result.first)
    default:
      return firstReply(result)
  }
}

function firstReply(result: KeptSendResult | UpstreamFailed | Throttled): HttpReply {
  const headers: Record<string, string> = {
    'x-carewindow-message-id': result.messageId,
    'x-carewindow-decision': result.decision.reason,
  }
  if (result.decision.allowed && result.decision.autoTagged === true)
    headers['x-carewindow-auto-tag'] = 'HUMAN_AGENT'
  const trace: EnvelopeTrace = {
    traceId: result.traceId,
    product: result.platform === 'whatsapp' ? 'whatsapp' : null,
  }
  switch (result.kind) {
    case 'refused':
      return { status: 400, headers, body: graphErrorBody(result.decision.error, trace) }
    case 'held':
      return {
        status: 202,
        headers: { ...headers, 'x-carewindow-hold-id': result.hold.id },
        body: JSON.stringify({
          held: {
            id: result.hold.id,
            status: result.hold.status,
            expires_at: formatInstant(result.hold.expiresAt),
          },
          message_id: result.messageId,
          details: HELD_DETAILS,
        }),
      }
    case 'forwarded':
    case 'upstream_refused':
      return upstreamReply(result.upstream, headers)
    case 'upstream_failed': {
      const entry = ERRORS.UPSTREAM_UNAVAILABLE
      return {
        status: entry.status,
        headers,
        body: graphErrorBody({ code: entry.code, title: entry.title, details: result.problem }, trace),
      }
    }
    case 'throttled':
      return throttledReply(result, headers, trace)
    case 'outcome_unknown': {
      const entry = ERRORS.UPSTREAM_OUTCOME_UNKNOWN
      const details = `message ${result.messageId}: ${result.problem}. ${entry.hint}`
      return {
        status: entry.status,
        headers,
        body: graphErrorBody({ code: entry.code, title: entry.title, details }, trace),
      }
    }
  }
}

/** Meta's 130429 example carries this subcode; Graph clients may look for it. */
const THROUGHPUT_SUBCODE = 2494055

/**
 * A send above a throughput limit: 429 in Graph's envelope with Graph's own code — 130429 for the number's rate,
 * 131056 for one user's — so a Graph client's retry logic works unchanged, and `Retry-After` in whole seconds.
 */
function throttledReply(
  result: Throttled,
  headers: Readonly<Record<string, string>>,
  trace: EnvelopeTrace,
): HttpReply {
  const entry = result.limit === 'number' ? ERRORS.THROUGHPUT_REACHED : ERRORS.PAIR_RATE_REACHED
  const details =
    result.limit === 'number'
      ? 'Cloud API message throughput has been reached.'
      : 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.'
  return {
    status: entry.status,
    headers: { ...headers, 'retry-after': String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))) },
    body: graphErrorBody(
      {
        code: entry.code,
        subcode: result.limit === 'number' ? THROUGHPUT_SUBCODE : null,
        title: entry.title,
        details: `${details} ${entry.hint}`,
      },
      trace,
    ),
  }
}

/** Graph's answer as Graph sent it, with carewindow's headers first and the ones Graph's answer passes on. */
function upstreamReply(upstream: UpstreamReply, headers: Readonly<Record<string, string>>): HttpReply {
  return { status: upstream.status, headers: { ...headers, ...upstream.headers }, body: upstream.body }
}

function replayReply(first: KeptSendResult | EarlierReply): HttpReply {
  const { status, body } = first.kind === 'earlier_reply' ? first : firstReply(first)
  const messageId = first.messageId
  const reason = first.kind === 'earlier_reply' ? first.reason : first.decision.reason
  return {
    status,
    body,
    headers: {
      'idempotent-replayed': 'true',
      ...(messageId === null ? {} : { 'x-carewindow-message-id': messageId }),
      ...(reason === null ? {} : { 'x-carewindow-decision': reason }),
    },
  }
}
