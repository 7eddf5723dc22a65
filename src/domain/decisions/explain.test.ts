import { describe, expect, it } from 'vitest'
import { EMPTY_CONSENT, type ConsentSnapshot } from '../consent/consent-ledger.js'
import { SAMPLE_RATE_CARDS } from '../pricing/sample-rate-cards.js'
import { RULE_IDS } from '../rules.js'
import { MESSENGER_POLICY_CHANGE_META, MESSENGER_TAG_RETIREMENT, policySettings } from '../settings.js'
import { issueResolutionTemplates } from '../templates/issue-resolution-library.js'
import { templateCatalog } from '../templates/template.js'
import {
  businessMessage,
  DUTCH_CONTACT,
  messengerMessage,
  optIn,
  optOut,
  sessionMessage,
  template,
  templateMessage,
  userMessage,
  titled,
  LAST,
  CLOSED,
  NBP_LAST,
  PMP_LAST,
  M_LAST,
  M_2021,
} from '../testing/builders.js'
import { DAY_MS, HOUR_MS, parseInstant, utcDate } from '../time.js'
import { decide, type DecisionContext } from './decide.js'
import { ALLOW_REASONS, REFUSAL_REASONS, type Decision } from './decision.js'
import { explain } from './explain.js'
import type { Intent } from './intent.js'

const CBP_2022 = parseInstant('2022-09-01T10:00:00Z')!

const CATALOG = templateCatalog([
  template('account_notice'),
  template('spring_sale', 'MARKETING'),
  template('ticket_followup', 'UTILITY', { issueResolution: true }),
  template('paused_notice', 'UTILITY', { status: 'PAUSED' }),
  template('disabled_notice', 'UTILITY', { status: 'DISABLED' }),
  template('pending_notice', 'UTILITY', { status: 'REJECTED' }),
  template('order_shipped', 'UTILITY', { body: 'Order {{1}} has shipped.' }),
  ...issueResolutionTemplates('APPROVED', ['en']),
])

const PRICED: DecisionContext = { contact: DUTCH_CONTACT, rateCards: SAMPLE_RATE_CARDS }

function decideAt(intent: Intent, at: number, context: DecisionContext = {}): Decision {
  return decide(intent, { templates: CATALOG, ...context }, at)
}

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/)
}

function citedRules(text: string): string[] {
  return [...text.matchAll(/\b(?:CCW|MSG|TPL|PRC|FEP|OPT|MSG)-[A-Z0-9-]*[A-Z0-9]\b/g)].map(
    (match) => match[0],
  )
}

/** One decision for every reason `decide` can give. */
const DECISIONS: readonly { readonly what: string; readonly decision: () => Decision }[] = [
  {
    what: 'a reply inside the window',
    decision: () => decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)], ...PRICED }),
  },
  {
    what: 'an opted-in template after the window',
    decision: () =>
      decideAt(templateMessage('spring_sale'), CLOSED, {
        history: [userMessage(LAST)],
        consent: [optIn('marketing', LAST)],
        ...PRICED,
      }),
  },
  {
    what: 'an Issue Resolution template after the window',
    decision: () => decideAt(templateMessage('ticket_followup'), CLOSED, { history: [userMessage(LAST)] }),
  },
  {
    what: 'a Messenger reply inside the window',
    decision: () => decideAt(messengerMessage(), M_2021 + HOUR_MS, { history: [userMessage(M_2021)] }),
  },
  {
    what: 'a Messenger +1',
    decision: () => decideAt(messengerMessage(), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] }),
  },
  {
    what: 'a tagged Messenger message',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'ACCOUNT_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'a human agent’s reply',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'free-form text after the window',
    decision: () => decideAt(sessionMessage(), CLOSED, { history: [userMessage(LAST)] }),
  },
  {
    what: 'a template without opt-in after the window',
    decision: () => decideAt(templateMessage('account_notice'), CLOSED, { history: [userMessage(LAST)] }),
  },
  {
    what: 'a marketing template after a marketing opt-out',
    decision: () =>
      decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('marketing', LAST - DAY_MS)],
      }),
  },
  {
    what: 'a reply after the contact revoked all consent',
    decision: () =>
      decideAt(sessionMessage(), LAST + 2 * HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('all', LAST + HOUR_MS)],
      }),
  },
  { what: 'an unknown template', decision: () => decideAt(templateMessage('nope'), LAST) },
  { what: 'a rejected template', decision: () => decideAt(templateMessage('pending_notice'), LAST) },
  { what: 'a paused template', decision: () => decideAt(templateMessage('paused_notice'), LAST) },
  { what: 'a disabled template', decision: () => decideAt(templateMessage('disabled_notice'), LAST) },
  {
    what: 'a template without its parameter',
    decision: () => decideAt(templateMessage('order_shipped'), LAST),
  },
  {
    what: 'a template with a malformed parameter',
    decision: () => decideAt(templateMessage('order_shipped', ['line\nbreak']), LAST),
  },
  {
    what: 'an untagged Messenger message after the window',
    decision: () => decideAt(messengerMessage(), M_2021 + DAY_MS, { history: [userMessage(M_2021)] }),
  },
  {
    what: 'a second Messenger +1',
    decision: () =>
      decideAt(messengerMessage(), M_LAST + DAY_MS + HOUR_MS, {
        history: [
          userMessage(M_LAST),
          businessMessage(M_LAST + DAY_MS, { type: 'messenger', messagingType: 'RESPONSE', tag: null }),
        ],
      }),
  },
  {
    what: 'HUMAN_AGENT after 7 days',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 8 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'HUMAN_AGENT from a bot',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'MESSAGE_TAG without a tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG'), M_2021 + 2 * DAY_MS, { history: [userMessage(M_2021)] }),
  },
  {
    what: 'an unknown tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'SALE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'a retired tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'ACCOUNT_UPDATE'), MESSENGER_TAG_RETIREMENT, {
        history: [userMessage(MESSENGER_TAG_RETIREMENT - 2 * DAY_MS)],
      }),
  },
]

describe('explain', () => {
  it('has an example for every reason', () => {
    const reasons = new Set(DECISIONS.map(({ decision }) => decision().reason))
    expect([...ALLOW_REASONS, ...REFUSAL_REASONS].filter((reason) => !reasons.has(reason))).toEqual([])
  })

  it.each(titled((row) => `explains ${row.what} in 2–3 sentences that cite the deciding rules`, DECISIONS))(
    '%s',
    (_title, { decision: make }) => {
      const decision = make()
      const text = explain(decision)
      expect(text.startsWith(decision.allowed ? 'Allowed: ' : 'Refused: ')).toBe(true)
      expect(sentences(text).length).toBeGreaterThanOrEqual(2)
      expect(sentences(text).length).toBeLessThanOrEqual(3)
      const cited = citedRules(text)
      expect(cited.filter((rule) => !(RULE_IDS as readonly string[]).includes(rule))).toEqual([])
      expect(cited.some((rule) => (decision.rules as readonly string[]).includes(rule))).toBe(true)
    },
  )

  describe('the brief’s example', () => {
    const history = [userMessage(parseInstant('2024-03-01T10:00:00Z')!)]
    const expected =
      "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record, and the customer’s own message is not one (CCW-5). An Issue Resolution template may be sent without opt-in (CCW-7)."

    it.each([
      '2024-03-02T10:00:00Z',
      '2024-03-02T10:00:00.001Z',
      '2024-06-01T00:00:00Z',
      '2026-12-31T23:59:59Z',
    ])('refuses a plain template without opt-in at %s with the brief’s words', (instant) => {
      const decision = decideAt(templateMessage('account_notice'), parseInstant(instant)!, { history })
      expect(explain(decision)).toBe(expected)
    })

    it('leaves out the CCW-5 clause for a contact who never wrote', () => {
      expect(explain(decideAt(templateMessage('account_notice'), CLOSED, {}))).toBe(
        'Refused: the contact has never written, so no customer care window is open (CCW-1). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record. An Issue Resolution template may be sent without opt-in (CCW-7).',
      )
    })

    it('says when Issue Resolution templates without opt-in are switched off', () => {
      const decision = decideAt(templateMessage('ticket_followup'), CLOSED, {
        history,
        settings: policySettings({ issueResolutionWithoutOptIn: false }),
      })
      expect(explain(decision)).toBe(
        "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record, and the customer’s own message is not one (CCW-5). Issue Resolution templates without opt-in are switched off for this channel (CCW-7).",
      )
    })
  })

  describe('refusals', () => {
    it('explains a closed window', () => {
      expect(explain(decideAt(sessionMessage(), CLOSED, { history: [userMessage(LAST)] }))).toBe(
        "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6).",
      )
    })

    it('explains free-form text to a contact who never wrote', () => {
      expect(explain(decideAt(sessionMessage(), LAST))).toBe(
        'Refused: the contact has never written, so no customer care window is open (CCW-1). Outside the window only templates the contact opted in to may be sent (CCW-6).',
      )
    })

    it('explains the end of the Messenger window and of the +1', () => {
      const decision = decideAt(messengerMessage(), M_2021 + DAY_MS, { history: [userMessage(M_2021)] })
      expect(explain(decision)).toBe(
        'Refused: the Messenger standard window closed at 2021-06-02 10:00 UTC (MSG-1). The one extra message after the window (24+1) ended at 2020-01-15 00:00 UTC (MSG-2). Outside the window a message needs MESSAGE_TAG with a tag allowed at this date (MSG-3).',
      )
    })

    it('dates the end of the +1 from the settings it is given', () => {
      const settings = policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META })
      const decision = decideAt(messengerMessage(), M_2021 + DAY_MS, {
        history: [userMessage(M_2021)],
        settings,
      })
      expect(explain(decision, settings)).toContain('(24+1) ended at 2020-03-04 00:00 UTC (MSG-2)')
    })

    it('explains a Messenger message to a user who never wrote', () => {
      expect(explain(decideAt(messengerMessage(), M_2021))).toBe(
        'Refused: the user has never messaged this Page, so no standard window is open (MSG-1). Outside the window a message needs MESSAGE_TAG with a tag allowed at this date (MSG-3).',
      )
    })

    it('explains a second +1', () => {
      const decision = decideAt(messengerMessage(), M_LAST + DAY_MS + HOUR_MS, {
        history: [
          userMessage(M_LAST),
          businessMessage(M_LAST + DAY_MS, { type: 'messenger', messagingType: 'UPDATE', tag: null }),
        ],
      })
      expect(explain(decision)).toBe(
        'Refused: the Messenger standard window closed at 2019-12-02 10:00 UTC and the one extra message after it was already sent (MSG-2). Until the user writes again, use MESSAGE_TAG with an allowed tag (MSG-3).',
      )
    })

    it('quotes the details and the rules for the other refusals', () => {
      const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('marketing', LAST - DAY_MS, 'keyword')],
      })
      expect(explain(decision)).toBe(
        'Refused: The contact opted out of marketing messages at 2024-02-29 10:00 UTC (source: keyword) (OPT-OUT). The client receives Graph error 131050.',
      )
    })

    it('gives the subcode of a Messenger refusal', () => {
      const decision = decideAt(
        messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'),
        M_2021 + 8 * DAY_MS,
        {
          history: [userMessage(M_2021)],
        },
      )
      expect(explain(decision)).toBe(
        "Refused: HUMAN_AGENT replies are allowed until 7 days after the user's last message; that ended at 2021-06-08 10:00 UTC (MSG-3). The client receives Graph error 10 (subcode 2018278).",
      )
    })
  })

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

  it('uses the default settings when none are given', () => {
    const decision = decideAt(messengerMessage(), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] })
    expect(explain(decision)).toBe(explain(decision, policySettings()))
  })
})
