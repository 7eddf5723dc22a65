import { describe, expect, it } from 'vitest'
import { EMPTY_CONSENT, type ConsentSnapshot } from '../consent/consent-ledger.js'
import {
  CLOSED,
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
import { decideAt, PRICED, sentences } from '../testing/explain-fixtures.js'
import { DAY_MS, HOUR_MS } from '../time.js'
import { explain } from './explain.js'

describe('explain', () => {
  describe('allowed messages', () => {
    it('explains a reply inside the window and its price', () => {
      const decision = decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)], ...PRICED })
      expect(explain(decision)).toBe(
        "Allowed: the customer care window is open until 2024-03-02 10:00 UTC, 24 h after the customer's last message at 2024-03-01 10:00 UTC (CCW-2, CCW-4). Opens a 24 h service conversation under conversation-based pricing: 0.0965 USD (PRC-CBP-2023).",
      )
    })

    it('says when the customer’s reply opened a new window (CCW-8)', () => {
      const history = [userMessage(LAST), userMessage(CLOSED + HOUR_MS)]
      const text = explain(decideAt(sessionMessage(), CLOSED + 2 * HOUR_MS, { history }))
      expect(sentences(text)[1]).toBe('The customer’s reply opened this new window (CCW-8).')
      expect(sentences(text)).toHaveLength(3)
    })

    it('explains an opted-in template with the opt-in’s date and source', () => {
      const decision = decideAt(templateMessage('spring_sale'), PMP_LAST + 2 * DAY_MS, {
        history: [userMessage(PMP_LAST)],
        consent: [optIn('marketing', PMP_LAST - DAY_MS, 'qr_code')],
        ...PRICED,
      })
      expect(explain(decision)).toBe(
        'Allowed: the customer care window closed at 2025-09-02 10:00 UTC, but the contact opted in to marketing messages at 2025-08-31 10:00 UTC (source: qr_code) (CCW-6). Billed as a marketing message under per-message pricing: 0.1597 USD (PRC-PMP).',
      )
    })

    it('explains an opted-in template to a contact who never wrote, with a consent snapshot without a source', () => {
      const consent: ConsentSnapshot = {
        ...EMPTY_CONSENT,
        utility: { state: 'opted_in', since: PMP_LAST - DAY_MS, scope: 'utility', source: null },
      }
      expect(explain(decideAt(templateMessage('account_notice'), PMP_LAST, { consent }))).toBe(
        'Allowed: the contact has never written, but the contact opted in to utility messages at 2025-08-31 10:00 UTC (CCW-6). Billed as a utility message under per-message pricing (PRC-PMP).',
      )
    })

    it('says the opt-in’s time is unknown when a consent snapshot carries none', () => {
      const consent: ConsentSnapshot = {
        ...EMPTY_CONSENT,
        utility: { state: 'opted_in', since: null, scope: 'utility', source: 'import' },
      }
      expect(explain(decideAt(templateMessage('account_notice'), PMP_LAST, { consent }))).toContain(
        'opted in to utility messages at an unknown time (source: import) (CCW-6).',
      )
    })

    it('explains an Issue Resolution template from the shipped examples', () => {
      const decision = decideAt(
        templateMessage('ticket_update', { ticket_id: 'T-1042' }),
        PMP_LAST + 2 * DAY_MS,
        {
          history: [userMessage(PMP_LAST)],
        },
      )
      expect(explain(decision)).toBe(
        'Allowed: "ticket_update" is an Issue Resolution template, which may invite the customer back without opt-in (CCW-7, TPL-1). When the customer replies, a new 24 h window opens (CCW-8). Billed as a utility message under per-message pricing (PRC-PMP).',
      )
    })

    it('cites only CCW-7 for an Issue Resolution template of the business’s own', () => {
      const decision = decideAt(templateMessage('ticket_followup'), PMP_LAST + 2 * DAY_MS, {
        history: [userMessage(PMP_LAST)],
      })
      expect(explain(decision)).toContain('without opt-in (CCW-7). When')
    })

    it.each(
      titled(
        (row) => `explains a Messenger reply inside ${row.what}`,
        [
          {
            what: 'the standard window',
            history: [userMessage(M_2021)],
            expected:
              "Allowed: the Messenger standard window is open until 2021-06-02 10:00 UTC, 24 h after the user's last message (MSG-1). Messenger messages are not charged.",
          },
          {
            what: 'the ad window',
            history: [userMessage(M_2021, { referral: 'ad' })],
            expected:
              "Allowed: the Messenger window is open until 2021-06-08 10:00 UTC, 7 days after the user's message from a click-to-Messenger ad (MSG-1, MSG-AD). Messenger messages are not charged.",
          },
        ],
      ),
    )('%s', (_title, { history, expected }) => {
      expect(explain(decideAt(messengerMessage(), M_2021 + HOUR_MS, { history }))).toBe(expected)
    })

    it('explains the Messenger +1 and when it ends', () => {
      const decision = decideAt(messengerMessage(), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] })
      expect(explain(decision)).toBe(
        'Allowed: the standard window closed at 2019-12-02 10:00 UTC; this is the one extra message allowed after it (MSG-2), a rule that ends at 2020-01-15 00:00 UTC. Messenger messages are not charged.',
      )
    })

    it('explains a tagged message', () => {
      const decision = decideAt(messengerMessage('MESSAGE_TAG', 'ACCOUNT_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      })
      expect(explain(decision)).toBe(
        'Allowed: outside the window with a message tag accepted at this date (MSG-3). Messenger messages are not charged.',
      )
    })

    it('explains a human agent’s reply and its horizon', () => {
      const decision = decideAt(
        messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'),
        M_2021 + 2 * DAY_MS,
        {
          history: [userMessage(M_2021)],
        },
      )
      expect(explain(decision)).toBe(
        "Allowed: a person's reply tagged HUMAN_AGENT within 7 days of the user's last message, until 2021-06-08 10:00 UTC (MSG-3). Messenger messages are not charged.",
      )
    })
  })
})
