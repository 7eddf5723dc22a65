import { describe, expect, it } from 'vitest'
import { FREE_ENTRY_POINT_MS } from '../../domain/index.js'
import type { MessageRecord } from '../../store/store.js'
import { pricedFactsOf } from './priced-facts.js'

const AT = Date.parse('2026-11-02T10:00:00Z')

function sent(decision: unknown, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: 'msg_1',
    tenantId: 'acme',
    channelId: 'ch-1',
    contactId: '31611111111',
    direction: 'outbound',
    externalId: null,
    at: AT,
    bodyJson: null,
    allowed: true,
    reason: 'IN_CARE_WINDOW',
    decisionJson: decision === undefined ? null : JSON.stringify(decision),
    priceMicros: 0,
    currency: 'EUR',
    status: 'delivered',
    statusAt: AT,
    metaPricingJson: null,
    errorJson: null,
    createdAt: AT,
    market: 'NL',
    ...overrides,
  }
}

const decision = (overrides: Record<string, unknown> = {}) => ({
  platform: 'whatsapp',
  allowed: true,
  rules: ['CCW-1', 'CCW-2', 'CCW-4', 'PRC-PMP'],
  window: { state: 'open', free_entry_point_expires_at: null },
  template: null,
  billing: { conversation: null },
  ...overrides,
})

describe('pricedFactsOf', () => {
  it('reads a free-form reply as sent inside the window, in the contact’s market', () => {
    expect(pricedFactsOf(sent(decision()))).toEqual({
      at: AT,
      sent: { type: 'session' },
      isCareWindowOpen: true,
      entryPointOpenedAt: null,
      country: 'NL',
    })
  })

  it('reads a template by the category it had when sent, and whether the window was open', () => {
    const facts = pricedFactsOf(
      sent(decision({ window: { state: 'closed' }, template: { name: 't', category: 'MARKETING' } })),
    )
    expect(facts).toMatchObject({
      sent: { type: 'template', category: 'MARKETING' },
      isCareWindowOpen: false,
    })
  })

  it('dates a free entry point window from its CBP conversation or from when the window ends', () => {
    const opened = AT - 3_600_000
    const conversation = { category: 'referral_conversion', opened_at: new Date(opened).toISOString() }
    const rules = ['FEP-1', 'PRC-CBP-2023']
    expect(pricedFactsOf(sent(decision({ rules, billing: { conversation } })))?.entryPointOpenedAt).toBe(
      opened,
    )
    const window = {
      state: 'open',
      free_entry_point_expires_at: new Date(opened + FREE_ENTRY_POINT_MS).toISOString(),
    }
    expect(pricedFactsOf(sent(decision({ rules, window })))?.entryPointOpenedAt).toBe(opened)
    expect(pricedFactsOf(sent(decision({ rules })))?.entryPointOpenedAt).toBe(AT)
  })

  it.each([
    ['a message without a decision (imported history)', sent(undefined)],
    ['a refusal', sent(decision({ allowed: false }), { allowed: false })],
    ['a Messenger message', sent(decision({ platform: 'messenger' }))],
    ['an inbound message', sent(decision(), { direction: 'inbound', allowed: null })],
    ['a decision that is not JSON', sent(undefined, { decisionJson: '{' })],
    ['a decision that is not an object', sent(undefined, { decisionJson: '7' })],
  ])('cannot price %s again', (_title, message) => {
    expect(pricedFactsOf(message)).toBeNull()
  })
})
