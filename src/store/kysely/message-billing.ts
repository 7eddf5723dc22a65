import { countryOfPhoneNumber } from '../../domain/index.js'
import type { MessageRecord } from '../store.js'

/** A message's category, pricing model, billing type and market, as stored in their columns. */
export type BillingColumns = readonly [
  category: string | null,
  pricingModel: string | null,
  billingType: string | null,
  market: string | null,
]

const NONE: BillingColumns = [null, null, null, null]

/**
 * The columns a message's decision fills (see `MessageRecord.category`): as the writer gave them, or read from the
 * stored decision (its `billing`, and the country of a WhatsApp contact's number, as `ensureContact` stores it).
 */
export function billingColumnsOf(message: MessageRecord): BillingColumns {
  if (message.category !== undefined)
    return [
      message.category,
      message.pricingModel ?? null,
      message.billingType ?? null,
      message.market ?? null,
    ]
  if (message.decisionJson === null) return NONE
  let decision: unknown
  try {
    decision = JSON.parse(message.decisionJson)
  } catch {
    return NONE
  }
  if (typeof decision !== 'object' || decision === null) return NONE
  const { billing, platform } = decision as { billing?: unknown; platform?: unknown }
  const field = (name: string): string | null => {
    const value =
      typeof billing === 'object' && billing !== null ? (billing as Record<string, unknown>)[name] : null
    return typeof value === 'string' ? value : null
  }
  return [
    field('category'),
    field('pricing_model'),
    field('type'),
    platform === 'whatsapp' ? countryOfPhoneNumber(message.contactId) : null,
  ]
}
