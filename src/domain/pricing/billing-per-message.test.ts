import { describe, expect, it } from 'vitest'
import { policySettings } from '../settings.js'
import { arrivedFromAd, bill, PMP, PMP_2026, SESSION, templateOf } from '../testing/billing-fixtures.js'
import { titled } from '../testing/builders.js'

describe('whatsappBilling', () => {
  describe('under per-message pricing (PRC-PMP)', () => {
    it.each(
      titled(
        (row) => `does not charge ${row.what} (free_customer_service)`,
        [
          { what: 'a free-form reply', sent: SESSION, inWindow: true, category: 'service' },
          {
            what: 'a utility template inside the window',
            sent: templateOf('UTILITY'),
            inWindow: true,
            category: 'utility',
          },
        ],
      ),
    )('%s', (_title, { sent, inWindow, category }) => {
      expect(bill(PMP, sent, { inWindow }).billing).toEqual({
        pricingModel: 'PMP',
        era: 'PMP_2025',
        category,
        billable: false,
        type: 'free_customer_service',
        conversation: null,
        rateCategory: null,
        price: { amountMicros: 0, currency: 'USD', rateCardId: 'sample-2025-pmp', market: '*' },
      })
    })

    it.each(
      titled(
        (row) => `charges ${row.what} as regular`,
        [
          {
            what: 'a utility template outside the window',
            sent: templateOf('UTILITY'),
            inWindow: false,
            category: 'utility',
            amountMicros: 50_000,
          },
          {
            what: 'a marketing template inside the window',
            sent: templateOf('MARKETING'),
            inWindow: true,
            category: 'marketing',
            amountMicros: 159_700,
          },
          {
            what: 'a marketing template outside the window',
            sent: templateOf('MARKETING'),
            inWindow: false,
            category: 'marketing',
            amountMicros: 159_700,
          },
          {
            what: 'an authentication template inside the window',
            sent: templateOf('AUTHENTICATION'),
            inWindow: true,
            category: 'authentication',
            amountMicros: 46_400,
          },
        ],
      ),
    )('%s', (_title, { sent, inWindow, category, amountMicros }) => {
      expect(bill(PMP, sent, { inWindow }).billing).toMatchObject({
        category,
        billable: true,
        type: 'regular',
        rateCategory: category,
        price: { amountMicros, market: 'NL' },
      })
    })

    it('does not charge anything in a free entry point window', () => {
      const { billing, rules } = bill(PMP, templateOf('MARKETING'), {
        state: arrivedFromAd(PMP),
        inWindow: false,
      })
      expect(billing).toMatchObject({
        category: 'referral_conversion',
        billable: false,
        type: 'free_entry_point',
      })
      expect(rules).toEqual(['PRC-PMP', 'FEP-1', 'TPL-CATEGORY'])
    })
  })

  describe('under the reported 2026-10-01 change (PRC-PMP-2026)', () => {
    const settings = policySettings({ pricing2026Enabled: true })

    it.each(
      titled(
        (row) => `charges ${row.what} when the change is switched on`,
        [
          { what: 'a free-form reply', sent: SESSION, category: 'service', amountMicros: 9_600 },
          {
            what: 'a utility template inside the window',
            sent: templateOf('UTILITY'),
            category: 'utility',
            amountMicros: 50_000,
          },
        ],
      ),
    )('%s', (_title, { sent, category, amountMicros }) => {
      const { billing, rules } = bill(PMP_2026, sent, { settings })
      expect(billing).toMatchObject({
        era: 'PMP_2026',
        category,
        billable: true,
        type: 'regular',
        price: { amountMicros },
      })
      expect(rules[0]).toBe('PRC-PMP-2026')
    })

    it('keeps messages free while the change is off (the default)', () => {
      expect(bill(PMP_2026, SESSION).billing).toMatchObject({
        era: 'PMP_2025',
        type: 'free_customer_service',
      })
    })

    it('keeps the free entry point window free', () => {
      expect(bill(PMP_2026, SESSION, { settings, state: arrivedFromAd(PMP_2026) }).billing.type).toBe(
        'free_entry_point',
      )
    })
  })
})
