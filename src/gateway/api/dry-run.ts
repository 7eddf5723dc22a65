import {
  decide,
  formatInstant,
  type Decision,
  type Instant,
  type Intent,
  type MessengerSender,
  type PolicySettings,
} from '../../domain/index.js'
import { messengerIntent, parseMessengerSend } from '../../channels/messenger/send-body.js'
import { parseWhatsAppSend } from '../../channels/whatsapp/send-body.js'
import type { ChannelRecord } from '../../store/store.js'
import { loadDecisionInputs } from '../send/decision-inputs.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'
import { decisionSubjects } from '../webhooks/notification-subjects.js'

export interface DryRunRequest {
  /** The Graph send body (WhatsApp) or Send API body (Messenger), as a client would send it. */
  readonly message: unknown
  /** The instant to judge at; default now. */
  readonly at?: Instant
  /** Messenger only: whether a person or automation sends (HUMAN_AGENT is for people). */
  readonly sender: MessengerSender
}

/** What a dry run came to: the decision a send would get, for whom, under which settings. */
export interface DryRun {
  /** The contact as carewindow keys it. */
  readonly contact: string
  readonly decision: Decision
  /** The channel's policy settings the decision was made under. */
  readonly settings: PolicySettings
}

/**
 * Would this message go out? Decides it from the same stored state, consent and templates a send would, at
 * `at`, and gives back the decision. Nothing is written and nothing is sent.
 */
export async function dryRunDecision(
  deps: NativeApiDependencies,
  channel: ChannelRecord,
  request: DryRunRequest,
): Promise<DryRun> {
  const { contact, intent } = intentOf(channel, request)
  // As for a send: windows and consent reflect every notification about the contact already acknowledged to Meta.
  await deps.inbox.drain(decisionSubjects(channel, contact, intent))
  const now = deps.clock()
  const at = request.at ?? now
  const inputs = await loadDecisionInputs(deps.directory, deps.store, channel, contact, { lock: false })
  // carewindow keeps each contact's folded state, not its history: it cannot unwind events newer than `at`.
  const asOf = inputs.state.asOf
  if (asOf !== null && at < asOf)
    throw new GatewayError(
      'INVALID_REQUEST',
      `at: the contact's window is known as of ${formatInstant(asOf)} (its latest event); ask about that instant or later`,
    )
  return { contact, decision: decide(intent, inputs.context, at), settings: inputs.settings }
}

function intentOf(
  channel: ChannelRecord,
  request: DryRunRequest,
): { readonly contact: string; readonly intent: Intent } {
  if (channel.platform === 'whatsapp') {
    const parsed = parseWhatsAppSend(request.message)
    if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', `message: ${parsed.problem.details}`)
    if (parsed.value.kind === 'mark_read')
      throw new GatewayError(
        'INVALID_REQUEST',
        'message: a read receipt is not a message; it always goes through and has nothing to decide',
      )
    return { contact: parsed.value.to, intent: parsed.value.intent }
  }
  const parsed = parseMessengerSend(request.message)
  if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', `message: ${parsed.problem.details}`)
  if (parsed.value.kind === 'sender_action')
    throw new GatewayError(
      'INVALID_REQUEST',
      `message: a sender action (${parsed.value.action}) is not a message; there is nothing to decide`,
    )
  return { contact: parsed.value.recipientId, intent: messengerIntent(parsed.value, request.sender) }
}
