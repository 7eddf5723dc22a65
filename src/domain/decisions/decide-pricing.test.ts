import { describe, expect, it } from 'vitest'
import { MESSENGER_BILLING } from '../pricing/billing.js'
import { SAMPLE_RATE_CARDS } from '../pricing/sample-rate-cards.js'
import { PRICING_2026_CHANGE } from '../settings.js'
import {
  businessMessage,
  DUTCH_CONTACT,
  M_2021,
  messengerMessage,
  NBP_LAST,
  optIn,
  PMP_LAST,
  sessionMessage,
  templateMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt, RECATEGORISED, WITH_2026 } from '../testing/decide-fixtures.js'
import { DAY_MS, HOUR_MS, parseInstant, utcDate } from '../time.js'
import type { ContactEvent } from '../windows/contact-events.js'
import type { DecisionContext } from './decide.js'
import type { Intent } from './intent.js'

describe('decide: pricing eras (SPEC §2)', () => {
  it.each(
    titled(
      (row) => `bills a reply 1 ms before ${row.boundary} in ${row.before} and at the instant in ${row.from}`,
      [
        { boundary: '2022-02-01', before: 'NBP', from: 'CBP_2022' },
        { boundary: '2023-06-01', before: 'CBP_2022', from: 'CBP_2023' },
        { boundary: '2024-11-01', before: 'CBP_2023', from: 'CBP_FREE_SERVICE' },
        { boundary: '2025-07-01', before: 'CBP_FREE_SERVICE', from: 'PMP_2025' },
      ],
    ),
  )('%s', (_title, { boundary, before, from }) => {
    const at = utcDate(boundary)
    const history = [userMessage(at - HOUR_MS)]
    expect(decideAt(sessionMessage(), at - 1, { history }).billing?.era).toBe(before)
    expect(decideAt(sessionMessage(), at, { history }).billing?.era).toBe(from)
  })

  it('applies the 2026-10-01 rule set only when it is switched on', () => {
    const history = [userMessage(PRICING_2026_CHANGE - HOUR_MS)]
    expect(
      decideAt(sessionMessage(), PRICING_2026_CHANGE - 1, { history, settings: WITH_2026 }).billing?.era,
    ).toBe('PMP_2025')
    const changed = decideAt(sessionMessage(), PRICING_2026_CHANGE, { history, settings: WITH_2026 })
    expect(changed.billing).toMatchObject({ era: 'PMP_2026', type: 'regular', billable: true })
    expect(changed.rules).toContain('PRC-PMP-2026')
    expect(decideAt(sessionMessage(), PRICING_2026_CHANGE, { history }).billing).toMatchObject({
      era: 'PMP_2025',
      type: 'free_customer_service',
    })
  })

  it('bills a re-categorised template by its category at the time of sending (TPL-CATEGORY)', () => {
    const history = [userMessage(RECATEGORISED - HOUR_MS)]
    const before = decideAt(templateMessage('loyalty_update'), RECATEGORISED - 1, { history })
    const after = decideAt(templateMessage('loyalty_update'), RECATEGORISED, { history })
    expect(before).toMatchObject({
      template: { category: 'UTILITY' },
      billing: { type: 'free_customer_service' },
    })
    expect(after).toMatchObject({
      template: { category: 'MARKETING' },
      billing: { type: 'regular', category: 'marketing' },
    })
  })

  it('asks for the opt-in of the category the template has at the time of sending', () => {
    const history = [userMessage(RECATEGORISED - 3 * DAY_MS)]
    const consent = [optIn('utility', RECATEGORISED - 4 * DAY_MS)]
    expect(decideAt(templateMessage('loyalty_update'), RECATEGORISED - 1, { history, consent }).reason).toBe(
      'OPTED_IN_TEMPLATE',
    )
    expect(decideAt(templateMessage('loyalty_update'), RECATEGORISED, { history, consent }).reason).toBe(
      'NO_OPT_IN',
    )
  })

  it('treats a legacy update category as utility under per-message pricing', () => {
    const decision = decideAt(templateMessage('shipping_notice'), PMP_LAST + HOUR_MS, {
      history: [userMessage(PMP_LAST)],
    })
    expect(decision).toMatchObject({
      template: { category: 'SHIPPING_UPDATE' },
      billing: { category: 'utility', type: 'free_customer_service' },
    })
  })
})

describe('decide: billing per era', () => {
  const priced: DecisionContext = { contact: DUTCH_CONTACT, rateCards: SAMPLE_RATE_CARDS }
  const wroteAt = (at: number): ContactEvent[] => [userMessage(at)]
  const CBP_2022 = parseInstant('2022-09-01T10:00:00Z')!
  const CBP_2023 = parseInstant('2023-09-01T10:00:00Z')!
  const FREE_SERVICE = parseInstant('2025-01-15T10:00:00Z')!
  const PMP_2026 = parseInstant('2026-11-02T10:00:00Z')!
  const everything = [optIn('all', utcDate('2018-01-01'))]

  it.each(
    titled((row) => row.scenario, [
      {
        scenario: 'NBP: a free-form reply is free',
        intent: sessionMessage(),
        at: NBP_LAST + HOUR_MS,
        context: { history: wroteAt(NBP_LAST) },
        billing: { pricingModel: 'NBP', category: 'service', billable: false, type: 'free_customer_service' },
        amountMicros: 0,
      },
      {
        scenario: 'NBP: a template inside the window is billed at the in-window rate (CCW-3)',
        intent: templateMessage('shipping_notice'),
        at: NBP_LAST + HOUR_MS,
        context: { history: wroteAt(NBP_LAST) },
        billing: { pricingModel: 'NBP', category: 'shipping_update', billable: true, type: 'in_window_rate' },
        amountMicros: 5_000,
      },
      {
        scenario: 'NBP: a template outside the window is billed at the regular rate',
        intent: templateMessage('shipping_notice'),
        at: NBP_LAST + 2 * DAY_MS,
        context: { history: wroteAt(NBP_LAST), consent: everything },
        billing: { pricingModel: 'NBP', billable: true, type: 'regular' },
        amountMicros: 65_000,
      },
      {
        scenario: 'CBP 2022: a reply opens a user-initiated conversation',
        intent: sessionMessage(),
        at: CBP_2022 + HOUR_MS,
        context: { history: wroteAt(CBP_2022) },
        billing: { pricingModel: 'CBP', category: 'user_initiated', billable: true, type: 'regular' },
        amountMicros: 86_000,
      },
      {
        scenario: 'CBP 2022: a template outside the window opens a business-initiated conversation',
        intent: templateMessage('account_notice'),
        at: CBP_2022 + 2 * DAY_MS,
        context: { history: wroteAt(CBP_2022), consent: everything },
        billing: { category: 'business_initiated', billable: true, type: 'regular' },
        amountMicros: 143_500,
      },
      {
        scenario: 'CBP 2022: a reply inside an open conversation costs nothing more',
        intent: sessionMessage(),
        at: CBP_2022 + 2 * HOUR_MS,
        context: { history: [...wroteAt(CBP_2022), businessMessage(CBP_2022 + HOUR_MS)] },
        billing: { category: 'user_initiated', billable: true, type: 'in_conversation' },
        amountMicros: 0,
      },
      {
        scenario: 'CBP 2022: a conversation under the free tier (999 used) is billable but free',
        intent: sessionMessage(),
        at: CBP_2022 + HOUR_MS,
        context: { history: wroteAt(CBP_2022), freeTierConversationsUsed: 999 },
        billing: { category: 'user_initiated', billable: true, type: 'free_tier' },
        amountMicros: 0,
      },
      {
        scenario: 'CBP 2022: a conversation at the free tier limit (1,000 used) is charged',
        intent: sessionMessage(),
        at: CBP_2022 + HOUR_MS,
        context: { history: wroteAt(CBP_2022), freeTierConversationsUsed: 1000 },
        billing: { category: 'user_initiated', billable: true, type: 'regular' },
        amountMicros: 86_000,
      },
      {
        scenario: 'CBP 2023: a marketing template opens a marketing conversation',
        intent: templateMessage('spring_sale'),
        at: CBP_2023 + HOUR_MS,
        context: { history: wroteAt(CBP_2023) },
        billing: { category: 'marketing', billable: true, type: 'regular' },
        amountMicros: 160_000,
      },
      {
        scenario: 'CBP 2023: a utility template opens a utility conversation',
        intent: templateMessage('account_notice'),
        at: CBP_2023 + HOUR_MS,
        context: { history: wroteAt(CBP_2023) },
        billing: { category: 'utility', billable: true, type: 'regular' },
        amountMicros: 80_000,
      },
      {
        scenario: 'CBP 2023: an authentication template opens an authentication conversation',
        intent: templateMessage('login_code'),
        at: CBP_2023 + HOUR_MS,
        context: { history: wroteAt(CBP_2023) },
        billing: { category: 'authentication', billable: true, type: 'regular' },
        amountMicros: 72_200,
      },
      {
        scenario: 'CBP 2023: a reply opens a service conversation',
        intent: sessionMessage(),
        at: CBP_2023 + HOUR_MS,
        context: { history: wroteAt(CBP_2023) },
        billing: { category: 'service', billable: true, type: 'regular' },
        amountMicros: 96_500,
      },
      {
        scenario: 'CBP 2023: a marketing template opens its own conversation while a service one is open',
        intent: templateMessage('spring_sale'),
        at: CBP_2023 + 2 * HOUR_MS,
        context: { history: [...wroteAt(CBP_2023), businessMessage(CBP_2023 + HOUR_MS)] },
        billing: { category: 'marketing', type: 'regular', conversation: { isNew: true } },
        amountMicros: 160_000,
      },
      {
        scenario: 'from 2024-11-01: a service conversation is free',
        intent: sessionMessage(),
        at: FREE_SERVICE + HOUR_MS,
        context: { history: wroteAt(FREE_SERVICE) },
        billing: { pricingModel: 'CBP', category: 'service', billable: false, type: 'free_customer_service' },
        amountMicros: 0,
      },
      {
        scenario: 'PMP: a reply is free customer service',
        intent: sessionMessage(),
        at: PMP_LAST + HOUR_MS,
        context: { history: wroteAt(PMP_LAST) },
        billing: { pricingModel: 'PMP', category: 'service', billable: false, type: 'free_customer_service' },
        amountMicros: 0,
      },
      {
        scenario: 'PMP: a utility template inside the window is free customer service',
        intent: templateMessage('account_notice'),
        at: PMP_LAST + HOUR_MS,
        context: { history: wroteAt(PMP_LAST) },
        billing: { category: 'utility', billable: false, type: 'free_customer_service' },
        amountMicros: 0,
      },
      {
        scenario: 'PMP: a utility template outside the window is charged',
        intent: templateMessage('account_notice'),
        at: PMP_LAST + 2 * DAY_MS,
        context: { history: wroteAt(PMP_LAST), consent: everything },
        billing: { category: 'utility', billable: true, type: 'regular' },
        amountMicros: 50_000,
      },
      {
        scenario: 'PMP: a marketing template is charged even inside the window',
        intent: templateMessage('spring_sale'),
        at: PMP_LAST + HOUR_MS,
        context: { history: wroteAt(PMP_LAST) },
        billing: { category: 'marketing', billable: true, type: 'regular' },
        amountMicros: 159_700,
      },
      {
        scenario: 'PMP: an authentication template is charged even inside the window',
        intent: templateMessage('login_code'),
        at: PMP_LAST + HOUR_MS,
        context: { history: wroteAt(PMP_LAST) },
        billing: { category: 'authentication', billable: true, type: 'regular' },
        amountMicros: 46_400,
      },
      {
        scenario: 'PMP: a marketing template to a customer from an ad is a free entry point',
        intent: templateMessage('spring_sale'),
        at: PMP_LAST + HOUR_MS,
        context: { history: [userMessage(PMP_LAST, { referral: 'cta' })] },
        billing: { category: 'referral_conversion', billable: false, type: 'free_entry_point' },
        amountMicros: 0,
      },
      {
        scenario: '2026 change: a reply is charged',
        intent: sessionMessage(),
        at: PMP_2026 + HOUR_MS,
        context: { history: wroteAt(PMP_2026), settings: WITH_2026 },
        billing: {
          pricingModel: 'PMP',
          era: 'PMP_2026',
          category: 'service',
          billable: true,
          type: 'regular',
        },
        amountMicros: 9_600,
      },
      {
        scenario: '2026 change: a utility template inside the window is charged',
        intent: templateMessage('account_notice'),
        at: PMP_2026 + HOUR_MS,
        context: { history: wroteAt(PMP_2026), settings: WITH_2026 },
        billing: { era: 'PMP_2026', category: 'utility', billable: true, type: 'regular' },
        amountMicros: 50_000,
      },
    ] satisfies readonly {
      scenario: string
      intent: Intent
      at: number
      context: DecisionContext
      billing: Record<string, unknown>
      amountMicros: number
    }[]),
  )('%s', (_title, { intent, at, context, billing, amountMicros }) => {
    const decision = decideAt(intent, at, { ...priced, ...context })
    expect(decision.allowed).toBe(true)
    expect(decision.billing).toMatchObject({ ...billing, price: { amountMicros, currency: 'USD' } })
    expect(decideAt(intent, at, context).billing?.price).toBeNull()
  })

  it('prices in the market of the contact’s phone number', () => {
    const decision = decideAt(templateMessage('spring_sale'), PMP_LAST + HOUR_MS, {
      ...priced,
      history: wroteAt(PMP_LAST),
    })
    expect(decision.billing?.price).toEqual({
      amountMicros: 159_700,
      currency: 'USD',
      rateCardId: 'sample-2025-pmp',
      market: 'NL',
    })
  })

  it('prefers a country given by the caller to the phone number’s', () => {
    const decision = decideAt(templateMessage('spring_sale'), PMP_LAST + HOUR_MS, {
      ...priced,
      country: 'US',
      history: wroteAt(PMP_LAST),
    })
    expect(decision.billing?.price).toMatchObject({ amountMicros: 25_000, market: 'US' })
  })

  it('prices at the rest-of-world rate when the contact is unknown', () => {
    const decision = decideAt(templateMessage('spring_sale'), PMP_LAST + HOUR_MS, {
      rateCards: SAMPLE_RATE_CARDS,
      history: wroteAt(PMP_LAST),
    })
    expect(decision.billing?.price).toMatchObject({ amountMicros: 60_400, market: '*' })
  })

  it('never charges Messenger messages', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + HOUR_MS, {
      ...priced,
      history: [userMessage(M_2021)],
    })
    expect(decision.billing).toEqual(MESSENGER_BILLING)
  })
})
