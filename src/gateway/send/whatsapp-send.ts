import type { Logger } from 'pino'
import {
  applyEvent,
  decide,
  formatInstant,
  type Decision,
  type Intent,
  type RefusedDecision,
} from '../../domain/index.js'
import { parseWhatsAppSend } from '../../channels/whatsapp/send-body.js'
import type { WhatsAppSandbox } from '../../channels/whatsapp/sandbox.js'
import { decisionJson } from '../../representations/decision-json.js'
import type { ChannelRecord, HeldMessageRecord, Store, TenantRecord } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import { ensureContact, saveContactState, type KnownContacts } from '../contacts/contacts.js'
import { loadDecisionInputs } from './decision-inputs.js'
import { emitEvent } from '../outbox/events.js'
import { holdReply, isHoldable } from './held-replies.js'
import type { Directory } from '../directory.js'
import { GatewayError, graphErrorBody } from '../../shared/errors.js'
import { timeOrderedId } from '../../shared/ids.js'
import { withIdempotency, type HeldKey, type IdempotencyDependencies } from './idempotency.js'
import { forwardAndRecord } from './forwarding.js'
import type { Inbox } from '../webhooks/inbox.js'
import type { MessageOutcomes } from './message-outcomes.js'
import type { Metrics } from '../metrics.js'
import type { GatewayReply } from '../reply.js'
import { UpstreamOutcomeUnknown, type Upstream } from '../../channels/upstream.js'
import { decisionSubjects } from '../webhooks/receipt-subjects.js'

export interface WhatsAppSendDependencies {
  readonly store: Store
  readonly directory: Directory
  readonly clock: Clock
  readonly inbox: Inbox
  readonly metrics: Metrics
  readonly logger: Logger
  readonly upstreamFor: (channel: ChannelRecord) => Upstream
  readonly sandbox: WhatsAppSandbox<ChannelRecord>
  readonly outcomes: MessageOutcomes
  readonly idempotency: IdempotencyDependencies
  /** Contacts known to be stored: a send to one does not write and read it again. */
  readonly contacts: KnownContacts
  /** Called when a reply was held (the scheduler has a re-engagement to run now). */
  readonly onHeld?: () => void
}

export interface WhatsAppSendRequest {
  readonly tenant: TenantRecord
  readonly channel: ChannelRecord
  readonly version: string
  readonly rawBody: string
  readonly body: unknown
  readonly idempotencyKey: string | undefined
  readonly traceId: string
  /** Whether a refusal for a closed window may become a held reply (clients' sends; never automations'). */
  readonly holdable?: boolean
}

/** The outcome of deciding and recording a send, before anything goes upstream. */
export interface RecordedDecision {
  readonly messageId: string
  readonly decision: Decision
  readonly contact: string
  /** Set when the refused message was held instead (the channel holds replies refused for a closed window). */
  readonly held: HeldMessageRecord | null
  /** The answer to a decision that is not forwarded (see {@link DecideOptions.answer}), or `null`. */
  readonly answer: GatewayReply | null
}

/**
 * `POST /{version}/{phone_number_id}/messages`: decides, records the message with its decision and billing
 * either way, forwards allowed messages unchanged and answers with Graph's reply; refuses the others at once
 * with Graph's error envelope. An `Idempotency-Key` makes a retried request send and bill once.
 */
export async function sendWhatsApp(
  deps: WhatsAppSendDependencies,
  request: WhatsAppSendRequest,
): Promise<GatewayReply> {
  const parsed = parseWhatsAppSend(request.body)
  if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', parsed.problem.details)
  const send = parsed.value
  const upstream = deps.upstreamFor(request.channel)
  if (send.kind === 'mark_read') {
    // Not a message: read receipts are always passed on.
    return forward(deps, upstream, request)
  }
  return withIdempotency(
    deps.idempotency,
    request.tenant.id,
    request.idempotencyKey,
    request.rawBody,
    async (key) => {
      // Windows and consent must reflect every notification about the contact already acknowledged to Meta.
      await deps.inbox.drain(decisionSubjects(request.channel, send.to, send.intent))
      const recorded = await decideAndRecord(deps, request.channel, send.to, send.intent, request.rawBody, {
        holdable: request.holdable !== false,
        key,
        answer: (outcome) => unsentReply(outcome, request.traceId),
      })
      const { decision, messageId } = recorded
      if (!decision.allowed) {
        if (recorded.held !== null) deps.onHeld?.()
        return recorded.answer ?? unsentReply({ messageId, decision, held: recorded.held }, request.traceId)
      }
      const reply = await forwardAndRecord(
        deps,
        {
          messageId,
          headers: { 'x-carewindow-message-id': messageId, 'x-carewindow-decision': decision.reason },
          traceId: request.traceId,
          product: 'whatsapp',
          idempotency: key,
          externalIdOf: messageIdOf,
        },
        () => forward(deps, upstream, request),
      )
      const wamid = reply.status < 300 ? messageIdOf(reply) : null
      if (request.channel.upstream.mode === 'sandbox' && wamid !== null)
        deps.sandbox.simulateStatuses(request.channel, wamid, recorded.contact, decision.billing)
      return reply
    },
  )
}

/** The answer to a WhatsApp send that is not forwarded: held (202), or refused in Graph's envelope (400). */
function unsentReply(outcome: UnsentDecision, traceId: string): GatewayReply {
  const { decision, messageId, held } = outcome
  const headers = { 'x-carewindow-message-id': messageId, 'x-carewindow-decision': decision.reason }
  if (held === null) return refusalReply(decision, headers, traceId, 'whatsapp')
  return {
    status: 202,
    headers: { ...headers, 'x-carewindow-hold-id': held.id },
    body: JSON.stringify({
      held: { id: held.id, status: held.status, expires_at: formatInstant(held.expiresAt) },
      message_id: messageId,
      details:
        'The customer care window is closed: the message is held, the customer is invited back with the re-engagement template, and the message goes out when they reply.',
    }),
  }
}

/** A decision that is not forwarded: refused, or held (202) until the customer writes. */
export interface UnsentDecision {
  readonly messageId: string
  readonly decision: RefusedDecision
  readonly held: HeldMessageRecord | null
}

export interface DecideOptions {
  /** Whether a refusal for a closed window may become a held reply. */
  readonly holdable?: boolean
  /**
   * The Idempotency-Key the send is made under: it is bound to the message in the transaction that records it,
   * before anything goes upstream (and `key.messageId` is set once that has committed).
   */
  readonly key?: HeldKey | null
  /** The answer to a decision that is not forwarded; the key keeps it, written in the same transaction. */
  readonly answer?: (outcome: UnsentDecision) => GatewayReply
}

/**
 * Decides a message for a contact and records it, atomically: the contact's window row is locked, so two sends
 * to one contact are decided one after the other (a Messenger +1 is granted once). An allowed message enters the
 * contact's history before it goes upstream — if Graph then refuses it, the history errs on the cautious side.
 * With an Idempotency-Key, the key names the message from the same transaction on, and a refusal's answer is kept
 * with it there and then.
 */
export async function decideAndRecord(
  deps: Pick<WhatsAppSendDependencies, 'store' | 'directory' | 'clock' | 'metrics' | 'contacts'>,
  channel: ChannelRecord,
  contact: string,
  intent: Intent,
  rawBody: string,
  options: DecideOptions = {},
): Promise<RecordedDecision> {
  const messageId = timeOrderedId('msg', deps.clock())
  let held: HeldMessageRecord | null = null
  let answer: GatewayReply | null = null
  let country: string | null = null
  const key = options.key ?? null
  const decision = await deps.store.transaction(async (tx) => {
    const now = deps.clock()
    const known = deps.contacts.countryOf(channel.id, contact)
    country = known !== undefined ? known : (await ensureContact(tx, channel, contact, now)).country
    const { state, settings, context } = await loadDecisionInputs(deps.directory, tx, channel, contact, {
      lock: true,
      country,
    })
    const decided = decide(intent, context, now)
    const price = decided.allowed ? decided.billing.price : null
    await tx.insertMessage({
      id: messageId,
      tenantId: channel.tenantId,
      channelId: channel.id,
      contactId: contact,
      direction: 'outbound',
      externalId: null,
      at: now,
      bodyJson: rawBody,
      allowed: decided.allowed,
      reason: decided.reason,
      decisionJson: JSON.stringify(decisionJson(decided, { contact, settings })),
      priceMicros: price?.amountMicros ?? null,
      currency: price?.currency ?? null,
      status: decided.allowed ? 'pending' : 'refused',
      statusAt: now,
      metaPricingJson: null,
      errorJson: null,
      createdAt: now,
    })
    if (decided.allowed) {
      const next = applyEvent(
        state,
        channel.platform,
        { kind: 'outbound', at: now, sent: decided.sent },
        settings,
      )
      await saveContactState(tx, channel, contact, next, settings, now)
    } else if (options.holdable === true && isHoldable(channel, intent, decided)) {
      held = await holdReply(tx, channel, contact, rawBody, messageId, state, now)
    } else {
      await emitEvent(tx, {
        type: 'message.refused',
        channel,
        contactId: contact,
        key: messageId,
        state,
        settings,
        at: now,
        data: {
          message_id: messageId,
          reason: decided.reason,
          rules: decided.rules,
          error: { code: decided.error.code, subcode: decided.error.subcode, details: decided.error.details },
        },
      })
    }
    if (!decided.allowed && options.answer !== undefined) {
      answer = options.answer({ messageId, decision: decided, held })
      if (key !== null) {
        answer = { ...answer, idempotency: 'done' }
        await tx.completeIdempotencyKey(key.tenantId, key.key, answer.status, answer.body, messageId)
      }
    } else if (key !== null) await tx.bindIdempotencyKey(key.tenantId, key.key, messageId)
    return decided
  })
  if (key !== null) key.messageId = messageId
  deps.contacts.remember(channel.id, contact, country)
  deps.metrics.decisions.inc({
    platform: channel.platform,
    allowed: String(decision.allowed),
    reason: decision.reason,
  })
  return { messageId, decision, contact, held, answer }
}

async function forward(
  deps: Pick<WhatsAppSendDependencies, 'metrics'>,
  upstream: Upstream,
  request: WhatsAppSendRequest,
): Promise<GatewayReply> {
  const mode = request.channel.upstream.mode
  try {
    const reply = await upstream.forward({
      channel: request.channel,
      version: request.version,
      path: `/${request.channel.externalId}/messages`,
      body: request.rawBody,
      contentType: 'application/json',
    })
    deps.metrics.upstreamRequests.inc({ mode, outcome: String(reply.status) })
    return {
      status: reply.status,
      body: reply.body,
      ...(reply.headers === undefined ? {} : { headers: reply.headers }),
    }
  } catch (error) {
    deps.metrics.upstreamRequests.inc({ mode, outcome: upstreamFailureOutcome(error) })
    throw error
  }
}

/** How a failed forward is counted: Graph unreachable, or its answer never came (the message may have gone). */
export function upstreamFailureOutcome(error: unknown): string {
  return error instanceof UpstreamOutcomeUnknown ? 'unknown' : 'unavailable'
}

/** Graph's envelope for a refused message: HTTP 400 with the decision's code and its reason in `details`. */
export function refusalReply(
  decision: RefusedDecision,
  headers: Readonly<Record<string, string>>,
  traceId: string,
  product: 'whatsapp' | null,
): GatewayReply {
  return {
    status: 400,
    headers,
    body: graphErrorBody({
      code: decision.error.code,
      subcode: decision.error.subcode,
      title: decision.error.title,
      details: decision.error.details,
      product,
      traceId,
    }),
  }
}

/** The `wamid` in Graph's success body (`messages[0].id`), or `null`. */
function messageIdOf(reply: GatewayReply): string | null {
  try {
    const body = JSON.parse(reply.body) as { messages?: readonly { id?: unknown }[] }
    const id = body.messages?.[0]?.id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}
