import { describe, expect, it } from 'vitest'
import { policySettings } from '../settings.js'
import { bill, PMP, SESSION, templateOf } from '../testing/billing-fixtures.js'
import { utcDate } from '../time.js'
import { NEW_CONTACT } from '../windows/contact-state.js'
import { MESSENGER_BILLING, whatsappBilling } from './billing.js'
import { pricingEraAt } from './pricing-eras.js'
import { SAMPLE_RATE_CARDS } from './sample-rate-cards.js'

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
