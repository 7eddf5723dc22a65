/**
 * Reconciliation with Meta: how carewindow priced a message against how Meta says it billed it (the `pricing`
 * object of a status notification, meta-platform.md §2.4). Meta is the one that bills, so a difference is not an
 * error in either: it is a fact carewindow did not know (a template Meta re-categorised, an ad's free entry point)
 * or a setting that is out of date (the pricing era), and the likely cause says which.
 */

/** The fields both sides have, as Meta writes them. `null`: that side did not say. */
export interface PricingFacts {
  readonly pricingModel: string | null
  readonly category: string | null
  readonly billable: boolean | null
  readonly type: string | null
}

export type ReconciledField = 'pricing_model' | 'category' | 'billable' | 'type'

export interface PricingDifference {
  readonly field: ReconciledField
  readonly carewindow: string | boolean | null
  readonly meta: string | boolean | null
}

/** Why the two sides most likely differ. */
export type MismatchCause =
  'unknown_entry_point' | 'pricing_model' | 'template_recategorised' | 'window_service_charged' | 'other'

export type Reconciliation =
  | { readonly matches: true }
  | {
      readonly matches: false
      readonly differences: readonly PricingDifference[]
      readonly cause: MismatchCause
    }

/** What each cause means and what to do about it, in a sentence. */
export const MISMATCH_CAUSES: Readonly<Record<MismatchCause, string>> = {
  unknown_entry_point:
    'Meta counted the message in a free entry point window (a click-to-WhatsApp ad or a Page call to action) that ' +
    'carewindow did not know of: the referral was not in the notifications it received.',
  pricing_model:
    "Meta billed under another pricing model than carewindow's era for that date: check the pricing-era settings " +
    '(a conversation opened before a switch keeps the old model until it ends).',
  template_recategorised:
    'Meta billed the template in another category than the one carewindow had: it was probably re-categorised ' +
    '(template_category_update); sync the templates.',
  window_service_charged:
    'Meta charged a message that carewindow priced as free inside the customer care window: if Meta now charges ' +
    'service messages and utility templates in the window (the change reported for 2026-10-01), switch that on.',
  other: 'Meta billed the message differently from how carewindow priced it; compare the two sides.',
}

/** Every cause, as the API and events write it. */
export const MISMATCH_CAUSE_CODES = Object.keys(MISMATCH_CAUSES) as readonly MismatchCause[]

/** Meta's own billing types; carewindow's others (`free_tier`, `in_conversation` …) have no counterpart to compare. */
const META_TYPES: ReadonlySet<string> = new Set(['regular', 'free_customer_service', 'free_entry_point'])
const TEMPLATE_CATEGORIES: ReadonlySet<string> = new Set([
  'marketing',
  'marketing_lite',
  'utility',
  'authentication',
  'authentication_international',
])

/** Compares the fields both sides state; a field one side leaves out is not a difference. */
export function reconcilePricing(carewindow: PricingFacts, meta: PricingFacts): Reconciliation {
  const differences: PricingDifference[] = []
  const compare = <T extends string | boolean>(
    field: ReconciledField,
    ours: T | null,
    theirs: T | null,
  ): void => {
    if (ours === null || theirs === null) return
    const same =
      typeof ours === 'string' && typeof theirs === 'string'
        ? ours.toLowerCase() === theirs.toLowerCase()
        : ours === theirs
    if (!same) differences.push({ field, carewindow: ours, meta: theirs })
  }
  compare('pricing_model', carewindow.pricingModel, meta.pricingModel)
  compare('category', carewindow.category, meta.category)
  compare('billable', carewindow.billable, meta.billable)
  if (carewindow.type !== null && META_TYPES.has(carewindow.type)) compare('type', carewindow.type, meta.type)
  if (differences.length === 0) return { matches: true }
  return { matches: false, differences, cause: causeOf(carewindow, meta, differences) }
}

function causeOf(
  carewindow: PricingFacts,
  meta: PricingFacts,
  differences: readonly PricingDifference[],
): MismatchCause {
  const differs = (field: ReconciledField): boolean => differences.some((d) => d.field === field)
  const isEntryPoint = (facts: PricingFacts): boolean =>
    facts.type === 'free_entry_point' || facts.category === 'referral_conversion'
  if (isEntryPoint(meta) && !isEntryPoint(carewindow)) return 'unknown_entry_point'
  if (differs('pricing_model')) return 'pricing_model'
  if (differs('category') && carewindow.category !== null && TEMPLATE_CATEGORIES.has(carewindow.category))
    return 'template_recategorised'
  const freeInWindow = carewindow.type === 'free_customer_service' || carewindow.billable === false
  const charged = meta.type === 'regular' || meta.billable === true
  if (freeInWindow && charged) return 'window_service_charged'
  return 'other'
}
