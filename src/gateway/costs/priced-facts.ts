import {
  FREE_ENTRY_POINT_MS,
  parseInstant,
  type PricedFacts,
  type SentMessage,
  type TemplateCategory,
} from '../../domain/index.js'
import type { MessageRecord } from '../../store/store.js'

/** The parts of a stored decision (representations/decision-json.ts) a repricing reads. */
interface StoredDecision {
  readonly platform?: unknown
  readonly allowed?: unknown
  readonly rules?: unknown
  readonly window?: { readonly state?: unknown; readonly free_entry_point_expires_at?: unknown } | null
  readonly template?: { readonly category?: unknown } | null
  readonly billing?: {
    readonly conversation?: { readonly category?: unknown; readonly opened_at?: unknown } | null
  } | null
}

/**
 * What billing needs to know of an allowed WhatsApp message, from the decision carewindow recorded for it: what was
 * sent (a template of its category then, or a free-form message), whether the customer care window was open,
 * whether a free entry point window was (FEP-1 among the rules), and the contact's country. `null` for a message
 * that cannot be priced again: a Messenger one (never charged), one without a decision (imported from history,
 * which carewindow did not decide), a refusal, or a decision it cannot read.
 */
export function pricedFactsOf(message: MessageRecord): PricedFacts | null {
  if (message.decisionJson === null || message.direction !== 'outbound' || message.allowed !== true)
    return null
  let parsed: unknown
  try {
    parsed = JSON.parse(message.decisionJson)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  const decision = parsed as StoredDecision
  if (decision.platform !== 'whatsapp' || decision.allowed !== true) return null
  const category = decision.template?.category
  const sent: SentMessage =
    typeof category === 'string'
      ? { type: 'template', category: category as TemplateCategory }
      : { type: 'session' }
  const rules = Array.isArray(decision.rules) ? (decision.rules as unknown[]) : []
  return {
    at: message.at,
    sent,
    // A free-form message is only ever allowed inside the window.
    isCareWindowOpen: sent.type === 'session' || decision.window?.state === 'open',
    entryPointOpenedAt: rules.includes('FEP-1') ? entryPointOpenedAt(decision, message.at) : null,
    country: message.market ?? null,
  }
}

/** When the free entry point window a message fell in opened: its CBP conversation's start, the window's, or the message's own instant (the reply that opened it). */
function entryPointOpenedAt(decision: StoredDecision, at: number): number {
  const conversation = decision.billing?.conversation
  if (conversation?.category === 'referral_conversion' && typeof conversation.opened_at === 'string') {
    const openedAt = parseInstant(conversation.opened_at)
    if (openedAt !== undefined) return openedAt
  }
  const expiresAt = decision.window?.free_entry_point_expires_at
  if (typeof expiresAt === 'string') {
    const end = parseInstant(expiresAt)
    if (end !== undefined) return end - FREE_ENTRY_POINT_MS
  }
  return at
}
