import { describe, expect, it } from 'vitest'
import { arrivedFromAd, bill, NBP, SESSION, templateOf } from '../testing/billing-fixtures.js'

describe('whatsappBilling', () => {
  describe('under notification-based pricing (PRC-NBP)', () => {
    it('does not charge a reply inside the window', () => {
      const { billing, rules } = bill(NBP, SESSION)
      expect(billing).toMatchObject({
        pricingModel: 'NBP',
        era: 'NBP',
        category: 'service',
        billable: false,
        type: 'free_customer_service',
        rateCategory: null,
        price: { amountMicros: 0, currency: 'USD', rateCardId: 'sample-2018-nbp' },
      })
      expect(rules).toEqual(['PRC-NBP'])
    })

    it('bills a template inside the window at the in-window rate (CCW-3)', () => {
      const { billing, rules } = bill(NBP, templateOf('SHIPPING_UPDATE'))
      expect(billing).toMatchObject({
        category: 'shipping_update',
        billable: true,
        type: 'in_window_rate',
        conversation: null,
        rateCategory: 'notification_in_window',
        price: { amountMicros: 5_000, currency: 'USD', market: 'NL' },
      })
      expect(rules).toEqual(['PRC-NBP', 'TPL-CATEGORY', 'CCW-3'])
    })

    it('bills a template outside the window as a regular notification', () => {
      const { billing, rules } = bill(NBP, templateOf('ISSUE_RESOLUTION'), { inWindow: false })
      expect(billing).toMatchObject({
        billable: true,
        type: 'regular',
        rateCategory: 'notification',
        price: { amountMicros: 65_000 },
      })
      expect(rules).toEqual(['PRC-NBP', 'TPL-CATEGORY'])
    })

    it('knows no free entry point yet', () => {
      const { billing, rules } = bill(NBP, SESSION, { state: arrivedFromAd(NBP) })
      expect(billing.type).toBe('free_customer_service')
      expect(rules).not.toContain('FEP-1')
    })
  })
})
