import { describe, expect, it } from 'vitest'
import { SAMPLE_RATE_CARDS } from '../pricing/sample-rate-cards.js'
import {
  businessMessage,
  CLOSED,
  DUTCH_CONTACT,
  LAST,
  M_2021,
  M_LAST,
  messengerMessage,
  optIn,
  PMP_LAST,
  sessionMessage,
  templateMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt } from '../testing/decide-fixtures.js'
import { DAY_MS, HOUR_MS, parseInstant } from '../time.js'

describe('decide: time boundaries', () => {
  const whatsapp = [userMessage(LAST)]

  it.each(
    titled(
      (row) =>
        `answers ${row.reason} to free-form WhatsApp text ${row.when} after the last user message (CCW-4)`,
      [
        { when: '24 h − 1 ms', delay: 24 * HOUR_MS - 1, reason: 'IN_CARE_WINDOW' },
        { when: '24 h', delay: 24 * HOUR_MS, reason: 'WINDOW_CLOSED' },
        { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, reason: 'WINDOW_CLOSED' },
      ],
    ),
  )('%s', (_title, { delay, reason }) => {
    const decision = decideAt(sessionMessage(), LAST + delay, { history: whatsapp })
    expect(decision.reason).toBe(reason)
    expect(decision.window.expiresAt).toBe(CLOSED)
  })

  it.each(
    titled(
      (row) =>
        `answers ${row.reason} to a Messenger RESPONSE ${row.when} after the user’s last message (MSG-1)`,
      [
        { when: '24 h − 1 ms', delay: 24 * HOUR_MS - 1, reason: 'IN_STANDARD_WINDOW' },
        { when: '24 h', delay: 24 * HOUR_MS, reason: 'OUTSIDE_MESSENGER_WINDOW' },
        { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, reason: 'OUTSIDE_MESSENGER_WINDOW' },
      ],
    ),
  )('%s', (_title, { delay, reason }) => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + delay, {
      history: [userMessage(M_2021)],
    })
    expect(decision.reason).toBe(reason)
  })

  it.each(
    titled(
      (row) =>
        `answers ${row.reason} to a Messenger RESPONSE ${row.when} after the last message in 2019 (MSG-2)`,
      [
        { when: '24 h − 1 ms', delay: 24 * HOUR_MS - 1, reason: 'IN_STANDARD_WINDOW' },
        { when: '24 h', delay: 24 * HOUR_MS, reason: 'PLUS_ONE' },
        { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, reason: 'PLUS_ONE' },
      ],
    ),
  )('%s', (_title, { delay, reason }) => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_LAST + delay, {
      history: [userMessage(M_LAST)],
    })
    expect(decision.reason).toBe(reason)
  })

  describe('the 72 h free entry point window (FEP-1)', () => {
    const entry = PMP_LAST
    const reply = entry + HOUR_MS
    const history = [userMessage(entry, { referral: 'ad' }), businessMessage(reply)]
    const consent = [optIn('marketing', entry - DAY_MS)]

    it.each(
      titled(
        (row) => `bills an opted-in marketing template ${row.when} after the reply as ${row.type}`,
        [
          {
            when: '72 h − 1 ms',
            delay: 72 * HOUR_MS - 1,
            type: 'free_entry_point',
            billable: false,
            amountMicros: 0,
          },
          { when: '72 h', delay: 72 * HOUR_MS, type: 'regular', billable: true, amountMicros: 159_700 },
          {
            when: '72 h + 1 ms',
            delay: 72 * HOUR_MS + 1,
            type: 'regular',
            billable: true,
            amountMicros: 159_700,
          },
        ],
      ),
    )('%s', (_title, { delay, type, billable, amountMicros }) => {
      const decision = decideAt(templateMessage('spring_sale'), reply + delay, {
        history,
        consent,
        contact: DUTCH_CONTACT,
        rateCards: SAMPLE_RATE_CARDS,
      })
      expect(decision).toMatchObject({ allowed: true, reason: 'OPTED_IN_TEMPLATE' })
      expect(decision.billing).toMatchObject({ type, billable, price: { amountMicros } })
      expect(decision.rules.includes('FEP-1')).toBe(type === 'free_entry_point')
    })

    it('keeps the customer care window at 24 h: free-form text is refused after it, inside the free window', () => {
      const decision = decideAt(sessionMessage(), entry + 24 * HOUR_MS, { history })
      expect(decision).toMatchObject({ allowed: false, reason: 'WINDOW_CLOSED' })
      expect(decision.window.type).toBe('free_entry_point')
    })

    it.each(
      titled(
        (row) => `earns the free window with a first reply ${row.when} after the ad message: ${row.type}`,
        [
          { when: '24 h − 1 ms', delay: 24 * HOUR_MS - 1, type: 'free_entry_point' },
          { when: '24 h', delay: 24 * HOUR_MS, type: 'free_customer_service' },
          { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, type: 'free_customer_service' },
        ],
      ),
    )('%s', (_title, { delay, type }) => {
      // A later message keeps the customer care window open past the reply deadline.
      const waiting = [userMessage(entry, { referral: 'ad' }), userMessage(entry + 12 * HOUR_MS)]
      const decision = decideAt(sessionMessage(), entry + delay, { history: waiting })
      expect(decision).toMatchObject({ allowed: true, billing: { type } })
    })
  })

  it.each(
    titled(
      (row) =>
        `answers ${row.reason} to a HUMAN_AGENT reply ${row.when} after the user’s last message (MSG-3)`,
      [
        { when: '7 days − 1 ms', delay: 7 * DAY_MS - 1, reason: 'HUMAN_AGENT' },
        { when: '7 days', delay: 7 * DAY_MS, reason: 'HUMAN_AGENT_EXPIRED' },
        { when: '7 days + 1 ms', delay: 7 * DAY_MS + 1, reason: 'HUMAN_AGENT_EXPIRED' },
      ],
    ),
  )('%s', (_title, { delay, reason }) => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + delay, {
      history: [userMessage(M_2021)],
    })
    expect(decision.reason).toBe(reason)
  })

  it.each(
    titled(
      (row) =>
        `answers ${row.reason} to a reply ${row.when} after a message from a click-to-Messenger ad (MSG-AD)`,
      [
        { when: '7 days − 1 ms', delay: 7 * DAY_MS - 1, reason: 'IN_STANDARD_WINDOW' },
        { when: '7 days', delay: 7 * DAY_MS, reason: 'OUTSIDE_MESSENGER_WINDOW' },
        { when: '7 days + 1 ms', delay: 7 * DAY_MS + 1, reason: 'OUTSIDE_MESSENGER_WINDOW' },
      ],
    ),
  )('%s', (_title, { delay, reason }) => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + delay, {
      history: [userMessage(M_2021, { referral: 'ad' })],
    })
    expect(decision.reason).toBe(reason)
  })

  describe('the 24 h conversation under conversation-based pricing (PRC-CBP-2022)', () => {
    const opened = parseInstant('2022-09-01T10:00:00Z')!
    // An opted-in template opens a business-initiated conversation; the customer answers an hour later.
    const history = [
      businessMessage(opened, { type: 'template', category: 'TRANSACTIONAL' }),
      userMessage(opened + HOUR_MS),
    ]

    it.each(
      titled(
        (row) => `bills a reply ${row.when} after the conversation opened as ${row.type} (${row.category})`,
        [
          {
            when: '24 h − 1 ms',
            delay: 24 * HOUR_MS - 1,
            type: 'in_conversation',
            category: 'business_initiated',
          },
          { when: '24 h', delay: 24 * HOUR_MS, type: 'regular', category: 'user_initiated' },
          { when: '24 h + 1 ms', delay: 24 * HOUR_MS + 1, type: 'regular', category: 'user_initiated' },
        ],
      ),
    )('%s', (_title, { delay, type, category }) => {
      const decision = decideAt(sessionMessage(), opened + delay, { history })
      expect(decision.billing).toMatchObject({ type, category, billable: true })
    })
  })
})
