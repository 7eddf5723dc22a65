import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Decision } from '../../domain/index.js'
import { messengerIntent, parseMessengerSend } from '../../channels/messenger/send-body.js'
import { forwardBody, type MessengerWireRequest } from '../../channels/messenger/send-request.js'
import type { ChannelRecord, TenantRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import { withIdempotency } from './idempotency.js'
import { decisionSubjects } from '../webhooks/receipt-subjects.js'
import type { GatewayReply } from '../reply.js'
import type { Upstream, UpstreamRequest } from '../../channels/upstream.js'
import { forwardAndRecord } from './forwarding.js'
import {
  decideAndRecord,
  refusalReply,
  upstreamFailureOutcome,
  type WhatsAppSendDependencies,
} from './whatsapp-send.js'

export interface MessengerSendRequest {
  readonly tenant: TenantRecord
  readonly channel: ChannelRecord
  readonly version: string
  readonly wire: MessengerWireRequest
  /** The API key the client authenticated with, for checking its `appsecret_proof`. */
  readonly apiKey: string
  readonly idempotencyKey: string | undefined
  readonly traceId: string
}

/** `appsecret_proof`: HMAC-SHA256 of the access token, keyed with the app secret, hex. */
export function appsecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex')
}

/**
 * `POST /{version}/me/messages` and `/{version}/{page_id}/messages`: the Send API through carewindow. The
 * client's `appsecret_proof`, when present, must be the proof of the key it sent with the channel's app
 * secret. Allowed messages go to Meta with the Page's own token and a fresh proof; refusals use Meta's
 * Messenger envelope (code 10 / subcode 2018278 outside the window, 100 for a tag not allowed at that date).
 * With auto-tagging on, an agent's late reply is sent as `MESSAGE_TAG` / `HUMAN_AGENT`, and the reply says so.
 */
export async function sendMessenger(
  deps: WhatsAppSendDependencies,
  request: MessengerSendRequest,
): Promise<GatewayReply> {
  const { wire, channel } = request
  if (
    wire.appsecretProof !== undefined &&
    !isProof(wire.appsecretProof, appsecretProof(request.apiKey, channel.appSecret))
  )
    throw new GatewayError('INVALID_APPSECRET_PROOF', 'Invalid appsecret_proof provided in the API argument')
  const sender = wire.sender?.toLowerCase()
  if (sender !== undefined && sender !== 'agent' && sender !== 'bot')
    throw new GatewayError('INVALID_REQUEST', `the sender is "agent" or "bot", not "${wire.sender ?? ''}"`)
  const parsed = parseMessengerSend(wire.fields)
  if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', parsed.problem.details)
  const send = parsed.value
  const upstream = deps.upstreamFor(channel)
  if (send.kind === 'sender_action') return forward(deps, upstream, request, forwardBody(wire))
  const body = forwardBody(wire)
  return withIdempotency(deps.idempotency, request.tenant.id, request.idempotencyKey, body, async (key) => {
    await deps.inbox.drain(decisionSubjects(channel, send.recipientId))
    const intent = messengerIntent(send, sender === 'agent' ? 'agent' : 'bot')
    const { decision, messageId, answer } = await decideAndRecord(
      deps,
      channel,
      send.recipientId,
      intent,
      body,
      {
        key,
        answer: (outcome) =>
          refusalReply(
            outcome.decision,
            headersOf(outcome.messageId, outcome.decision),
            request.traceId,
            null,
          ),
      },
    )
    const headers = headersOf(messageId, decision)
    if (!decision.allowed) return answer ?? refusalReply(decision, headers, request.traceId, null)
    let outgoing = body
    if (decision.autoTagged === true) {
      outgoing = forwardBody(wire, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })
      headers['x-carewindow-auto-tag'] = 'HUMAN_AGENT'
    }
    return forwardAndRecord(
      deps,
      { messageId, headers, traceId: request.traceId, product: null, idempotency: key, externalIdOf: midOf },
      () => forward(deps, upstream, request, outgoing),
    )
  })
}

function headersOf(messageId: string, decision: Decision): Record<string, string> {
  return { 'x-carewindow-message-id': messageId, 'x-carewindow-decision': decision.reason }
}

async function forward(
  deps: Pick<WhatsAppSendDependencies, 'metrics'>,
  upstream: Upstream,
  request: MessengerSendRequest,
  body: string,
): Promise<GatewayReply> {
  const { channel } = request
  const token = channel.upstream.mode === 'cloud' ? channel.upstream.accessToken : ''
  const forwarded: UpstreamRequest = {
    channel,
    version: request.version,
    path: `/${channel.externalId}/messages`,
    body,
    contentType: request.wire.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    // The Page token carewindow holds replaces the client's carewindow key; the proof is made for it.
    query: { access_token: token, appsecret_proof: appsecretProof(token, channel.appSecret) },
  }
  try {
    const reply = await upstream.forward(forwarded)
    deps.metrics.upstreamRequests.inc({ mode: channel.upstream.mode, outcome: String(reply.status) })
    return {
      status: reply.status,
      body: reply.body,
      ...(reply.headers === undefined ? {} : { headers: reply.headers }),
    }
  } catch (error) {
    deps.metrics.upstreamRequests.inc({ mode: channel.upstream.mode, outcome: upstreamFailureOutcome(error) })
    throw error
  }
}

function isProof(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase())
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function midOf(reply: GatewayReply): string | null {
  try {
    const id = (JSON.parse(reply.body) as { message_id?: unknown }).message_id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}
