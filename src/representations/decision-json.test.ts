import { describe, expect, it } from 'vitest'
import {
  decide,
  explain,
  policySettings,
  SAMPLE_RATE_CARDS,
  templateCatalog,
  type ContactEvent,
  type Decision,
  type Intent,
  type WindowSnapshot,
} from '../domain/index.js'
import { billingJson, consentJson, decisionJson, windowJson } from './decision-json.js'

const at = (iso: string) => Date.parse(iso)
const CONTACT = '31612345678'
const text: Intent = { platform: 'whatsapp', kind: 'session', messageType: 'text' }
const hi: ContactEvent = { kind: 'inbound', at: at('2025-09-01T09:00:00Z') }
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf)
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)])
}

const inWindow = decide(
  text,
  { history: [hi], contact: CONTACT, rateCards: SAMPLE_RATE_CARDS },
  at('2025-09-01T09:05:00Z'),
)
const closed = decide(text, { history: [hi], contact: CONTACT }, at('2025-09-02T10:30:00Z'))

describe('decisionJson', () => {
  it('writes only snake_case keys', () => {
    for (const decision of [inWindow, closed]) {
      expect(
        keysOf(decisionJson(decision, { contact: CONTACT })).filter((key) => !SNAKE_CASE.test(key)),
      ).toEqual([])
    }
  })

  it('writes the decision instant and the window instants as ISO 8601 strings', () => {
    expect(decisionJson(inWindow)).toMatchObject({
      at: '2025-09-01T09:05:00.000Z',
      platform: 'whatsapp',
      allowed: true,
      reason: 'IN_CARE_WINDOW',
      rules: inWindow.rules,
      window: {
        state: 'open',
        type: 'customer_care',
        opened_at: '2025-09-01T09:00:00.000Z',
        last_user_message_at: '2025-09-01T09:00:00.000Z',
        expires_at: '2025-09-02T09:00:00.000Z',
      },
    })
  })

  it('includes the contact only when it is given', () => {
    expect(decisionJson(inWindow, { contact: CONTACT })).toMatchObject({ contact: CONTACT })
    expect(decisionJson(inWindow)).not.toHaveProperty('contact')
  })

  it('counts the seconds left in an open window, and none in a closed one', () => {
    expect(decisionJson(inWindow)).toMatchObject({ window: { seconds_left: 23 * 3600 + 55 * 60 } })
    expect(decisionJson(closed)).toMatchObject({ window: { state: 'closed', seconds_left: 0 } })
  })

  it('bills an allowed message with the price as a decimal string and as integer micros', () => {
    const decision = decide(
      {
        platform: 'whatsapp',
        kind: 'template',
        template: { name: 'delivery_update', language: { code: 'en' } },
      },
      {
        history: [hi],
        contact: CONTACT,
        rateCards: SAMPLE_RATE_CARDS,
        templates: templateCatalog([
          {
            name: 'delivery_update',
            language: 'en',
            category: 'UTILITY',
            status: 'APPROVED',
            issueResolution: false,
            body: 'Shipped.',
          },
        ]),
        consent: [
          { kind: 'opt_in', scope: 'utility', source: 'website_form', at: at('2025-08-01T00:00:00Z') },
        ],
      },
      at('2025-09-04T09:00:00Z'),
    )
    if (!decision.allowed) throw new Error(`expected an allowed decision, got ${decision.reason}`)
    const json = decisionJson(decision)
    expect(json).toMatchObject({
      reason: 'OPTED_IN_TEMPLATE',
      template: { name: 'delivery_update', language: 'en', category: 'UTILITY', issue_resolution: false },
      billing: {
        pricing_model: 'PMP',
        era: 'PMP_2025',
        category: 'utility',
        billable: true,
        type: 'regular',
        conversation: null,
      },
    })
    const price = decision.billing.price
    expect(price).not.toBeNull()
    expect(json).toMatchObject({
      billing: {
        price: {
          amount_micros: price?.amountMicros,
          currency: price?.currency,
          rate_card: price?.rateCardId,
          market: price?.market,
        },
      },
    })
    const amount = (json.billing as { price: { amount: string } }).price.amount
    expect(amount).toMatch(/^\d+(\.\d{1,6})?$/)
    expect(Math.round(Number(amount) * 1_000_000)).toBe(price?.amountMicros)
    expect(json).not.toHaveProperty('error')
  })

  it('writes a null price when no rate card applies', () => {
    const decision = decide(text, { history: [hi], contact: CONTACT }, at('2025-09-01T09:05:00Z'))
    expect(decisionJson(decision)).toMatchObject({ billing: { price: null } })
  })

  it('writes a conversation-based billing with its conversation instants', () => {
    const decision = decide(
      text,
      { history: [{ kind: 'inbound', at: at('2023-09-01T09:00:00Z') }], contact: CONTACT },
      at('2023-09-01T09:10:00Z'),
    )
    if (!decision.allowed || decision.billing.conversation === null)
      throw new Error('expected a CBP conversation')
    expect(decisionJson(decision)).toMatchObject({
      billing: {
        pricing_model: 'CBP',
        conversation: {
          category: decision.billing.conversation.category,
          opened_at: new Date(decision.billing.conversation.openedAt).toISOString(),
          expires_at: new Date(decision.billing.conversation.expiresAt).toISOString(),
          is_new: decision.billing.conversation.isNew,
        },
      },
    })
  })

  it('writes a refusal with its Graph error, no billing and no error_subcode when there is none', () => {
    if (closed.allowed) throw new Error('expected a refusal')
    const json = decisionJson(closed)
    expect(json).toMatchObject({
      allowed: false,
      reason: 'WINDOW_CLOSED',
      billing: null,
      error: { code: 131047, title: closed.error.title, details: closed.error.details },
    })
    expect(json.error).not.toHaveProperty('error_subcode')
  })

  it('writes error_subcode when the refusal has one', () => {
    const messengerHistory: ContactEvent[] = [{ kind: 'inbound', at: at('2021-11-04T09:00:00Z') }]
    const decision = decide(
      { platform: 'messenger', kind: 'message', messagingType: 'UPDATE', tag: null, sender: 'bot' },
      { history: messengerHistory },
      at('2021-11-06T12:00:00Z'),
    )
    expect(decisionJson(decision)).toMatchObject({
      reason: 'OUTSIDE_MESSENGER_WINDOW',
      billing: null,
      error: { code: 10, error_subcode: 2018278 },
    })
  })

  it('gives WhatsApp windows the free entry point field and Messenger windows the human agent and +1 fields', () => {
    const whatsapp = decisionJson(inWindow).window
    expect(whatsapp).toHaveProperty('free_entry_point_expires_at', null)
    expect(whatsapp).not.toHaveProperty('plus_one')
    expect(whatsapp).not.toHaveProperty('human_agent_expires_at')

    const messenger = decide(
      { platform: 'messenger', kind: 'message', messagingType: 'RESPONSE', tag: null, sender: 'bot' },
      { history: [{ kind: 'inbound', at: at('2019-11-04T09:00:00Z') }] },
      at('2019-11-04T09:02:00Z'),
    )
    expect(decisionJson(messenger).window).toMatchObject({
      type: 'messenger_standard',
      human_agent_expires_at: '2019-11-11T09:00:00.000Z',
      plus_one: 'available',
    })
    expect(decisionJson(messenger).window).not.toHaveProperty('free_entry_point_expires_at')
    expect(decisionJson(messenger)).toMatchObject({
      billing: { pricing_model: 'NONE', era: 'MESSENGER', price: null },
    })
  })

  it('writes null instants for a contact never heard from', () => {
    const decision = decide(text, {}, at('2025-09-01T09:00:00Z'))
    expect(decisionJson(decision).window).toEqual({
      state: 'closed',
      type: 'customer_care',
      opened_at: null,
      last_user_message_at: null,
      expires_at: null,
      seconds_left: 0,
      free_entry_point_expires_at: null,
    })
  })

  it('explains the decision in plain language, with the dates of the settings given', () => {
    const settings = policySettings({ messengerPolicyChangeAt: at('2020-03-04T00:00:00Z') })
    const decision = decide(
      { platform: 'messenger', kind: 'message', messagingType: 'UPDATE', tag: null, sender: 'bot' },
      { history: [{ kind: 'inbound', at: at('2021-11-04T09:00:00Z') }], settings },
      at('2021-11-06T12:00:00Z'),
    )
    expect(decisionJson(decision, { settings }).explanation).toBe(explain(decision, settings))
    expect(decisionJson(decision, { settings }).explanation).toContain('ended at 2020-03-04 00:00 UTC')
    expect(decisionJson(decision).explanation).toContain('ended at 2020-01-15 00:00 UTC')
  })

  it('writes the consent in force per category, with the instant as ISO 8601', () => {
    const decision = decide(
      text,
      {
        history: [hi],
        consent: [{ kind: 'opt_out', scope: 'marketing', source: 'keyword', at: at('2025-09-01T09:01:00Z') }],
      },
      at('2025-09-01T09:05:00Z'),
    )
    expect(decisionJson(decision).consent).toEqual({
      marketing: {
        state: 'opted_out',
        since: '2025-09-01T09:01:00.000Z',
        scope: 'marketing',
        source: 'keyword',
      },
      utility: { state: 'none', since: null, scope: null, source: null },
      authentication: { state: 'none', since: null, scope: null, source: null },
      revoked_all_at: null,
    })
  })
})

describe('windowJson', () => {
  const open: WindowSnapshot = {
    state: 'open',
    type: 'free_entry_point',
    openedAt: at('2025-10-06T08:00:00Z'),
    lastUserMessageAt: at('2025-10-06T08:00:00Z'),
    expiresAt: at('2025-10-07T08:00:00Z'),
    freeEntryPointExpiresAt: at('2025-10-09T09:00:00Z'),
    humanAgentExpiresAt: null,
    plusOne: null,
  }

  it('rounds the seconds left down to whole seconds', () => {
    expect(windowJson(open, at('2025-10-07T07:59:58.999Z'))).toMatchObject({ seconds_left: 1 })
    expect(windowJson(open, at('2025-10-07T07:59:59.001Z'))).toMatchObject({ seconds_left: 0 })
  })

  it('leaves seconds_left out without an instant', () => {
    expect(windowJson(open)).toEqual({
      state: 'open',
      type: 'free_entry_point',
      opened_at: '2025-10-06T08:00:00.000Z',
      last_user_message_at: '2025-10-06T08:00:00.000Z',
      expires_at: '2025-10-07T08:00:00.000Z',
      free_entry_point_expires_at: '2025-10-09T09:00:00.000Z',
    })
  })
})

describe('billingJson and consentJson', () => {
  it('are the billing and consent of decisionJson', () => {
    const decision: Decision = inWindow
    if (!decision.allowed) throw new Error('expected an allowed decision')
    const json = decisionJson(decision)
    expect(json.billing).toEqual(billingJson(decision.billing))
    expect(json.consent).toEqual(consentJson(decision.consent))
  })
})
