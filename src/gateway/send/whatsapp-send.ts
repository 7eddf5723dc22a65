import type { Logger } from 'pino'
import {
  applyEvent,
  decide,
  type AllowedDecision,
  type Intent,
  type RefusedDecision,
} from '../../domain/index.js'
import { parseWhatsAppSend } from '../../channels/whatsapp/send-body.js'
import type { WhatsAppSandbox } from '../../channels/whatsapp/sandbox.js'
import { decisionJson } from '../../representations/decision-json.js'
import type {
  ChannelRecord,
  HeldMessageRecord,
  MessageRecord,
  Store,
  TenantRecord,
} from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import { ensureContact, windowRecordOf, type KnownContacts } from '../contacts/contacts.js'
import { loadDecisionInputs } from './decision-inputs.js'
import { emitEvent } from '../outbox/events.js'
import { holdReply, isHoldable } from './held-replies.js'
import type { Directory } from '../directory.js'
import { GatewayError } from '../../shared/errors.js'
import { timeOrderedId } from '../../shared/ids.js'
import { withIdempotency, type HeldKey, type IdempotencyDependencies } from './idempotency.js'
import { forwardAndRecord } from './forwarding.js'
import { recordThrottled, type Throughput } from './throughput.js'
import type { Inbox } from '../webhooks/inbox.js'
import type { MessageOutcomes } from './message-outcomes.js'
import type { Metrics } from '../metrics.js'
import { UpstreamOutcomeUnknown, type Upstream, type UpstreamReply } from '../../channels/upstream.js'
import { decisionSubjects } from '../webhooks/notification-subjects.js'
import {
  allowedSendDecision,
  keptResultJson,
  refusedSendDecision,
  type Held,
  type Refused,
  type SendResult,
} from './send-result.js'

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
  /** The number's throughput limits: an allowed send waits for, or is refused, its slot before it goes upstream. */
  readonly throughput: Throughput
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
  /** Whether the send waits for its slot under the throughput limits whatever the channel's mode (automations'). */
  readonly waitsForSlot?: boolean
}

/** The outcome of deciding and recording a send, before anything goes upstream. */
export type RecordedDecision =
  | (RecordedMessage & { readonly decision: AllowedDecision; readonly unsent: null })
  | (RecordedMessage & {
      readonly decision: RefusedDecision
      /** The refusal's result, or the hold's when the message was held instead (a channel option). */
      readonly unsent: Refused | Held
    })

interface RecordedMessage {
  readonly messageId: string
  readonly contact: string
}

/**
 * `POST /{version}/{phone_number_id}/messages`: decides, records the message with its decision and billing
 * either way, forwards allowed messages unchanged and reports Graph's answer; refuses the others at once. An
 * `Idempotency-Key` makes a retried request send and bill once.
 */
export async function sendWhatsApp(
  deps: WhatsAppSendDependencies,
  request: WhatsAppSendRequest,
): Promise<SendResult> {
  const parsed = parseWhatsAppSend(request.body)
  if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', parsed.problem.details)
  const send = parsed.value
  const upstream = deps.upstreamFor(request.channel)
  if (send.kind === 'mark_read') {
    // Not a message: read receipts are always passed on.
    return { kind: 'passed_on', upstream: await forward(deps, upstream, request) }
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
        traceId: request.traceId,
      })
      if (recorded.unsent !== null) {
        if (recorded.unsent.kind === 'held') deps.onHeld?.()
        return recorded.unsent
      }
      const { decision, messageId } = recorded
      const admission = await deps.throughput.admit(request.channel, recorded.contact, {
        waits: request.waitsForSlot === true,
      })
      if (admission.kind === 'throttled')
        return recordThrottled(
          deps,
          { messageId, decision: allowedSendDecision(decision), traceId: request.traceId, idempotency: key },
          admission,
        )
      const result = await forwardAndRecord(
        deps,
        {
          messageId,
          decision: allowedSendDecision(decision),
          platform: 'whatsapp',
          traceId: request.traceId,
          idempotency: key,
          externalIdOf: wamidOf,
        },
        () => forward(deps, upstream, request),
      )
      if (result.kind === 'forwarded') deps.metrics.countSpend(request.channel.externalId, decision.billing)
      if (request.channel.upstream.mode === 'sandbox' && result.kind === 'forwarded')
        deps.sandbox.simulateStatuses(request.channel, result.externalId, recorded.contact, decision.billing)
      return result
    },
  )
}

export interface DecideOptions {
  /** Whether a refusal for a closed window may become a held reply. */
  readonly holdable?: boolean
  /**
   * The Idempotency-Key the send is made under: it is bound to the message in the transaction that records it,
   * before anything goes upstream (and `key.messageId` is set once that has committed). A refusal's result is kept
   * with it there and then.
   */
  readonly key?: HeldKey | null
  /** The request's trace id, which a refusal's result carries. */
  readonly traceId: string
}

/**
 * Decides a message for a contact and records it, atomically: the contact's window row is locked, so two sends
 * to one contact are decided one after the other (a Messenger +1 is granted once). An allowed message enters the
 * contact's history before it goes upstream — if Graph then refuses it, the history errs on the cautious side.
 * With an Idempotency-Key, the key names the message from the same transaction on, and a refusal's result is kept
 * with it there and then.
 */
export async function decideAndRecord(
  deps: Pick<WhatsAppSendDependencies, 'store' | 'directory' | 'clock' | 'metrics' | 'contacts'>,
  channel: ChannelRecord,
  contact: string,
  intent: Intent,
  rawBody: string,
  options: DecideOptions,
): Promise<RecordedDecision> {
  const messageId = timeOrderedId('msg', deps.clock())
  let country: string | null = null
  const key = options.key ?? null
  const recorded = await deps.store.transaction(async (tx): Promise<RecordedDecision> => {
    const now = deps.clock()
    const known = deps.contacts.countryOf(channel.id, contact)
    country = known !== undefined ? known : (await ensureContact(tx, channel, contact, now)).country
    const { state, settings, context } = await loadDecisionInputs(deps.directory, tx, channel, contact, {
      lock: true,
      country,
    })
    const decided = decide(intent, context, now)
    const price = decided.allowed ? decided.billing.price : null
    const message: MessageRecord = {
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
      category: decided.allowed ? decided.billing.category : null,
      pricingModel: decided.allowed ? decided.billing.pricingModel : null,
      billingType: decided.allowed ? decided.billing.type : null,
      market: country,
    }
    if (decided.allowed) {
      const next = applyEvent(
        state,
        channel.platform,
        { kind: 'outbound', at: now, sent: decided.sent },
        settings,
      )
      // The message and the window's new state in one write (one round trip on PostgreSQL).
      await tx.insertOutboundMessage(message, windowRecordOf(channel, contact, next, settings, now))
      if (key !== null) await tx.bindIdempotencyKey(key.tenantId, key.key, messageId)
      return { messageId, contact, decision: decided, unsent: null }
    }
    await tx.insertOutboundMessage(message, null)
    const held =
      options.holdable === true && isHoldable(channel, intent, decided)
        ? await holdReply(tx, channel, contact, rawBody, messageId, state, now)
        : null
    if (held === null)
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
    const unsent = unsentResult(decided, messageId, channel, held, options.traceId)
    if (key !== null)
      await tx.completeIdempotencyKey(key.tenantId, key.key, keptResultJson(unsent), messageId)
    return { messageId, contact, decision: decided, unsent }
  })
  if (key !== null) key.messageId = messageId
  deps.contacts.remember(channel.id, contact, country)
  deps.metrics.decisions.inc({
    platform: channel.platform,
    allowed: String(recorded.decision.allowed),
    reason: recorded.decision.reason,
  })
  return recorded
}

/** The result of a decision that is not forwarded: refused, or held until the customer writes. */
function unsentResult(
  decision: RefusedDecision,
  messageId: string,
  channel: ChannelRecord,
  held: HeldMessageRecord | null,
  traceId: string,
): Refused | Held {
  const unsent = { messageId, decision: refusedSendDecision(decision), platform: channel.platform, traceId }
  if (held === null) return { ...unsent, kind: 'refused' }
  return { ...unsent, kind: 'held', hold: { id: held.id, status: held.status, expiresAt: held.expiresAt } }
}

async function forward(
  deps: Pick<WhatsAppSendDependencies, 'metrics'>,
  upstream: Upstream,
  request: WhatsAppSendRequest,
): Promise<UpstreamReply> {
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
    return upstreamAnswer(reply)
  } catch (error) {
    deps.metrics.upstreamRequests.inc({ mode, outcome: upstreamFailureOutcome(error) })
    throw error
  }
}

/** Graph's answer as a send's result keeps it: its status, body and the headers it passes on, nothing else. */
export function upstreamAnswer(reply: UpstreamReply): UpstreamReply {
  return {
    status: reply.status,
    body: reply.body,
    ...(reply.headers === undefined ? {} : { headers: reply.headers }),
  }
}

/** How a failed forward is counted: Graph unreachable, or its answer never came (the message may have gone). */
export function upstreamFailureOutcome(error: unknown): string {
  return error instanceof UpstreamOutcomeUnknown ? 'unknown' : 'unavailable'
}

/** The `wamid` in Graph's success body (`messages[0].id`), or `null`. */
function wamidOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { messages?: readonly { id?: unknown }[] }
    const id = parsed.messages?.[0]?.id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}
