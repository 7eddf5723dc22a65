import { describe, expect, it } from 'vitest'
import { policySettings } from '../settings.js'
import {
  arrivedFromAd,
  bill,
  CBP_2022,
  CBP_2023,
  FREE_SERVICE,
  SESSION,
  templateOf,
} from '../testing/billing-fixtures.js'
import { titled } from '../testing/builders.js'
import { HOUR_MS } from '../time.js'
import { NEW_CONTACT, type ContactState } from '../windows/contact-state.js'

describe('whatsappBilling', () => {
  describe('under conversation-based pricing from 2022 (PRC-CBP-2022)', () => {
    it('opens a user-initiated conversation with a reply inside the window', () => {
      const { billing, rules } = bill(CBP_2022, SESSION)
      expect(billing).toMatchObject({
        pricingModel: 'CBP',
        era: 'CBP_2022',
        category: 'user_initiated',
        billable: true,
        type: 'regular',
        conversation: { category: 'user_initiated', openedAt: CBP_2022, isNew: true },
        rateCategory: 'user_initiated',
        price: { amountMicros: 86_000, market: 'NL', rateCardId: 'sample-2022-cbp' },
      })
      expect(rules).toEqual(['PRC-CBP-2022'])
    })

    it('opens a business-initiated conversation with a template outside the window', () => {
      const { billing } = bill(CBP_2022, templateOf('TRANSACTIONAL'), { inWindow: false })
      expect(billing).toMatchObject({
        category: 'business_initiated',
        type: 'regular',
        price: { amountMicros: 143_500 },
      })
    })

    it('does not charge again for a message inside an open conversation, though it stays billable', () => {
      const state: ContactState = {
        ...NEW_CONTACT,
        conversations: [
          { category: 'user_initiated', openedAt: CBP_2022 - HOUR_MS, expiresAt: CBP_2022 + 23 * HOUR_MS },
        ],
      }
      expect(bill(CBP_2022, SESSION, { state }).billing).toMatchObject({
        billable: true,
        type: 'in_conversation',
        conversation: { openedAt: CBP_2022 - HOUR_MS, isNew: false },
        rateCategory: null,
        price: { amountMicros: 0 },
      })
    })

    it.each(
      titled(
        (row) =>
          `bills a new conversation as ${row.type} when ${row.used === undefined ? 'the caller does not know how many' : String(row.used)} of the 1,000 free conversations are used`,
        [
          { used: 0, type: 'free_tier', amountMicros: 0 },
          { used: 999, type: 'free_tier', amountMicros: 0 },
          { used: 1000, type: 'regular', amountMicros: 143_500 },
          { used: undefined, type: 'regular', amountMicros: 143_500 },
        ],
      ),
    )('%s', (_title, { used, type, amountMicros }) => {
      const { billing } = bill(CBP_2022, templateOf('MARKETING'), {
        inWindow: false,
        freeTierConversationsUsed: used,
      })
      expect(billing).toMatchObject({ billable: true, type, price: { amountMicros } })
    })

    it('follows a configured free tier', () => {
      const settings = policySettings({ freeTierConversationsPerMonth: 10 })
      expect(bill(CBP_2022, SESSION, { settings, freeTierConversationsUsed: 10 }).billing.type).toBe(
        'regular',
      )
      expect(bill(CBP_2022, SESSION, { settings, freeTierConversationsUsed: 9 }).billing.type).toBe(
        'free_tier',
      )
    })
  })

  describe('under conversation-based pricing from 2023-06-01 (PRC-CBP-2023)', () => {
    it.each(
      titled(
        (row) => `opens a conversation of category ${row.category} with ${row.what}`,
        [
          {
            what: 'a marketing template',
            sent: templateOf('MARKETING'),
            category: 'marketing',
            amountMicros: 160_000,
          },
          {
            what: 'a utility template',
            sent: templateOf('UTILITY'),
            category: 'utility',
            amountMicros: 80_000,
          },
          {
            what: 'an authentication template',
            sent: templateOf('AUTHENTICATION'),
            category: 'authentication',
            amountMicros: 72_200,
          },
          { what: 'a free-form reply', sent: SESSION, category: 'service', amountMicros: 96_500 },
        ],
      ),
    )('%s', (_title, { sent, category, amountMicros }) => {
      const { billing } = bill(CBP_2023, sent)
      expect(billing).toMatchObject({
        era: 'CBP_2023',
        category,
        billable: true,
        type: 'regular',
        conversation: { category, isNew: true },
        rateCategory: category,
        price: { amountMicros, rateCardId: 'sample-2023-cbp' },
      })
    })

    it('opens a marketing conversation of its own while a service conversation is open', () => {
      const state: ContactState = {
        ...NEW_CONTACT,
        conversations: [
          { category: 'service', openedAt: CBP_2023 - HOUR_MS, expiresAt: CBP_2023 + 23 * HOUR_MS },
        ],
      }
      expect(bill(CBP_2023, templateOf('MARKETING'), { state }).billing).toMatchObject({
        category: 'marketing',
        type: 'regular',
        conversation: { isNew: true, openedAt: CBP_2023 },
      })
    })

    it('keeps the free tier for service conversations only', () => {
      expect(bill(CBP_2023, SESSION, { freeTierConversationsUsed: 999 }).billing.type).toBe('free_tier')
      expect(bill(CBP_2023, SESSION, { freeTierConversationsUsed: 1000 }).billing.type).toBe('regular')
      expect(bill(CBP_2023, templateOf('UTILITY'), { freeTierConversationsUsed: 0 }).billing.type).toBe(
        'regular',
      )
    })

    it('does not charge messages in a free entry point window, and cites FEP-1', () => {
      const { billing, rules } = bill(CBP_2023, templateOf('MARKETING'), { state: arrivedFromAd(CBP_2023) })
      expect(billing).toMatchObject({
        category: 'referral_conversion',
        billable: false,
        type: 'free_entry_point',
        conversation: { category: 'referral_conversion', isNew: true, expiresAt: CBP_2023 + 72 * HOUR_MS },
        rateCategory: null,
        price: { amountMicros: 0 },
      })
      expect(rules).toEqual(['PRC-CBP-2023', 'FEP-1', 'TPL-CATEGORY', 'CCW-3'])
    })
  })

  describe('with free service conversations from 2024-11-01 (PRC-FREE-SERVICE)', () => {
    it('opens a service conversation for free', () => {
      const { billing, rules } = bill(FREE_SERVICE, SESSION)
      expect(billing).toMatchObject({
        pricingModel: 'CBP',
        era: 'CBP_FREE_SERVICE',
        category: 'service',
        billable: false,
        type: 'free_customer_service',
        conversation: { category: 'service', isNew: true },
        price: { amountMicros: 0 },
      })
      expect(rules).toEqual(['PRC-FREE-SERVICE'])
    })

    it('marks later messages of the free service conversation as part of it', () => {
      const state: ContactState = {
        ...NEW_CONTACT,
        conversations: [
          { category: 'service', openedAt: FREE_SERVICE - HOUR_MS, expiresAt: FREE_SERVICE + 23 * HOUR_MS },
        ],
      }
      expect(bill(FREE_SERVICE, SESSION, { state }).billing).toMatchObject({
        billable: false,
        type: 'in_conversation',
        conversation: { isNew: false },
      })
    })

    it('still charges templates, with no free tier left', () => {
      expect(
        bill(FREE_SERVICE, templateOf('MARKETING'), { freeTierConversationsUsed: 0 }).billing,
      ).toMatchObject({
        category: 'marketing',
        billable: true,
        type: 'regular',
        price: { amountMicros: 160_000 },
      })
    })
  })
})
