import { describe, expect, it } from 'vitest'
import { titled } from '../testing/builders.js'
import { DEFAULT_POLICY_SETTINGS } from '../settings.js'
import type { TemplateCategory } from '../templates/template.js'
import { HOUR_MS, parseInstant } from '../time.js'
import type { SentMessage } from '../windows/contact-events.js'
import { NEW_CONTACT, type ContactState } from '../windows/contact-state.js'
import { CONVERSATION_MS, conversationFor, type Conversation } from './conversations.js'
import { pricingEraAt } from './pricing-eras.js'

const AT_2022 = parseInstant('2022-09-01T12:00:00Z')!
const AT_2023 = parseInstant('2023-09-01T12:00:00Z')!
const SESSION: SentMessage = { type: 'session' }
const templateOf = (category: TemplateCategory): SentMessage => ({ type: 'template', category })

function withConversations(...conversations: Conversation[]): ContactState {
  return { ...NEW_CONTACT, conversations }
}

function conversation(category: Conversation['category'], openedAt: number): Conversation {
  return { category, openedAt, expiresAt: openedAt + CONVERSATION_MS }
}

function join(
  at: number,
  sent: SentMessage,
  options: { state?: ContactState; inWindow?: boolean; free?: boolean } = {},
) {
  return conversationFor(
    pricingEraAt(at, DEFAULT_POLICY_SETTINGS),
    options.state ?? NEW_CONTACT,
    sent,
    at,
    options.inWindow ?? true,
    options.free ?? false,
  )
}

describe('conversationFor', () => {
  it('lasts 24 h from the first business message', () => {
    expect(CONVERSATION_MS).toBe(24 * HOUR_MS)
  })

  describe('in 2022 (PRC-CBP-2022)', () => {
    it('opens a user-initiated conversation for a reply inside the window', () => {
      expect(join(AT_2022, SESSION)).toEqual({
        conversation: { category: 'user_initiated', openedAt: AT_2022, expiresAt: AT_2022 + 24 * HOUR_MS },
        isNew: true,
      })
    })

    it('opens a business-initiated conversation for a template outside the window', () => {
      expect(join(AT_2022, templateOf('TRANSACTIONAL'), { inWindow: false }).conversation.category).toBe(
        'business_initiated',
      )
    })

    it.each(
      titled(
        (row) => `lets ${row.what} ride on the open business-initiated conversation`,
        [
          { what: 'a free-form reply', sent: SESSION },
          { what: 'a template', sent: templateOf('MARKETING') },
        ],
      ),
    )('%s', (_title, { sent }) => {
      const open = conversation('business_initiated', AT_2022 - HOUR_MS)
      expect(join(AT_2022, sent, { state: withConversations(open) })).toEqual({
        conversation: open,
        isNew: false,
      })
    })

    it.each(
      titled(
        (row) => `counts a message ${row.when} after the conversation opened as new: ${row.isNew}`,
        [
          { when: '24 h − 1 ms', delay: 24 * HOUR_MS - 1, isNew: false },
          { when: '24 h', delay: 24 * HOUR_MS, isNew: true },
          { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, isNew: true },
        ],
      ),
    )('%s', (_title, { delay, isNew }) => {
      const state = withConversations(conversation('user_initiated', AT_2022))
      expect(join(AT_2022 + delay, SESSION, { state }).isNew).toBe(isNew)
    })
  })

  describe('from 2023-06-01 (PRC-CBP-2023)', () => {
    it('opens a service conversation for a free-form reply', () => {
      expect(join(AT_2023, SESSION).conversation.category).toBe('service')
    })

    it.each(
      titled((row) => `opens a ${row.expected} conversation for a ${row.category} template`, [
        { category: 'MARKETING', expected: 'marketing' },
        { category: 'UTILITY', expected: 'utility' },
        { category: 'AUTHENTICATION', expected: 'authentication' },
        { category: 'TRANSACTIONAL', expected: 'utility' },
        { category: 'OTP', expected: 'authentication' },
        { category: 'SHIPPING_UPDATE', expected: 'utility' },
      ] as const),
    )('%s', (_title, { category, expected }) => {
      expect(join(AT_2023, templateOf(category)).conversation.category).toBe(expected)
    })

    it('opens a marketing conversation of its own while a service conversation is open', () => {
      const state = withConversations(conversation('service', AT_2023 - HOUR_MS))
      expect(join(AT_2023, templateOf('MARKETING'), { state })).toEqual({
        conversation: conversation('marketing', AT_2023),
        isNew: true,
      })
    })

    it('joins an open conversation of the template’s own category', () => {
      const utility = conversation('utility', AT_2023 - HOUR_MS)
      const state = withConversations(conversation('service', AT_2023 - 2 * HOUR_MS), utility)
      expect(join(AT_2023, templateOf('UTILITY'), { state })).toEqual({ conversation: utility, isNew: false })
    })

    it('lets a free-form reply ride on any open conversation, preferring a service one', () => {
      const marketing = conversation('marketing', AT_2023 - 2 * HOUR_MS)
      const service = conversation('service', AT_2023 - HOUR_MS)
      expect(join(AT_2023, SESSION, { state: withConversations(marketing) }).conversation).toBe(marketing)
      expect(join(AT_2023, SESSION, { state: withConversations(marketing, service) }).conversation).toBe(
        service,
      )
    })
  })

  describe('in a free entry point window (FEP-1)', () => {
    it('opens a 72 h referral conversion conversation from the reply that earns it', () => {
      expect(join(AT_2023, SESSION, { free: true })).toEqual({
        conversation: {
          category: 'referral_conversion',
          openedAt: AT_2023,
          expiresAt: AT_2023 + 72 * HOUR_MS,
        },
        isNew: true,
      })
    })

    it('dates the conversation from the reply that opened the free window', () => {
      const state: ContactState = { ...NEW_CONTACT, entryPointOpenedAt: AT_2023 - HOUR_MS }
      expect(join(AT_2023, templateOf('MARKETING'), { state, free: true }).conversation).toEqual({
        category: 'referral_conversion',
        openedAt: AT_2023 - HOUR_MS,
        expiresAt: AT_2023 + 71 * HOUR_MS,
      })
    })

    it('puts every message of the free window in its one conversation', () => {
      const referral: Conversation = {
        category: 'referral_conversion',
        openedAt: AT_2023 - HOUR_MS,
        expiresAt: AT_2023 + 71 * HOUR_MS,
      }
      const state = withConversations(conversation('marketing', AT_2023 - 2 * HOUR_MS), referral)
      expect(join(AT_2023, templateOf('MARKETING'), { state, free: true })).toEqual({
        conversation: referral,
        isNew: false,
      })
    })
  })
})
