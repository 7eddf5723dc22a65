import { describe, expect, it } from 'vitest'
import {
  consentAt,
  EMPTY_CONSENT,
  type ConsentEvent,
  type ConsentSnapshot,
} from '../consent/consent-ledger.js'
import { MESSENGER_BILLING } from '../pricing/billing.js'
import { explain } from './explain.js'
import { SAMPLE_RATE_CARDS } from '../pricing/sample-rate-cards.js'
import { RULE_IDS, type RuleId } from '../rules.js'
import {
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  MESSENGER_TAG_RETIREMENT,
  PRICING_2026_CHANGE,
  policySettings,
} from '../settings.js'
import { issueResolutionTemplates } from '../templates/issue-resolution-library.js'
import { templateCatalog } from '../templates/template.js'
import {
  businessMessage,
  delivered,
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
import { DAY_MS, HOUR_MS, MINUTE_MS, parseInstant, utcDate } from '../time.js'
import type { ContactEvent } from '../windows/contact-events.js'
import { foldHistory } from '../windows/contact-state.js'
import { decide, type DecisionContext } from './decide.js'
import {
  ALLOW_REASONS,
  REFUSAL_REASONS,
  type AllowReason,
  type Decision,
  type RefusalReason,
} from './decision.js'
import type { Intent } from './intent.js'

/** When `loyalty_update` was re-categorised from UTILITY to MARKETING. */
const RECATEGORISED = parseInstant('2025-09-15T00:00:00Z')!

const CATALOG = templateCatalog([
  template('account_notice'),
  template('account_notice', 'UTILITY', { language: 'nl' }),
  template('spring_sale', 'MARKETING'),
  template('login_code', 'AUTHENTICATION'),
  template('ticket_followup', 'UTILITY', { issueResolution: true }),
  template('legacy_issue', 'ISSUE_RESOLUTION'),
  template('shipping_notice', 'SHIPPING_UPDATE'),
  template('paused_notice', 'UTILITY', { status: 'PAUSED' }),
  template('disabled_notice', 'UTILITY', { status: 'DISABLED' }),
  template('pending_notice', 'UTILITY', { status: 'PENDING' }),
  template('order_shipped', 'UTILITY', { body: 'Order {{1}} has shipped.' }),
  template('loyalty_update', 'MARKETING', { categoryChanges: [{ at: RECATEGORISED, previous: 'UTILITY' }] }),
  ...issueResolutionTemplates('APPROVED', ['en']),
])

const TICKET_UPDATE = templateMessage('ticket_update', { ticket_id: 'T-1042' })
const ISSUE_RESOLUTION_OFF = policySettings({ issueResolutionWithoutOptIn: false })
const META_CUT_OFF = policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META })
const WITH_2026 = policySettings({ pricing2026Enabled: true })

function decideAt(intent: Intent, at: number, context: DecisionContext = {}): Decision {
  return decide(intent, { templates: CATALOG, ...context }, at)
}

/** The decision's Graph error as `{ code, subcode }`, or `null` when it was allowed. */
function errorOf(decision: Decision): { code: number; subcode: number | null } | null {
  return decision.allowed ? null : { code: decision.error.code, subcode: decision.error.subcode }
}

interface RuleCase {
  readonly rule: RuleId
  readonly behaviour: string
  readonly decision: () => Decision
  readonly reason: AllowReason | RefusalReason
  /** The Graph error of a refusal; `null` for an allowed message. */
  readonly error: { code: number; subcode: number | null } | null
}

const allowed = null
const graph = (code: number, subcode: number | null = null) => ({ code, subcode })

/** At least one decision citing each rule id of SPEC §1 and §2. */
const RULE_CASES: readonly RuleCase[] = [
  {
    rule: 'CCW-1',
    behaviour: 'the user’s message opens the window, so a free-form reply is allowed',
    decision: () => decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)] }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'CCW-1',
    behaviour: 'refuses free-form text to a contact who never wrote',
    decision: () => decideAt(sessionMessage(), LAST, {}),
    reason: 'WINDOW_CLOSED',
    error: graph(131047),
  },
  {
    rule: 'CCW-2',
    behaviour: 'allows a template inside the window without opt-in',
    decision: () =>
      decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, { history: [userMessage(LAST)] }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'CCW-3',
    behaviour: 'bills a template inside the window at the in-window rate',
    decision: () =>
      decideAt(templateMessage('shipping_notice'), NBP_LAST + HOUR_MS, { history: [userMessage(NBP_LAST)] }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'CCW-4',
    behaviour: 'refuses free-form text exactly 24 h after the last user message',
    decision: () => decideAt(sessionMessage(), CLOSED, { history: [userMessage(LAST)] }),
    reason: 'WINDOW_CLOSED',
    error: graph(131047),
  },
  {
    rule: 'CCW-5',
    behaviour: 'does not take the customer’s own message for an opt-in',
    decision: () => decideAt(templateMessage('account_notice'), CLOSED, { history: [userMessage(LAST)] }),
    reason: 'NO_OPT_IN',
    error: graph(100),
  },
  {
    rule: 'CCW-6',
    behaviour: 'allows a template outside the window to a contact who opted in to its category',
    decision: () =>
      decideAt(templateMessage('account_notice'), CLOSED, {
        history: [userMessage(LAST)],
        consent: [optIn('utility', LAST - DAY_MS)],
      }),
    reason: 'OPTED_IN_TEMPLATE',
    error: allowed,
  },
  {
    rule: 'CCW-6',
    behaviour: 'refuses free-form text after the window ends',
    decision: () => decideAt(sessionMessage('image'), CLOSED + DAY_MS, { history: [userMessage(LAST)] }),
    reason: 'WINDOW_CLOSED',
    error: graph(131047),
  },
  {
    rule: 'CCW-7',
    behaviour: 'allows an Issue Resolution template outside the window without opt-in',
    decision: () => decideAt(templateMessage('ticket_followup'), CLOSED, { history: [userMessage(LAST)] }),
    reason: 'ISSUE_RESOLUTION_TEMPLATE',
    error: allowed,
  },
  {
    rule: 'CCW-7',
    behaviour: 'refuses an Issue Resolution template without opt-in when the channel switched the policy off',
    decision: () =>
      decideAt(templateMessage('ticket_followup'), CLOSED, {
        history: [userMessage(LAST)],
        settings: ISSUE_RESOLUTION_OFF,
      }),
    reason: 'NO_OPT_IN',
    error: graph(100),
  },
  {
    rule: 'CCW-8',
    behaviour: 'the customer’s answer opens a new window, so replies are allowed again',
    decision: () =>
      decideAt(sessionMessage(), CLOSED + 2 * HOUR_MS, {
        history: [userMessage(LAST), userMessage(CLOSED + HOUR_MS)],
      }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'MSG-1',
    behaviour: 'allows a Messenger reply inside the standard window',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_2021 + HOUR_MS, { history: [userMessage(M_2021)] }),
    reason: 'IN_STANDARD_WINDOW',
    error: allowed,
  },
  {
    rule: 'MSG-1',
    behaviour: 'refuses an untagged Messenger message after the standard window',
    decision: () => decideAt(messengerMessage('UPDATE'), M_2021 + DAY_MS, { history: [userMessage(M_2021)] }),
    reason: 'OUTSIDE_MESSENGER_WINDOW',
    error: graph(10, 2018278),
  },
  {
    rule: 'MSG-2',
    behaviour: 'allows one more untagged message after the window, before the cut-off',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] }),
    reason: 'PLUS_ONE',
    error: allowed,
  },
  {
    rule: 'MSG-2',
    behaviour: 'refuses a second untagged message after the window',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_LAST + DAY_MS + HOUR_MS, {
        history: [userMessage(M_LAST), messengerSent(M_LAST + DAY_MS)],
      }),
    reason: 'PLUS_ONE_USED',
    error: graph(10, 2018278),
  },
  {
    rule: 'MSG-3',
    behaviour: 'allows a message with a tag accepted at that date outside the window',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'POST_PURCHASE_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'MESSAGE_TAG',
    error: allowed,
  },
  {
    rule: 'MSG-3',
    behaviour: 'allows a human agent’s HUMAN_AGENT reply within 7 days',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 6 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'HUMAN_AGENT',
    error: allowed,
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses MESSAGE_TAG without a tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG'), M_2021 + 2 * DAY_MS, { history: [userMessage(M_2021)] }),
    reason: 'TAG_MISSING',
    error: graph(100),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses an unknown tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'PROMOTION'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'TAG_UNKNOWN',
    error: graph(100),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses a retired tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'SHIPPING_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'TAG_NOT_ALLOWED',
    error: graph(100),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses HUMAN_AGENT 8 days after the user’s last message',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 8 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'HUMAN_AGENT_EXPIRED',
    error: graph(10, 2018278),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses HUMAN_AGENT from a bot',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'HUMAN_AGENT_NOT_HUMAN',
    error: graph(100),
  },
  {
    rule: 'TPL-1',
    behaviour: 'allows a shipped example Issue Resolution template outside the window',
    decision: () => decideAt(TICKET_UPDATE, CLOSED, { history: [userMessage(LAST)] }),
    reason: 'ISSUE_RESOLUTION_TEMPLATE',
    error: allowed,
  },
  {
    rule: 'PRC-NBP',
    behaviour: 'prices a reply in 2021 under notification-based pricing',
    decision: () => decideAt(sessionMessage(), NBP_LAST + HOUR_MS, { history: [userMessage(NBP_LAST)] }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'PRC-CBP-2022',
    behaviour: 'prices a reply in 2022 as a user-initiated conversation',
    decision: () => inWindowReply('2022-09-01T10:00:00Z'),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'PRC-CBP-2023',
    behaviour: 'prices a reply in 2024 as a service conversation',
    decision: () => inWindowReply('2024-03-01T10:00:00Z'),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'PRC-FREE-SERVICE',
    behaviour: 'prices a reply in 2025 as a free service conversation',
    decision: () => inWindowReply('2025-01-15T10:00:00Z'),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'PRC-PMP',
    behaviour: 'prices a reply from 2025-07-01 per message',
    decision: () => inWindowReply('2025-09-01T10:00:00Z'),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'PRC-PMP-2026',
    behaviour: 'prices a reply from 2026-10-01 under the reported change when it is switched on',
    decision: () => inWindowReply('2026-11-02T10:00:00Z', WITH_2026),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'FEP-1',
    behaviour: 'does not charge the reply to a customer who came from a click-to-WhatsApp ad',
    decision: () =>
      decideAt(sessionMessage(), PMP_LAST + HOUR_MS, {
        history: [userMessage(PMP_LAST, { referral: 'ad' })],
      }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'TPL-CATEGORY',
    behaviour: 'bills a template by its category at the time of sending',
    decision: () =>
      decideAt(templateMessage('loyalty_update'), PMP_LAST + HOUR_MS, { history: [userMessage(PMP_LAST)] }),
    reason: 'IN_CARE_WINDOW',
    error: allowed,
  },
  {
    rule: 'TPL-STATUS',
    behaviour: 'refuses a template that does not exist',
    decision: () => decideAt(templateMessage('no_such_template'), LAST, { history: [userMessage(LAST)] }),
    reason: 'TEMPLATE_NOT_FOUND',
    error: graph(132001),
  },
  {
    rule: 'TPL-STATUS',
    behaviour: 'refuses a template that is not approved yet',
    decision: () => decideAt(templateMessage('pending_notice'), LAST, { history: [userMessage(LAST)] }),
    reason: 'TEMPLATE_NOT_APPROVED',
    error: graph(132001),
  },
  {
    rule: 'TPL-STATUS',
    behaviour: 'refuses a paused template',
    decision: () => decideAt(templateMessage('paused_notice'), LAST, { history: [userMessage(LAST)] }),
    reason: 'TEMPLATE_PAUSED',
    error: graph(132015),
  },
  {
    rule: 'TPL-STATUS',
    behaviour: 'refuses a disabled template',
    decision: () => decideAt(templateMessage('disabled_notice'), LAST, { history: [userMessage(LAST)] }),
    reason: 'TEMPLATE_DISABLED',
    error: graph(132016),
  },
  {
    rule: 'TPL-PARAMS',
    behaviour: 'refuses a send with the wrong number of parameters',
    decision: () => decideAt(templateMessage('order_shipped'), LAST, { history: [userMessage(LAST)] }),
    reason: 'TEMPLATE_PARAMETER_COUNT',
    error: graph(132000),
  },
  {
    rule: 'TPL-PARAMS',
    behaviour: 'refuses a parameter in the wrong format',
    decision: () => decideAt(imageInBody(), LAST, { history: [userMessage(LAST)] }),
    reason: 'TEMPLATE_PARAMETER_FORMAT',
    error: graph(132012),
  },
  {
    rule: 'OPT-OUT',
    behaviour: 'refuses a marketing template to a contact who opted out of marketing, even inside the window',
    decision: () =>
      decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('marketing', LAST - DAY_MS)],
      }),
    reason: 'OPTED_OUT',
    error: graph(131050),
  },
  {
    rule: 'OPT-OUT',
    behaviour: 'refuses every message to a contact who revoked all consent and has not written since',
    decision: () =>
      decideAt(sessionMessage(), LAST + HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('all', LAST + 30 * MINUTE_MS)],
      }),
    reason: 'CONSENT_REVOKED',
    error: graph(131050),
  },
  {
    rule: 'MSG-AD',
    behaviour: 'allows a Messenger reply 6 days after a message from a click-to-Messenger ad',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_2021 + 6 * DAY_MS, {
        history: [userMessage(M_2021, { referral: 'ad' })],
      }),
    reason: 'IN_STANDARD_WINDOW',
    error: allowed,
  },
]

function messengerSent(
  at: number,
  messagingType: 'RESPONSE' | 'MESSAGE_TAG' = 'RESPONSE',
  tag: string | null = null,
) {
  return businessMessage(at, { type: 'messenger', messagingType, tag })
}

function inWindowReply(userMessageAt: string, settings = policySettings()): Decision {
  const at = parseInstant(userMessageAt)!
  return decideAt(sessionMessage(), at + HOUR_MS, { history: [userMessage(at)], settings })
}

function imageInBody(): Intent {
  return {
    platform: 'whatsapp',
    kind: 'template',
    template: {
      name: 'order_shipped',
      language: { code: 'en' },
      components: [
        { type: 'body', parameters: [{ type: 'image', image: { link: 'https://example.com/a.png' } }] },
      ],
    },
  }
}

describe('decide: every rule id of SPEC §1 and §2', () => {
  it.each(titled((row) => `${row.rule}: ${row.behaviour} (${row.reason})`, RULE_CASES))(
    '%s',
    (_title, { rule, decision: make, reason, error }) => {
      const decision = make()
      expect(decision.allowed).toBe(error === null)
      expect(decision.reason).toBe(reason)
      expect(decision.rules).toContain(rule)
      expect(errorOf(decision)).toEqual(error)
    },
  )

  it.each(RULE_IDS)('has a decision in the table above that cites %s', (rule) => {
    expect(RULE_CASES.filter((ruleCase) => ruleCase.decision().rules.includes(rule))).not.toHaveLength(0)
  })

  it('produces every allow and refusal reason in the table above', () => {
    const reasons = new Set(RULE_CASES.map((ruleCase) => ruleCase.decision().reason))
    expect([...ALLOW_REASONS, ...REFUSAL_REASONS].filter((reason) => !reasons.has(reason))).toEqual([])
  })

  it('cites only rules of the catalogue, each once', () => {
    for (const ruleCase of RULE_CASES) {
      const { rules } = ruleCase.decision()
      expect(rules.filter((rule) => !RULE_IDS.includes(rule))).toEqual([])
      expect(new Set(rules).size).toBe(rules.length)
    }
  })
})

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

describe('decide: consent', () => {
  const history = [userMessage(LAST)]
  const outside = CLOSED + HOUR_MS

  it('allows an opted-in template outside the window (CCW-6)', () => {
    const decision = decideAt(templateMessage('spring_sale'), outside, {
      history,
      consent: [optIn('marketing', LAST - DAY_MS, 'qr_code')],
    })
    expect(decision).toMatchObject({ allowed: true, reason: 'OPTED_IN_TEMPLATE' })
    expect(decision.rules).toContain('CCW-6')
    expect(decision.consent.marketing).toMatchObject({ state: 'opted_in', source: 'qr_code' })
  })

  it('counts an opt-in for everything for every category', () => {
    const consent = [optIn('all', LAST - DAY_MS)]
    expect(decideAt(templateMessage('login_code'), outside, { history, consent }).reason).toBe(
      'OPTED_IN_TEMPLATE',
    )
  })

  it('does not count an opt-in for another category', () => {
    const consent = [optIn('utility', LAST - DAY_MS)]
    expect(decideAt(templateMessage('spring_sale'), outside, { history, consent }).reason).toBe('NO_OPT_IN')
  })

  it('does not count an opt-in recorded after the instant', () => {
    const consent = [optIn('marketing', outside + 1)]
    expect(decideAt(templateMessage('spring_sale'), outside, { history, consent }).reason).toBe('NO_OPT_IN')
  })

  it('refuses a template without opt-in to a contact who wrote before, citing CCW-5', () => {
    const decision = decideAt(templateMessage('account_notice'), outside, { history })
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'NO_OPT_IN',
      rules: ['CCW-4', 'CCW-6', 'CCW-5'],
    })
    expect(decision.consent).toEqual(EMPTY_CONSENT)
    expect(errorOf(decision)).toEqual({ code: 100, subcode: null })
    expect(decision.allowed || decision.error.details).toBe(
      'The window closed at 2024-03-02 10:00 UTC. No utility opt-in is on record for this contact, so the template "account_notice" may not be sent (CCW-6). Record the contact’s opt-in, or send an Issue Resolution template to invite them back (CCW-7).',
    )
  })

  it('refuses a template without opt-in to a contact who never wrote, without CCW-5', () => {
    const decision = decideAt(templateMessage('account_notice'), outside, {})
    expect(decision).toMatchObject({ allowed: false, reason: 'NO_OPT_IN', rules: ['CCW-6'] })
    expect(decision.allowed || decision.error.details).toMatch(/^The contact has never sent a message/)
  })

  it.each(
    titled(
      (row) => `allows ${row.what} without opt-in (CCW-7)`,
      [
        {
          what: 'an Issue Resolution template',
          intent: templateMessage('ticket_followup'),
          libraryRule: false,
        },
        {
          what: 'a template of the legacy ISSUE_RESOLUTION category',
          intent: templateMessage('legacy_issue'),
          libraryRule: false,
        },
        { what: 'a shipped example Issue Resolution template', intent: TICKET_UPDATE, libraryRule: true },
      ],
    ),
  )('%s', (_title, { intent, libraryRule }) => {
    const decision = decideAt(intent, outside, { history })
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'ISSUE_RESOLUTION_TEMPLATE',
      template: { issueResolution: true },
    })
    expect(decision.rules.slice(0, 2)).toEqual(['CCW-7', 'TPL-STATUS'])
    expect(decision.rules.includes('TPL-1')).toBe(libraryRule)
  })

  it('refuses an Issue Resolution template without opt-in when the channel switched CCW-7 off', () => {
    const decision = decideAt(templateMessage('ticket_followup'), outside, {
      history,
      settings: ISSUE_RESOLUTION_OFF,
    })
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'NO_OPT_IN',
      rules: ['CCW-4', 'CCW-6', 'CCW-5', 'CCW-7'],
    })
    expect(decision.allowed || decision.error.details).toMatch(/switched off for this channel \(CCW-7\)\.$/)
  })

  it('still allows an opted-in Issue Resolution template when CCW-7 is switched off', () => {
    const decision = decideAt(templateMessage('ticket_followup'), outside, {
      history,
      settings: ISSUE_RESOLUTION_OFF,
      consent: [optIn('utility', LAST)],
    })
    expect(decision.reason).toBe('OPTED_IN_TEMPLATE')
  })

  it('refuses a marketing template to a contact who opted out of marketing, even inside the window (OPT-OUT)', () => {
    const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
      history,
      consent: [
        optIn('marketing', LAST - 2 * DAY_MS),
        optOut('marketing', LAST - DAY_MS, 'user_preferences'),
      ],
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'OPTED_OUT', rules: ['OPT-OUT'] })
    expect(errorOf(decision)).toEqual({ code: 131050, subcode: null })
    expect(decision.allowed || decision.error.details).toBe(
      'The contact opted out of marketing messages at 2024-02-29 10:00 UTC (source: user_preferences).',
    )
  })

  it('allows free-form replies and utility templates inside the window after a marketing opt-out', () => {
    const consent = [optOut('marketing', LAST - DAY_MS)]
    expect(decideAt(sessionMessage(), LAST + HOUR_MS, { history, consent }).allowed).toBe(true)
    expect(decideAt(templateMessage('account_notice'), LAST + HOUR_MS, { history, consent }).allowed).toBe(
      true,
    )
  })

  it('allows utility templates outside the window after a marketing opt-out, given a utility opt-in', () => {
    const consent = [optIn('all', LAST - 2 * DAY_MS), optOut('marketing', LAST - DAY_MS)]
    expect(decideAt(templateMessage('account_notice'), outside, { history, consent }).reason).toBe(
      'OPTED_IN_TEMPLATE',
    )
  })

  it('refuses a utility template outside the window to a contact who opted out of utility', () => {
    const consent = [optOut('utility', LAST - DAY_MS, 'api')]
    const decision = decideAt(templateMessage('account_notice'), outside, { history, consent })
    expect(decision).toMatchObject({ allowed: false, reason: 'OPTED_OUT', rules: ['CCW-6', 'OPT-OUT'] })
    expect(errorOf(decision)).toEqual({ code: 131050, subcode: null })
    expect(decision.allowed || decision.error.details).toMatch(
      /opted out of utility messages .* \(source: api\)\.$/,
    )
  })

  it('refuses even an Issue Resolution template to a contact who opted out of utility', () => {
    const consent = [optOut('utility', LAST - DAY_MS)]
    expect(decideAt(templateMessage('ticket_followup'), outside, { history, consent }).reason).toBe(
      'OPTED_OUT',
    )
  })

  it('allows a utility template inside the window to a contact who opted out of utility', () => {
    const consent = [optOut('utility', LAST - DAY_MS)]
    expect(decideAt(templateMessage('account_notice'), LAST + HOUR_MS, { history, consent }).reason).toBe(
      'IN_CARE_WINDOW',
    )
  })

  describe('a contact who revoked all consent', () => {
    const revokedAt = LAST + HOUR_MS
    const consent = [optIn('all', LAST - DAY_MS), optOut('all', revokedAt)]

    it.each(
      titled(
        (row) => `is refused ${row.what} until they write again`,
        [
          { what: 'free-form text', intent: sessionMessage() },
          { what: 'a template', intent: templateMessage('account_notice') },
          { what: 'an Issue Resolution template', intent: templateMessage('ticket_followup') },
        ],
      ),
    )('%s', (_title, { intent }) => {
      const decision = decideAt(intent, revokedAt + HOUR_MS, { history, consent })
      expect(decision).toMatchObject({ allowed: false, reason: 'CONSENT_REVOKED', rules: ['OPT-OUT'] })
      expect(errorOf(decision)).toEqual({ code: 131050, subcode: null })
      expect(decision.allowed || decision.error.details).toBe(
        'The contact revoked all consent at 2024-03-01 11:00 UTC; nothing may be sent until they write again or opt in.',
      )
    })

    it('is refused even when the stop message itself is the last thing they wrote', () => {
      const stop = userMessage(revokedAt, { messageType: 'text' })
      const decision = decideAt(sessionMessage(), revokedAt + MINUTE_MS, {
        history: [...history, stop],
        consent,
      })
      expect(decision.reason).toBe('CONSENT_REVOKED')
    })

    it('is answered again once they write since, inside the new window', () => {
      const wroteAgain = [...history, userMessage(revokedAt + 2 * HOUR_MS)]
      expect(
        decideAt(sessionMessage(), revokedAt + 3 * HOUR_MS, { history: wroteAgain, consent }).reason,
      ).toBe('IN_CARE_WINDOW')
      expect(
        decideAt(templateMessage('account_notice'), revokedAt + 3 * HOUR_MS, { history: wroteAgain, consent })
          .reason,
      ).toBe('IN_CARE_WINDOW')
    })

    it('is refused templates again once that new window closed', () => {
      const wroteAgain = [...history, userMessage(revokedAt + 2 * HOUR_MS)]
      const decision = decideAt(templateMessage('ticket_followup'), revokedAt + 2 * HOUR_MS + DAY_MS, {
        history: wroteAgain,
        consent,
      })
      expect(decision.reason).toBe('CONSENT_REVOKED')
    })

    it('may be sent templates again after a new opt-in', () => {
      const renewed = [...consent, optIn('utility', revokedAt + DAY_MS)]
      expect(
        decideAt(templateMessage('account_notice'), revokedAt + 2 * DAY_MS, { history, consent: renewed })
          .reason,
      ).toBe('OPTED_IN_TEMPLATE')
    })
  })

  it('leaves out the source of an opt-out that has none', () => {
    const consent: ConsentSnapshot = {
      ...EMPTY_CONSENT,
      marketing: { state: 'opted_out', since: LAST - DAY_MS, scope: 'marketing', source: null },
    }
    const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, { history, consent })
    expect(decision.allowed || decision.error.details).toBe(
      'The contact opted out of marketing messages at 2024-02-29 10:00 UTC.',
    )
  })

  it('accepts a consent snapshot taken at the instant instead of the ledger', () => {
    const ledger: ConsentEvent[] = [optIn('marketing', LAST - DAY_MS)]
    const fromLedger = decideAt(templateMessage('spring_sale'), outside, { history, consent: ledger })
    const fromSnapshot = decideAt(templateMessage('spring_sale'), outside, {
      history,
      consent: consentAt(ledger, outside),
    })
    expect(fromSnapshot).toEqual(fromLedger)
  })
})

describe('decide: templates', () => {
  const history = [userMessage(LAST)]

  it('says when a template does not exist at all', () => {
    const decision = decideAt(templateMessage('no_such_template'), LAST, { history })
    expect(decision.allowed || decision.error.details).toBe(
      'There is no template named "no_such_template". Register it (or import your templates from Meta) first.',
    )
    expect(decision.template).toBeNull()
  })

  it('names the languages a template exists in when the requested one is missing', () => {
    const decision = decideAt(templateMessage('account_notice', [], 'de'), LAST, { history })
    expect(decision).toMatchObject({ reason: 'TEMPLATE_NOT_FOUND' })
    expect(decision.allowed || decision.error.details).toBe(
      'Template "account_notice" does not exist in language "de"; it exists in en, nl.',
    )
  })

  it('refuses every template when the context has no catalogue', () => {
    expect(decide(templateMessage('account_notice'), { history }, LAST).reason).toBe('TEMPLATE_NOT_FOUND')
  })

  it('finds a template by its exact language', () => {
    const decision = decideAt(templateMessage('account_notice', [], 'nl'), LAST + HOUR_MS, { history })
    expect(decision).toMatchObject({ allowed: true, template: { name: 'account_notice', language: 'nl' } })
  })

  it('checks the template before the window, so a closed window does not hide a missing parameter', () => {
    expect(decideAt(templateMessage('order_shipped'), CLOSED + DAY_MS, { history }).reason).toBe(
      'TEMPLATE_PARAMETER_COUNT',
    )
  })

  it('allows a template whose parameters fit', () => {
    expect(decideAt(templateMessage('order_shipped', ['A-1001']), LAST + HOUR_MS, { history }).allowed).toBe(
      true,
    )
  })

  it('records the template as it was at the instant', () => {
    const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, { history })
    expect(decision.template).toEqual({
      name: 'spring_sale',
      language: 'en',
      category: 'MARKETING',
      issueResolution: false,
    })
    expect(decision.allowed && decision.sent).toEqual({ type: 'template', category: 'MARKETING' })
  })
})

describe('decide: the brief’s walk-through', () => {
  it('refuses a plain template after the window, sends Issue Resolution, and re-opens on the answer (CCW-1…CCW-8)', () => {
    const hi = parseInstant('2024-03-01T09:00:00Z')!
    // The customer scans a QR code and sends "Hi": the window opens, no consent is given (CCW-1, CCW-5).
    const history: ContactEvent[] = [userMessage(hi, { referral: 'link' })]

    const reply = decideAt(sessionMessage(), hi + 5 * MINUTE_MS, { history })
    expect(reply).toMatchObject({ allowed: true, reason: 'IN_CARE_WINDOW', consent: EMPTY_CONSENT })
    history.push(delivered(reply))

    const later = hi + 25 * HOUR_MS
    const plain = decideAt(templateMessage('account_notice'), later, { history })
    expect(plain).toMatchObject({ allowed: false, reason: 'NO_OPT_IN', rules: ['CCW-4', 'CCW-6', 'CCW-5'] })
    expect(decideAt(sessionMessage(), later, { history }).reason).toBe('WINDOW_CLOSED')

    const invitation = decideAt(TICKET_UPDATE, later, { history })
    expect(invitation).toMatchObject({ allowed: true, reason: 'ISSUE_RESOLUTION_TEMPLATE' })
    expect(invitation.rules).toEqual(expect.arrayContaining(['CCW-7', 'TPL-1']))
    history.push(delivered(invitation))

    const answer = hi + 27 * HOUR_MS
    history.push(userMessage(answer, { messageType: 'button' }))

    const followUp = decideAt(sessionMessage(), answer + MINUTE_MS, { history })
    expect(followUp).toMatchObject({ allowed: true, reason: 'IN_CARE_WINDOW' })
    expect(followUp.rules).toContain('CCW-8')
    expect(followUp.window).toMatchObject({
      state: 'open',
      openedAt: answer,
      expiresAt: answer + 24 * HOUR_MS,
    })
  })

  it('does not cite CCW-8 inside the first window', () => {
    expect(decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)] }).rules).not.toContain(
      'CCW-8',
    )
  })
})

describe('decide: Messenger', () => {
  const history = [userMessage(M_LAST)]
  const closedAt = M_LAST + DAY_MS

  it('allows a reply and an UPDATE inside the standard window (MSG-1)', () => {
    for (const messagingType of ['RESPONSE', 'UPDATE'] as const) {
      const decision = decideAt(messengerMessage(messagingType), M_LAST + HOUR_MS, { history })
      expect(decision).toMatchObject({ allowed: true, reason: 'IN_STANDARD_WINDOW', rules: ['MSG-1'] })
    }
  })

  it('allows one +1 after the window before the cut-off and refuses a second (MSG-2)', () => {
    const first = decideAt(messengerMessage('RESPONSE'), closedAt, { history })
    expect(first).toMatchObject({ allowed: true, reason: 'PLUS_ONE', rules: ['MSG-2'] })
    const second = decideAt(messengerMessage('UPDATE'), closedAt + HOUR_MS, {
      history: [...history, delivered(first)],
    })
    expect(second).toMatchObject({ allowed: false, reason: 'PLUS_ONE_USED', rules: ['MSG-2', 'MSG-3'] })
    expect(errorOf(second)).toEqual({ code: 10, subcode: 2018278 })
  })

  it('gives a new +1 after the user writes again', () => {
    const used = [...history, messengerSent(closedAt)]
    const wroteAgain = [...used, userMessage(closedAt + HOUR_MS)]
    expect(
      decideAt(messengerMessage('RESPONSE'), closedAt + 2 * HOUR_MS, { history: wroteAgain }).reason,
    ).toBe('IN_STANDARD_WINDOW')
    expect(
      decideAt(messengerMessage('RESPONSE'), closedAt + HOUR_MS + DAY_MS, { history: wroteAgain }).reason,
    ).toBe('PLUS_ONE')
  })

  it('does not use up the +1 with a tagged message', () => {
    const tagged = [...history, messengerSent(closedAt, 'MESSAGE_TAG', 'HUMAN_AGENT')]
    expect(decideAt(messengerMessage('RESPONSE'), closedAt + HOUR_MS, { history: tagged }).reason).toBe(
      'PLUS_ONE',
    )
  })

  it.each(
    titled(
      (row) => `ends the +1 at ${row.setting}`,
      [
        {
          setting: 'the brief’s cut-off (2020-01-15, default)',
          settings: policySettings(),
          cutOff: MESSENGER_POLICY_CHANGE_BRIEF,
        },
        {
          setting: 'Meta’s cut-off (2020-03-04)',
          settings: META_CUT_OFF,
          cutOff: MESSENGER_POLICY_CHANGE_META,
        },
      ],
    ),
  )('%s', (_title, { settings, cutOff }) => {
    const wrote = [userMessage(cutOff - 3 * DAY_MS)]
    expect(decideAt(messengerMessage('RESPONSE'), cutOff - 1, { history: wrote, settings }).reason).toBe(
      'PLUS_ONE',
    )
    const after = decideAt(messengerMessage('RESPONSE'), cutOff, { history: wrote, settings })
    expect(after).toMatchObject({
      allowed: false,
      reason: 'OUTSIDE_MESSENGER_WINDOW',
      rules: ['MSG-1', 'MSG-2', 'MSG-3'],
    })
    expect(errorOf(after)).toEqual({ code: 10, subcode: 2018278 })
  })

  it('still allows the +1 between 2020-01-15 and 2020-03-04 with Meta’s cut-off', () => {
    const wrote = [userMessage(MESSENGER_POLICY_CHANGE_BRIEF - 3 * DAY_MS)]
    expect(
      decideAt(messengerMessage('RESPONSE'), MESSENGER_POLICY_CHANGE_BRIEF, {
        history: wrote,
        settings: META_CUT_OFF,
      }).reason,
    ).toBe('PLUS_ONE')
  })

  it('refuses an untagged message to a user who never wrote, without a +1 to mention', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_LAST, {})
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'OUTSIDE_MESSENGER_WINDOW',
      rules: ['MSG-1', 'MSG-3'],
    })
    expect(decision.allowed || decision.error.details).toBe(
      'The contact has never sent a message, so no window is open. Outside the window use messaging_type MESSAGE_TAG with a tag allowed at this date.',
    )
  })

  it('points to HUMAN_AGENT in the refusal while a person may still reply', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + 2 * DAY_MS, {
      history: [userMessage(M_2021)],
    })
    expect(decision.allowed || decision.error.details).toMatch(/\(HUMAN_AGENT, if a person is replying\)\.$/)
  })

  it('refuses MESSAGE_TAG without a tag', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', null), closedAt, { history })
    expect(decision).toMatchObject({ allowed: false, reason: 'TAG_MISSING', rules: ['MSG-3'] })
  })

  it('refuses an unknown tag, even inside the window', () => {
    expect(decideAt(messengerMessage('MESSAGE_TAG', 'SALE'), M_LAST + HOUR_MS, { history }).reason).toBe(
      'TAG_UNKNOWN',
    )
  })

  it.each(
    titled(
      (row) => `answers ${row.reason} to the legacy tag SHIPPING_UPDATE ${row.when}`,
      [
        { when: 'before the cut-off', at: MESSENGER_POLICY_CHANGE_BRIEF - 1, reason: 'MESSAGE_TAG' },
        { when: 'at the cut-off', at: MESSENGER_POLICY_CHANGE_BRIEF, reason: 'TAG_NOT_ALLOWED' },
      ],
    ),
  )('%s', (_title, { at, reason }) => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'SHIPPING_UPDATE'), at, {
      history: [userMessage(at - 3 * DAY_MS)],
    })
    expect(decision.reason).toBe(reason)
  })

  it.each(['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'])(
    'accepts %s until 2026-04-27 and refuses it with error 100 from that instant',
    (tag) => {
      const wrote = [userMessage(MESSENGER_TAG_RETIREMENT - 3 * DAY_MS)]
      expect(
        decideAt(messengerMessage('MESSAGE_TAG', tag), MESSENGER_TAG_RETIREMENT - 1, { history: wrote }),
      ).toMatchObject({
        allowed: true,
        reason: 'MESSAGE_TAG',
        rules: ['MSG-3'],
      })
      const retired = decideAt(messengerMessage('MESSAGE_TAG', tag), MESSENGER_TAG_RETIREMENT, {
        history: wrote,
      })
      expect(retired).toMatchObject({ allowed: false, reason: 'TAG_NOT_ALLOWED', rules: ['MSG-3'] })
      expect(errorOf(retired)).toEqual({ code: 100, subcode: null })
    },
  )

  it('refuses a 2020 tag before the 2020 policy took effect', () => {
    expect(
      decideAt(messengerMessage('MESSAGE_TAG', 'POST_PURCHASE_UPDATE'), closedAt, { history }).reason,
    ).toBe('TAG_NOT_ALLOWED')
  })

  it('counts a tagged message inside the window as a message in the window', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + HOUR_MS, {
      history: [userMessage(M_2021)],
    })
    expect(decision).toMatchObject({ allowed: true, reason: 'IN_STANDARD_WINDOW' })
  })

  it.each(
    titled(
      (row) => `answers ${row.reason} to a human agent on day ${row.day} after the user’s last message`,
      [
        { day: 6, reason: 'HUMAN_AGENT', allowed: true },
        { day: 8, reason: 'HUMAN_AGENT_EXPIRED', allowed: false },
      ],
    ),
  )('%s', (_title, { day, reason, allowed: isAllowed }) => {
    const decision = decideAt(
      messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'),
      M_2021 + day * DAY_MS,
      {
        history: [userMessage(M_2021)],
      },
    )
    expect(decision).toMatchObject({ allowed: isAllowed, reason, rules: ['MSG-3'] })
  })

  it('says when the HUMAN_AGENT horizon ended', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 8 * DAY_MS, {
      history: [userMessage(M_2021)],
    })
    expect(decision.allowed || decision.error.details).toBe(
      "HUMAN_AGENT replies are allowed until 7 days after the user's last message; that ended at 2021-06-08 10:00 UTC.",
    )
  })

  it('refuses HUMAN_AGENT to a user who never wrote', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021, {})
    expect(decision).toMatchObject({ allowed: false, reason: 'HUMAN_AGENT_EXPIRED' })
    expect(decision.allowed || decision.error.details).toBe(
      'The user has never messaged this Page, so there is nothing a human agent can reply to.',
    )
  })

  it.each(
    titled(
      (row) => `refuses HUMAN_AGENT from a bot ${row.when}`,
      [
        { when: 'inside the window', at: M_2021 + HOUR_MS },
        { when: 'on day 3', at: M_2021 + 3 * DAY_MS },
      ],
    ),
  )('%s', (_title, { at }) => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'), at, {
      history: [userMessage(M_2021)],
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'HUMAN_AGENT_NOT_HUMAN' })
    expect(errorOf(decision)).toEqual({ code: 100, subcode: null })
  })

  it('cites MSG-AD for a reply inside a 7-day ad window', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + 3 * DAY_MS, {
      history: [userMessage(M_2021, { referral: 'ad' })],
    })
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'IN_STANDARD_WINDOW',
      rules: ['MSG-1', 'MSG-AD'],
    })
  })

  it('replays a 2019 conversation under 2019 rules and the same conversation in 2021 under 2021 rules', () => {
    const offset = M_2021 - M_LAST
    const conversation = (shift: number) => [userMessage(M_LAST + shift)]
    const intents = [
      messengerMessage('RESPONSE'),
      messengerMessage('MESSAGE_TAG', 'SHIPPING_UPDATE'),
      messengerMessage('MESSAGE_TAG', 'POST_PURCHASE_UPDATE'),
    ]
    const reasonsAt = (shift: number) =>
      intents.map((intent) => decideAt(intent, closedAt + shift, { history: conversation(shift) }).reason)
    expect(reasonsAt(0)).toEqual(['PLUS_ONE', 'MESSAGE_TAG', 'TAG_NOT_ALLOWED'])
    expect(reasonsAt(offset)).toEqual(['OUTSIDE_MESSENGER_WINDOW', 'TAG_NOT_ALLOWED', 'MESSAGE_TAG'])
  })

  it('judges a 2019 instant by 2019 rules however late it is replayed', () => {
    const wholeHistory = [...history, userMessage(M_2021)]
    expect(decideAt(messengerMessage('RESPONSE'), closedAt, { history: wholeHistory }).reason).toBe(
      'PLUS_ONE',
    )
  })
})

describe('decide: Messenger auto-tag (a channel setting)', () => {
  const history = [userMessage(M_2021)]
  const autoTag = policySettings({ autoTagHumanAgent: true })
  const agentReply = messengerMessage('RESPONSE', null, 'agent')

  it('turns a person’s late reply into MESSAGE_TAG / HUMAN_AGENT and says so (MSG-3)', () => {
    const decision = decideAt(agentReply, M_2021 + 2 * DAY_MS, { history, settings: autoTag })
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'HUMAN_AGENT',
      rules: ['MSG-3'],
      autoTagged: true,
      sent: { type: 'messenger', messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    })
    expect(explain(decision)).toContain('carewindow added the tag itself')
  })

  it.each([
    ['inside the window', M_2021 + HOUR_MS, 'IN_STANDARD_WINDOW'],
    ['after the 7-day horizon', M_2021 + 7 * DAY_MS, 'OUTSIDE_MESSENGER_WINDOW'],
  ])('leaves a reply %s alone', (_label, at, reason) => {
    const decision = decideAt(agentReply, at, { history, settings: autoTag })
    expect(decision.reason).toBe(reason)
    expect(decision.allowed && decision.autoTagged).toBeFalsy()
  })

  it('never tags a bot’s reply', () => {
    const decision = decideAt(messengerMessage('RESPONSE', null, 'bot'), M_2021 + 2 * DAY_MS, {
      history,
      settings: autoTag,
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'OUTSIDE_MESSENGER_WINDOW' })
  })

  it('does nothing unless the channel opted in', () => {
    expect(decideAt(agentReply, M_2021 + 2 * DAY_MS, { history }).reason).toBe('OUTSIDE_MESSENGER_WINDOW')
  })

  it('uses the +1 rather than a tag while the +1 exists', () => {
    const decision = decideAt(agentReply, M_LAST + 2 * DAY_MS, {
      history: [userMessage(M_LAST)],
      settings: autoTag,
    })
    expect(decision).toMatchObject({ allowed: true, reason: 'PLUS_ONE' })
  })
})

describe('decide: inputs', () => {
  it('accepts a contact state folded up to the instant instead of the history', () => {
    const history = [userMessage(LAST), businessMessage(LAST + HOUR_MS)]
    const at = LAST + 2 * HOUR_MS
    const state = foldHistory('whatsapp', history, at, policySettings())
    expect(decideAt(sessionMessage(), at, { history: state })).toEqual(
      decideAt(sessionMessage(), at, { history }),
    )
  })

  it('records the instant, platform, window and consent it decided on', () => {
    const decision = decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)] })
    expect(decision).toMatchObject({
      at: LAST + HOUR_MS,
      platform: 'whatsapp',
      window: { state: 'open', expiresAt: CLOSED },
      consent: EMPTY_CONSENT,
      template: null,
    })
    expect(decision.allowed && decision.sent).toEqual({ type: 'session' })
  })

  it('leaves nothing to append to the history for a refused message', () => {
    const refused = decideAt(sessionMessage(), LAST, {})
    expect(() => delivered(refused)).toThrow('a refused message (WINDOW_CLOSED) is never sent')
  })
})
