import { describe, expect, it } from 'vitest'
import { metaPricingFacts, recordedPricingFacts } from './meta-pricing.js'

describe('the pricing facts of both sides', () => {
  it('reads Meta’s per-message pricing object', () => {
    expect(
      metaPricingFacts({ billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' }),
    ).toEqual({ pricingModel: 'PMP', category: 'utility', billable: true, type: 'regular' })
  })

  it('leaves out fields Meta did not send or sent in another type', () => {
    expect(metaPricingFacts({ pricing_model: 'CBP', category: 'service', billable: 'yes' })).toEqual({
      pricingModel: 'CBP',
      category: 'service',
      billable: null,
      type: null,
    })
  })

  it('has no facts without a pricing model', () => {
    for (const pricing of [null, 'PMP', [], {}, { pricing_model: '' }])
      expect(metaPricingFacts(pricing)).toBeNull()
  })

  it('reads the billing carewindow recorded with its decision', () => {
    const decision = JSON.stringify({
      allowed: true,
      billing: {
        pricing_model: 'PMP',
        era: 'PMP_2025',
        category: 'marketing',
        billable: true,
        type: 'regular',
      },
    })
    expect(recordedPricingFacts(decision)).toEqual({
      pricingModel: 'PMP',
      category: 'marketing',
      billable: true,
      type: 'regular',
    })
  })

  it('has no recorded facts for a refusal, a Messenger message or unreadable JSON', () => {
    expect(recordedPricingFacts(null)).toBeNull()
    expect(recordedPricingFacts(JSON.stringify({ allowed: false }))).toBeNull()
    expect(recordedPricingFacts(JSON.stringify({ billing: { pricing_model: 'NONE' } }))).toBeNull()
    expect(recordedPricingFacts('{')).toBeNull()
  })
})
