import {
  explain,
  formatHuman,
  formatMicros,
  parseInstant,
  type Decision,
  type PolicySettings,
} from '../domain/index.js'
import { storedJson } from '../representations/stored-json.js'
import type { ChannelRecord, MessageRecord } from '../store/store.js'

/** A decision as a short block of text for people at a terminal. */
export function formatDecisionText(decision: Decision, contact: string, settings: PolicySettings): string {
  const verdict = decision.allowed ? 'ALLOWED' : 'REFUSED'
  const window = decision.window
  const windowText =
    window.expiresAt === null
      ? 'window closed (never opened)'
      : `window ${window.state} (${window.type}) ${window.state === 'open' ? 'until' : 'since'} ${formatHuman(window.expiresAt)}`
  const outcome = decision.allowed
    ? `billing ${decision.billing.pricingModel} ${decision.billing.category} ${decision.billing.type}${
        decision.billing.price === null
          ? ''
          : ` ${formatMicros(decision.billing.price.amountMicros)} ${decision.billing.price.currency}`
      }`
    : `Graph error ${decision.error.code}${decision.error.subcode === null ? '' : `/${decision.error.subcode}`}`
  return [
    `${formatHuman(decision.at)}  ${contact}  ${verdict}  ${decision.reason}  [${decision.rules.join(' ')}]`,
    `  ${windowText} · ${outcome}`,
    `  ${explain(decision, settings)}`,
  ].join('\n')
}

/** A stored message and the decision carewindow recorded for it, as text for people at a terminal. */
export function formatStoredMessageText(
  message: MessageRecord,
  channel: Pick<ChannelRecord, 'platform' | 'externalId'> | null,
): string {
  const where = channel === null ? '' : ` on ${channel.platform} ${channel.externalId}`
  const heading =
    `${message.id}  ${message.direction} ${message.direction === 'outbound' ? 'to' : 'from'} ` +
    `${message.contactId}${where} at ${formatHuman(message.at)}, ${message.status} since ${formatHuman(message.statusAt)}`
  const stored = message.decisionJson === null ? null : storedJson(message.decisionJson)
  if (stored === null || typeof stored !== 'object')
    return `${heading}\n  no decision: carewindow decides the messages a business sends, not those it receives`
  const decision = stored as StoredDecision
  const price =
    message.priceMicros === null
      ? 'no price'
      : `${formatMicros(message.priceMicros)} ${message.currency ?? ''}`.trimEnd()
  const billing = decision.billing
  const outcome =
    decision.allowed === true && billing !== null && billing !== undefined
      ? `billing ${String(billing.pricing_model)} ${String(billing.category)} ${String(billing.type)} · ${price}`
      : `Graph error ${String(decision.error?.code ?? '?')}${decision.error?.error_subcode === undefined ? '' : `/${String(decision.error.error_subcode)}`}`
  const window = decision.window
  const windowText =
    window?.expires_at === null || window?.expires_at === undefined
      ? 'window closed (never opened)'
      : `window ${String(window.state)} (${String(window.type)}) ${window.state === 'open' ? 'until' : 'since'} ${humanInstant(window.expires_at)}`
  const meta = message.metaPricingJson === null ? null : storedJson(message.metaPricingJson)
  return [
    heading,
    `  ${decision.allowed === true ? 'ALLOWED' : 'REFUSED'}  ${String(decision.reason)}  [${(decision.rules ?? []).join(' ')}]`,
    `  ${windowText} · ${outcome}`,
    `  ${decision.explanation ?? ''}`,
    ...(meta === null ? [] : [`  Meta's pricing: ${JSON.stringify(meta)}`]),
  ].join('\n')
}

/** The fields of a stored decision (representations/decision-json.ts) the text shows. */
interface StoredDecision {
  readonly allowed?: boolean
  readonly reason?: string
  readonly rules?: readonly string[]
  readonly window?: { readonly state?: string; readonly type?: string; readonly expires_at?: string | null }
  readonly billing?: {
    readonly pricing_model?: string
    readonly category?: string
    readonly type?: string
  } | null
  readonly error?: { readonly code?: number; readonly error_subcode?: number }
  readonly explanation?: string
}

/** A stored ISO instant as `formatHuman` writes instants, or as stored when it is not one. */
function humanInstant(text: string): string {
  const at = parseInstant(text)
  return at === undefined ? text : formatHuman(at)
}
