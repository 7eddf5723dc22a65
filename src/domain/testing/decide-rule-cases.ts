import type { AllowReason, Decision, RefusalReason } from '../decisions/decision.js'
import type { Intent } from '../decisions/intent.js'
import type { RuleId } from '../rules.js'
import { policySettings } from '../settings.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, parseInstant } from '../time.js'
import {
  CLOSED,
  LAST,
  NBP_LAST,
  optIn,
  optOut,
  PMP_LAST,
  sessionMessage,
  templateMessage,
  userMessage,
} from './builders.js'
import { decideAt, ISSUE_RESOLUTION_OFF, TICKET_UPDATE, WITH_2026 } from './decide-fixtures.js'

/** One decision that cites `rule`: what it shows, how it is made, and what decide must answer. */
export interface RuleCase {
  readonly rule: RuleId
  readonly behaviour: string
  readonly decision: () => Decision
  readonly reason: AllowReason | RefusalReason
  /** The Graph error of a refusal; `null` for an allowed message. */
  readonly error: { code: number; subcode: number | null } | null
}

/** The `error` of a rule case whose message is allowed. */
export const allowed = null
/** The `error` of a rule case whose message is refused with Graph error `code` (and `subcode`). */
export const graph = (code: number, subcode: number | null = null) => ({ code, subcode })

function inWindowReply(userMessageAt: string, settings = policySettings()): Decision {
  const at = parseInstant(userMessageAt) ?? Number.NaN
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

/**
 * WhatsApp's part of the table of decisions that cites every rule id of SPEC §1 and §2 (decide-rules.test.ts):
 * the care window, consent, templates and pricing.
 */
export const WHATSAPP_RULE_CASES: readonly RuleCase[] = [
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
]
