import type { ConsentSnapshot } from '../consent/consent-ledger.js'
import type { Platform } from '../platform.js'
import type { Billing } from '../pricing/billing.js'
import type { RuleId } from '../rules.js'
import type { TemplateCategory } from '../templates/template.js'
import type { Instant } from '../time.js'
import type { SentMessage } from '../windows/contact-events.js'
import type { WindowSnapshot } from '../windows/window-snapshot.js'

/** Why a message may go out. */
export const ALLOW_REASONS = [
  /** CCW-2: the customer care window is open. */
  'IN_CARE_WINDOW',
  /** CCW-6: a template outside the window, to a contact who opted in to its category. */
  'OPTED_IN_TEMPLATE',
  /** CCW-7: an Issue Resolution template outside the window, without opt-in. */
  'ISSUE_RESOLUTION_TEMPLATE',
  /** MSG-1: the Messenger standard (or ad) window is open. */
  'IN_STANDARD_WINDOW',
  /** MSG-2: the one extra message after the Messenger window. */
  'PLUS_ONE',
  /** MSG-3: a message tag allowed at that date. */
  'MESSAGE_TAG',
  /** MSG-3: HUMAN_AGENT from a person within 7 days of the user's last message. */
  'HUMAN_AGENT',
] as const
export type AllowReason = (typeof ALLOW_REASONS)[number]

/** Why a message may not go out, each with the Graph error a client receives. */
export const REFUSAL_ERRORS = {
  WINDOW_CLOSED: { code: 131047, subcode: null, title: 'Re-engagement message' },
  NO_OPT_IN: { code: 100, subcode: null, title: 'Invalid parameter' },
  // Graph's 131050 speaks of marketing; carewindow also refuses other categories a contact opted out of.
  OPTED_OUT: {
    code: 131050,
    subcode: null,
    title:
      'Unable to deliver the message. This recipient has chosen to stop receiving these messages on WhatsApp from your business.',
  },

  CONSENT_REVOKED: {
    code: 131050,
    subcode: null,
    title:
      'Unable to deliver the message. This recipient has chosen to stop receiving messages from your business.',
  },
  TEMPLATE_NOT_FOUND: { code: 132001, subcode: null, title: 'Template does not exist' },
  TEMPLATE_NOT_APPROVED: { code: 132001, subcode: null, title: 'Template does not exist' },
  TEMPLATE_PAUSED: { code: 132015, subcode: null, title: 'Template is Paused' },
  TEMPLATE_DISABLED: { code: 132016, subcode: null, title: 'Template is Disabled' },
  TEMPLATE_PARAMETER_COUNT: {
    code: 132000,
    subcode: null,
    title: 'Number of parameters does not match the expected number of params',
  },
  TEMPLATE_PARAMETER_FORMAT: {
    code: 132012,
    subcode: null,
    title: 'Parameter format does not match format in the created template',
  },
  OUTSIDE_MESSENGER_WINDOW: {
    code: 10,
    subcode: 2018278,
    title: 'This message is sent outside of allowed window.',
  },
  PLUS_ONE_USED: { code: 10, subcode: 2018278, title: 'This message is sent outside of allowed window.' },
  HUMAN_AGENT_EXPIRED: {
    code: 10,
    subcode: 2018278,
    title: 'This message is sent outside of allowed window.',
  },
  HUMAN_AGENT_NOT_HUMAN: { code: 100, subcode: null, title: 'Invalid parameter' },
  TAG_MISSING: { code: 100, subcode: null, title: 'Invalid parameter' },
  TAG_UNKNOWN: { code: 100, subcode: null, title: 'Invalid parameter' },
  TAG_NOT_ALLOWED: { code: 100, subcode: null, title: 'Invalid parameter' },
} as const satisfies Record<string, { code: number; subcode: number | null; title: string }>

export type RefusalReason = keyof typeof REFUSAL_ERRORS
export const REFUSAL_REASONS = Object.keys(REFUSAL_ERRORS) as readonly RefusalReason[]

/** The error Graph (or carewindow, where Graph has none) answers a refused message with. */
export interface GraphError {
  readonly code: number
  readonly subcode: number | null
  readonly title: string
  /** What exactly is wrong and how to fix it; goes to `error.error_data.details`. */
  readonly details: string
}

/** The template a decision was about, as it was at the decision's instant. */
export interface TemplateRef {
  readonly name: string
  readonly language: string
  readonly category: TemplateCategory
  readonly issueResolution: boolean
}

interface DecisionBase {
  readonly at: Instant
  readonly platform: Platform
  /** The rules that decided, then the pricing rules that billed. */
  readonly rules: readonly RuleId[]
  readonly window: WindowSnapshot
  readonly consent: ConsentSnapshot
  readonly template: TemplateRef | null
}

export interface AllowedDecision extends DecisionBase {
  readonly allowed: true
  readonly reason: AllowReason
  readonly billing: Billing
  /** Append `{kind: 'outbound', at, sent}` to the contact's history once the message went out. */
  readonly sent: SentMessage
  /**
   * Messenger auto-tag (a channel setting): carewindow changes the request to `MESSAGE_TAG` / `HUMAN_AGENT`
   * (`sent` says so) for a person's reply between the standard window and the 7-day horizon.
   */
  readonly autoTagged?: true
}

export interface RefusedDecision extends DecisionBase {
  readonly allowed: false
  readonly reason: RefusalReason
  readonly error: GraphError
  /** A refused message is never billed. */
  readonly billing: null
}

/** The answer for one intended message at one instant. */
export type Decision = AllowedDecision | RefusedDecision
