import { describe, expect, it } from 'vitest'
import { policySettings } from '../settings.js'
import {
  businessMessage,
  NBP_LAST,
  optIn,
  PMP_LAST,
  sessionMessage,
  templateMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt, PRICED, sentences } from '../testing/explain-fixtures.js'
import { DAY_MS, HOUR_MS, parseInstant, utcDate } from '../time.js'
import type { Decision } from './decision.js'
import { explain } from './explain.js'

const CBP_2022 = parseInstant('2022-09-01T10:00:00Z')!

describe('explain', () => {
  describe('the billing sentence', () => {
    const lastSentence = (decision: Decision) => sentences(explain(decision)).at(-1)
    const wrote = (at: number) => [userMessage(at)]

    it.each(
      titled(
        (row) => `describes ${row.what}`,
        [
          {
            what: 'a free reply under notification-based pricing',
            decision: () => decideAt(sessionMessage(), NBP_LAST + HOUR_MS, { history: wrote(NBP_LAST) }),
            expected:
              'Free under notification-based pricing: service messages inside the window cost nothing (PRC-NBP).',
          },
          {
            what: 'a template at the in-window rate, priced',
            decision: () =>
              decideAt(templateMessage('account_notice'), NBP_LAST + HOUR_MS, {
                history: wrote(NBP_LAST),
                ...PRICED,
              }),
            expected:
              'Billed at the in-window (CCW) rate under notification-based pricing: 0.005 USD (CCW-3, PRC-NBP).',
          },
          {
            what: 'a template at the in-window rate, without rate cards',
            decision: () =>
              decideAt(templateMessage('account_notice'), NBP_LAST + HOUR_MS, { history: wrote(NBP_LAST) }),
            expected: 'Billed at the in-window (CCW) rate under notification-based pricing (CCW-3, PRC-NBP).',
          },
          {
            what: 'a business-initiated conversation',
            decision: () =>
              decideAt(templateMessage('account_notice'), CBP_2022 + 2 * DAY_MS, {
                history: wrote(CBP_2022),
                consent: [optIn('utility', CBP_2022)],
                ...PRICED,
              }),
            expected:
              'Opens a 24 h business-initiated conversation under conversation-based pricing: 0.1435 USD (PRC-CBP-2022).',
          },
          {
            what: 'a conversation without rate cards',
            decision: () => decideAt(sessionMessage(), CBP_2022 + HOUR_MS, { history: wrote(CBP_2022) }),
            expected:
              'Opens a 24 h user-initiated conversation under conversation-based pricing (PRC-CBP-2022).',
          },
          {
            what: 'a conversation in the free tier, priced',
            decision: () =>
              decideAt(sessionMessage(), CBP_2022 + HOUR_MS, {
                history: wrote(CBP_2022),
                freeTierConversationsUsed: 10,
                ...PRICED,
              }),
            expected:
              'Opens a user-initiated conversation inside the monthly free tier: billable, but charged 0 USD (PRC-CBP-2022).',
          },
          {
            what: 'a conversation in the free tier, without rate cards',
            decision: () =>
              decideAt(sessionMessage(), CBP_2022 + HOUR_MS, {
                history: wrote(CBP_2022),
                freeTierConversationsUsed: 10,
              }),
            expected:
              'Opens a user-initiated conversation inside the monthly free tier: billable, but charged nothing (PRC-CBP-2022).',
          },
          {
            what: 'a message inside an open conversation, priced',
            decision: () =>
              decideAt(sessionMessage(), CBP_2022 + 2 * HOUR_MS, {
                history: [...wrote(CBP_2022), businessMessage(CBP_2022 + HOUR_MS)],
                ...PRICED,
              }),
            expected:
              'Part of the user-initiated conversation opened at 2022-09-01 11:00 UTC; no extra charge (PRC-CBP-2022).',
          },
          {
            what: 'a message inside a free service conversation',
            decision: () => {
              const at = utcDate('2025-01-15')
              return decideAt(sessionMessage(), at + 2 * HOUR_MS, {
                history: [userMessage(at), businessMessage(at + HOUR_MS)],
              })
            },
            expected:
              'Part of the service conversation opened at 2025-01-15 01:00 UTC; no extra charge (PRC-FREE-SERVICE).',
          },
          {
            what: 'a free utility template inside the window',
            decision: () =>
              decideAt(templateMessage('account_notice'), PMP_LAST + HOUR_MS, { history: wrote(PMP_LAST) }),
            expected:
              'Free under per-message pricing: utility templates inside the window cost nothing (PRC-PMP).',
          },
          {
            what: 'a free entry point',
            decision: () =>
              decideAt(sessionMessage(), PMP_LAST + HOUR_MS, {
                history: [userMessage(PMP_LAST, { referral: 'ad' })],
              }),
            expected:
              'Free: the customer came from an ad or call-to-action and was answered in time, so messages are free for 72 h (FEP-1).',
          },
          {
            what: 'a reply under the reported 2026 change',
            decision: () => {
              const at = parseInstant('2026-11-02T10:00:00Z')!
              return decideAt(sessionMessage(), at + HOUR_MS, {
                history: wrote(at),
                settings: policySettings({ pricing2026Enabled: true }),
                ...PRICED,
              })
            },
            expected: 'Billed as a service message under per-message pricing: 0.0096 USD (PRC-PMP-2026).',
          },
        ],
      ),
    )('%s', (_title, { decision, expected }) => {
      expect(lastSentence(decision())).toBe(expected)
    })
  })
})
