import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY_SETTINGS, policySettings } from '../settings.js'
import { HOUR_MS, utcDate } from '../time.js'
import { FREE_ENTRY_POINT_MS } from '../windows/window-durations.js'
import { PRICING_ERAS } from './pricing-eras.js'
import { repriceMessage, type PricedFacts, type RepricingPolicy } from './reprice.js'
import { SAMPLE_RATE_CARDS } from './sample-rate-cards.js'

const AT = utcDate('2026-11-02') + 10 * HOUR_MS
const UTILITY_IN_WINDOW: PricedFacts = {
  at: AT,
  sent: { type: 'template', category: 'UTILITY' },
  isCareWindowOpen: true,
  entryPointOpenedAt: null,
  country: 'NL',
}
const TODAY: RepricingPolicy = {
  settings: DEFAULT_POLICY_SETTINGS,
  rateCards: SAMPLE_RATE_CARDS,
  pricingEra: null,
}
const WITH_2026: RepricingPolicy = {
  ...TODAY,
  settings: policySettings({ pricing2026Enabled: true }),
}
const eraById = (id: string) => {
  const era = PRICING_ERAS.find((candidate) => candidate.id === id)
  if (era === undefined) throw new Error(id)
  return era
}

describe('repriceMessage', () => {
  it('prices a utility template inside the window free under PMP 2025 and at the utility rate with the 2026 change', () => {
    const before = repriceMessage(UTILITY_IN_WINDOW, TODAY, []).billing
    const after = repriceMessage(UTILITY_IN_WINDOW, WITH_2026, []).billing
    expect(before).toMatchObject({ era: 'PMP_2025', type: 'free_customer_service' })
    expect(before.price?.amountMicros).toBe(0)
    expect(after).toMatchObject({ era: 'PMP_2026', type: 'regular', category: 'utility' })
    expect(after.price).toMatchObject({ amountMicros: 50_000, currency: 'USD', market: 'NL' })
  })

  it('keeps a message in a free entry point window free in every era that has one', () => {
    const facts = { ...UTILITY_IN_WINDOW, entryPointOpenedAt: AT - HOUR_MS }
    expect(repriceMessage(facts, WITH_2026, []).billing).toMatchObject({
      type: 'free_entry_point',
      category: 'referral_conversion',
    })
    const closed = { ...UTILITY_IN_WINDOW, entryPointOpenedAt: AT - FREE_ENTRY_POINT_MS }
    expect(repriceMessage(closed, WITH_2026, []).billing.type).toBe('regular')
  })

  it('opens a CBP conversation with the first message and carries it to the contact next message', () => {
    const cbp = { ...TODAY, pricingEra: eraById('CBP_FREE_SERVICE') }
    const first = repriceMessage({ ...UTILITY_IN_WINDOW, isCareWindowOpen: false }, cbp, [])
    expect(first.billing).toMatchObject({ category: 'utility', type: 'regular' })
    expect(first.billing.price?.amountMicros).toBeGreaterThan(0)
    expect(first.conversations).toHaveLength(1)
    const second = repriceMessage({ ...UTILITY_IN_WINDOW, at: AT + HOUR_MS }, cbp, first.conversations)
    expect(second.billing).toMatchObject({ type: 'in_conversation', price: { amountMicros: 0 } })
    expect(second.conversations).toEqual(first.conversations)
    const dayLater = repriceMessage({ ...UTILITY_IN_WINDOW, at: AT + 24 * HOUR_MS }, cbp, first.conversations)
    expect(dayLater.billing.type).toBe('regular')
    expect(dayLater.conversations).toHaveLength(1)
    expect(dayLater.conversations[0]?.openedAt).toBe(AT + 24 * HOUR_MS)
  })

  it('prices by the era of the instant under the settings when none is imposed', () => {
    const early = policySettings({ pricing2026Enabled: true, pricing2026At: utcDate('2026-11-02') })
    const at = { ...UTILITY_IN_WINDOW, at: utcDate('2026-11-02') - 1 }
    expect(repriceMessage(at, { ...TODAY, settings: early }, []).billing.era).toBe('PMP_2025')
    expect(repriceMessage({ ...at, at: at.at + 1 }, { ...TODAY, settings: early }, []).billing.era).toBe(
      'PMP_2026',
    )
  })
})
