import type { RuleId } from '../rules.js'
import { describe, expect, it } from 'vitest'
import { titled } from '../testing/builders.js'
import { policySettings, type PolicySettings } from '../settings.js'
import type { TemplateCategory } from '../templates/template.js'
import { HOUR_MS, parseInstant, utcDate } from '../time.js'
import type { SentMessage } from '../windows/contact-events.js'
import { NEW_CONTACT, type ContactState } from '../windows/contact-state.js'
import { MESSENGER_BILLING, whatsappBilling, type BillingInput } from './billing.js'
import { pricingEraAt } from './pricing-eras.js'
import type { RateCard } from './rate-card.js'
import { SAMPLE_RATE_CARDS } from './sample-rate-cards.js'

const NBP = parseInstant('2021-06-01T12:00:00Z')!
const CBP_2022 = parseInstant('2022-09-01T12:00:00Z')!
const CBP_2023 = parseInstant('2023-09-01T12:00:00Z')!
const FREE_SERVICE = parseInstant('2025-01-15T12:00:00Z')!
const PMP = parseInstant('2025-09-01T12:00:00Z')!
const PMP_2026 = parseInstant('2026-11-02T12:00:00Z')!

const SESSION: SentMessage = { type: 'session' }
const templateOf = (category: TemplateCategory): SentMessage => ({ type: 'template', category })

function bill(
  at: number,
  sent: SentMessage,
  options: {
    inWindow?: boolean
    state?: ContactState
    settings?: PolicySettings
    rateCards?: readonly RateCard[]
    country?: string | null
    freeTierConversationsUsed?: number
  } = {},
) {
  const settings = options.settings ?? policySettings()
  const input: BillingInput = {
    era: pricingEraAt(at, settings),
    state: options.state ?? NEW_CONTACT,
    at,
    settings,
    rateCards: options.rateCards ?? SAMPLE_RATE_CARDS,
    contact: undefined,
    country: options.country === undefined ? 'NL' : options.country,
    freeTierConversationsUsed: options.freeTierConversationsUsed,
  }
  const rules: RuleId[] = []
  const billing = whatsappBilling(input, sent, options.inWindow ?? true, rules)
  return { billing, rules }
}

/** A contact whose ad or call-to-action message at `at` waits for its first reply (FEP-1). */
const arrivedFromAd = (at: number): ContactState => ({
  ...NEW_CONTACT,
  lastUserMessageAt: at,
  referralAt: at,
})

describe('MESSENGER_BILLING', () => {
  it('charges nothing and is not billable', () => {
    expect(MESSENGER_BILLING).toEqual({
      pricingModel: 'NONE',
      era: 'MESSENGER',
      category: 'messenger',
      billable: false,
      type: 'free',
      conversation: null,
      rateCategory: null,
      price: null,
    })
  })
})

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

  describe('prices', () => {
    it('are null without rate cards', () => {
      expect(bill(PMP, templateOf('MARKETING'), { rateCards: [] }).billing.price).toBeNull()
      expect(bill(PMP, SESSION, { rateCards: [] }).billing.price).toBeNull()
    })

    it('are null before the first rate card takes effect', () => {
      expect(bill(utcDate('2018-01-01'), templateOf('UTILITY')).billing.price).toBeNull()
    })

    it('come from the rest-of-world row when the country is unknown or unlisted', () => {
      expect(bill(PMP, templateOf('MARKETING'), { country: null }).billing.price).toMatchObject({
        amountMicros: 60_400,
        market: '*',
      })
      expect(bill(PMP, templateOf('MARKETING'), { country: 'BR' }).billing.price?.market).toBe('*')
    })

    it.each([
      ['31612345678', 'NL'],
      ['4915112345678', 'DE'],
      ['2487329847239847', '*'],
    ])(
      'look the market up from the phone number of contact %s when no country is given',
      (contact, market) => {
        const billing = whatsappBilling(
          {
            era: pricingEraAt(PMP, policySettings()),
            state: NEW_CONTACT,
            at: PMP,
            settings: policySettings(),
            rateCards: SAMPLE_RATE_CARDS,
            contact,
            country: undefined,
            freeTierConversationsUsed: undefined,
          },
          templateOf('MARKETING'),
          true,
          [],
        )
        expect(billing.price?.market).toBe(market)
      },
    )

    it('prefer the country given over the phone number', () => {
      const billing = whatsappBilling(
        {
          era: pricingEraAt(PMP, policySettings()),
          state: NEW_CONTACT,
          at: PMP,
          settings: policySettings(),
          rateCards: SAMPLE_RATE_CARDS,
          contact: '31612345678',
          country: 'DE',
          freeTierConversationsUsed: undefined,
        },
        templateOf('MARKETING'),
        true,
        [],
      )
      expect(billing.price?.market).toBe('DE')
    })
  })
})
