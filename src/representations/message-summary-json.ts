import { formatInstant, formatMicros } from '../domain/index.js'
import type { ChannelRecord, MessageRecord } from '../store/store.js'
import { storedJson } from './stored-json.js'

/**
 * A message as a search lists it: who, when and what became of it, the summary of its decision (the whole decision
 * and the body are at `GET /v1/messages/{id}`), carewindow's price and the `pricing` Meta reported.
 */
export function messageSummaryJson(
  message: MessageRecord,
  channel: Pick<ChannelRecord, 'platform' | 'externalId'> | null,
): Record<string, unknown> {
  return {
    id: message.id,
    direction: message.direction,
    channel: channel === null ? null : { platform: channel.platform, id: channel.externalId },
    contact_id: message.contactId,
    external_id: message.externalId,
    at: formatInstant(message.at),
    status: message.status,
    status_at: formatInstant(message.statusAt),
    decision: message.decisionJson === null ? null : decisionSummary(message),
    price: priceJson(message.priceMicros, message.currency),
    market: message.market ?? null,
    meta_pricing: message.metaPricingJson === null ? null : storedJson(message.metaPricingJson),
  }
}

/** carewindow's price of a message, or `null` when it has none (a refusal, a throttled send, no rate card). */
export function priceJson(
  amountMicros: number | null,
  currency: string | null,
): Record<string, unknown> | null {
  return amountMicros === null
    ? null
    : { amount: formatMicros(amountMicros), amount_micros: amountMicros, currency }
}

/** The decision's verdict, rules, billing (without its price, which `price` shows as it stands) and explanation. */
function decisionSummary(message: MessageRecord): Record<string, unknown> {
  const stored = storedJson(message.decisionJson ?? 'null')
  const decision = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {}
  const billing = decision.billing
  return {
    allowed: message.allowed,
    reason: message.reason,
    rules: Array.isArray(decision.rules) ? decision.rules : [],
    billing:
      typeof billing === 'object' && billing !== null
        ? {
            pricing_model: message.pricingModel ?? null,
            era: (billing as Record<string, unknown>).era ?? null,
            category: message.category ?? null,
            billable: (billing as Record<string, unknown>).billable ?? null,
            type: message.billingType ?? null,
          }
        : null,
    explanation: typeof decision.explanation === 'string' ? decision.explanation : null,
  }
}
