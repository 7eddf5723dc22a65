import { createHmac, timingSafeEqual } from 'node:crypto'
import { messengerIntent, parseMessengerSend } from '../../channels/messenger/send-body.js'
import { forwardBody, type MessengerWireRequest } from '../../channels/messenger/send-request.js'
import type { ChannelRecord, TenantRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import { withIdempotency } from './idempotency.js'
import { decisionSubjects } from '../webhooks/notification-subjects.js'
import type { Upstream, UpstreamReply, UpstreamRequest } from '../../channels/upstream.js'
import { forwardAndRecord } from './forwarding.js'
import { allowedSendDecision, type SendResult } from './send-result.js'
import {
  decideAndRecord,
  upstreamAnswer,
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
 * With auto-tagging on, an agent's late reply is sent as `MESSAGE_TAG` / `HUMAN_AGENT`, and the result says so.
 */
export async function sendMessenger(
  deps: WhatsAppSendDependencies,
  request: MessengerSendRequest,
): Promise<SendResult> {
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
  if (send.kind === 'sender_action')
    return { kind: 'passed_on', upstream: await forward(deps, upstream, request, forwardBody(wire)) }
  const body = forwardBody(wire)
  return withIdempotency(deps.idempotency, request.tenant.id, request.idempotencyKey, body, async (key) => {
    await deps.inbox.drain(decisionSubjects(channel, send.recipientId))
    const intent = messengerIntent(send, sender === 'agent' ? 'agent' : 'bot')
    const recorded = await decideAndRecord(deps, channel, send.recipientId, intent, body, {
      key,
      traceId: request.traceId,
    })
    if (recorded.unsent !== null) return recorded.unsent
    const { decision, messageId } = recorded
    const outgoing =
      decision.autoTagged === true
        ? forwardBody(wire, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })
        : body
    const result = await forwardAndRecord(
      deps,
      {
        messageId,
        decision: allowedSendDecision(decision),
        platform: 'messenger',
        traceId: request.traceId,
        idempotency: key,
        externalIdOf: midOf,
      },
      () => forward(deps, upstream, request, outgoing),
    )
    if (result.kind === 'forwarded') deps.metrics.countSpend(channel.externalId, decision.billing)
    return result
  })
}

async function forward(
  deps: Pick<WhatsAppSendDependencies, 'metrics'>,
  upstream: Upstream,
  request: MessengerSendRequest,
  body: string,
): Promise<UpstreamReply> {
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
    return upstreamAnswer(reply)
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

/** Messenger's `message_id` in the Send API's success body, or `null`. */
function midOf(body: string): string | null {
  try {
    const id = (JSON.parse(body) as { message_id?: unknown }).message_id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}
