import { describe, expect, it } from 'vitest'
import { PRICING_ERAS, type PricingEra } from '../pricing/pricing-eras.js'
import { sessionMessage, userMessage } from '../testing/builders.js'
import { decideAt } from '../testing/decide-fixtures.js'
import { HOUR_MS, utcDate } from '../time.js'

const eraOf = (id: string): PricingEra => PRICING_ERAS.find((era) => era.id === id) as PricingEra

describe('decide: a pricing era given in the context (what-if comparisons)', () => {
  const at = utcDate('2025-09-01')
  const history = [userMessage(at - HOUR_MS)]

  it('bills a 2025 reply under the era the context names instead of the one in force', () => {
    const decision = decideAt(sessionMessage(), at, { history, pricingEra: eraOf('CBP_2023') })
    expect(decision.billing).toMatchObject({ era: 'CBP_2023', pricingModel: 'CBP', category: 'service' })
    expect(decision.rules).toContain('PRC-CBP-2023')
  })

  it('bills by the instant when the context names no era', () => {
    expect(decideAt(sessionMessage(), at, { history }).billing?.era).toBe('PMP_2025')
  })
})
