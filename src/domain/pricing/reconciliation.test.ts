import { describe, expect, it } from 'vitest'
import {
  MISMATCH_CAUSE_CODES,
  MISMATCH_CAUSES,
  reconcilePricing,
  type PricingFacts,
} from './reconciliation.js'

const pmp = (facts: Partial<PricingFacts>): PricingFacts => ({
  pricingModel: 'PMP',
  category: 'utility',
  billable: true,
  type: 'regular',
  ...facts,
})

describe('reconciling carewindow’s pricing with Meta’s', () => {
  it('passes a message both sides priced alike, whatever the letter case', () => {
    expect(reconcilePricing(pmp({}), pmp({ category: 'UTILITY' }))).toEqual({ matches: true })
  })

  it('does not count a field one side leaves out as a difference', () => {
    expect(reconcilePricing(pmp({}), pmp({ billable: null, type: null }))).toEqual({ matches: true })
  })

  it('does not compare carewindow’s own billing types, which Meta has no word for', () => {
    const cbp = { pricingModel: 'CBP', category: 'service', billable: true, type: 'in_conversation' }
    expect(reconcilePricing(cbp, { ...cbp, type: 'regular' })).toEqual({ matches: true })
  })

  it('blames a free entry point carewindow did not know of', () => {
    const result = reconcilePricing(
      pmp({ category: 'service', billable: false, type: 'free_customer_service' }),
      pmp({ category: 'service', billable: false, type: 'free_entry_point' }),
    )
    expect(result).toEqual({
      matches: false,
      differences: [{ field: 'type', carewindow: 'free_customer_service', meta: 'free_entry_point' }],
      cause: 'unknown_entry_point',
    })
  })

  it('blames a CBP referral conversion carewindow did not know of', () => {
    const cbp = (category: string): PricingFacts => ({
      pricingModel: 'CBP',
      category,
      billable: true,
      type: null,
    })
    const result = reconcilePricing(cbp('service'), { ...cbp('referral_conversion'), billable: false })
    expect(result).toMatchObject({ matches: false, cause: 'unknown_entry_point' })
  })

  it('blames the pricing-era settings when the models differ', () => {
    const result = reconcilePricing(pmp({}), pmp({ pricingModel: 'CBP', type: null }))
    expect(result).toEqual({
      matches: false,
      differences: [{ field: 'pricing_model', carewindow: 'PMP', meta: 'CBP' }],
      cause: 'pricing_model',
    })
  })

  it('blames a re-categorised template when Meta billed a template in another category', () => {
    const result = reconcilePricing(pmp({ category: 'utility' }), pmp({ category: 'marketing' }))
    expect(result).toEqual({
      matches: false,
      differences: [{ field: 'category', carewindow: 'utility', meta: 'marketing' }],
      cause: 'template_recategorised',
    })
  })

  it('blames the in-window charging change when Meta charged what carewindow priced free in the window', () => {
    const result = reconcilePricing(
      pmp({ category: 'service', billable: false, type: 'free_customer_service' }),
      pmp({ category: 'service', billable: true, type: 'regular' }),
    )
    expect(result).toMatchObject({ matches: false, cause: 'window_service_charged' })
    if (!result.matches) expect(result.differences.map((d) => d.field)).toEqual(['billable', 'type'])
  })

  it('says “other” when no known cause fits', () => {
    const result = reconcilePricing(pmp({ billable: true }), pmp({ billable: false }))
    expect(result).toMatchObject({ matches: false, cause: 'other' })
  })

  it('explains every cause in a sentence', () => {
    for (const text of Object.values(MISMATCH_CAUSES)) expect(text).toMatch(/^[A-Z].+\.$/)
    expect(MISMATCH_CAUSE_CODES).toContain('template_recategorised')
  })
})
