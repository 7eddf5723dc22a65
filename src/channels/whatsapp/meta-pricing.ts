import type { PricingFacts } from '../../domain/index.js'

/**
 * The `pricing` object of a status notification (meta-platform.md §2.4: `billable`, `pricing_model`, `category`,
 * `type`) as the facts reconciliation compares; `null` when it is not an object with a pricing model. A field of
 * the wrong type counts as left out: Meta has changed this object across versions (`billable` is deprecated, `type`
 * came with per-message pricing).
 */
export function metaPricingFacts(pricing: unknown): PricingFacts | null {
  if (typeof pricing !== 'object' || pricing === null || Array.isArray(pricing)) return null
  const fields = pricing as Record<string, unknown>
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
  const pricingModel = text(fields.pricing_model)
  if (pricingModel === null) return null
  return {
    pricingModel,
    category: text(fields.category),
    billable: typeof fields.billable === 'boolean' ? fields.billable : null,
    type: text(fields.type),
  }
}

/**
 * The same facts from the billing of a decision carewindow recorded (`decision_json.billing`,
 * representations/decision-json.ts); `null` for a refused message or a Messenger one (`pricing_model` NONE).
 */
export function recordedPricingFacts(decisionJson: string | null): PricingFacts | null {
  if (decisionJson === null) return null
  let billing: unknown
  try {
    billing = (JSON.parse(decisionJson) as { billing?: unknown }).billing
  } catch {
    return null
  }
  const facts = metaPricingFacts(billing)
  return facts === null || facts.pricingModel === 'NONE' ? null : facts
}
