import { decide, type DecisionContext } from '../decisions/decide.js'
import type { Decision } from '../decisions/decision.js'
import type { Intent } from '../decisions/intent.js'
import { MESSENGER_POLICY_CHANGE_META, policySettings } from '../settings.js'
import { issueResolutionTemplates } from '../templates/issue-resolution-library.js'
import { templateCatalog } from '../templates/template.js'
import { utcDate, type Instant } from '../time.js'
import type { OutboundEvent } from '../windows/contact-events.js'
import { businessMessage, template, templateMessage } from './builders.js'

/**
 * Fixtures shared by decide's tests (decisions/decide-*.test.ts): one template catalogue, the channel settings
 * the tests switch, and `decide` with that catalogue.
 */

/** When `loyalty_update` was re-categorised from UTILITY to MARKETING. */
export const RECATEGORISED: Instant = utcDate('2025-09-15')

/** The business's templates: one of each category and status a decision turns on. */
export const CATALOG = templateCatalog([
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

/** A send of the shipped example Issue Resolution template `ticket_update` (TPL-1). */
export const TICKET_UPDATE = templateMessage('ticket_update', { ticket_id: 'T-1042' })
/** A channel that switched off Issue Resolution templates without opt-in (CCW-7). */
export const ISSUE_RESOLUTION_OFF = policySettings({ issueResolutionWithoutOptIn: false })
/** A channel that ends Messenger's +1 at Meta's cut-off rather than the brief's (MSG-2). */
export const META_CUT_OFF = policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META })
/** A channel with the reported 2026-10-01 pricing switched on (PRC-PMP-2026). */
export const WITH_2026 = policySettings({ pricing2026Enabled: true })

/** `decide` at `at`, with {@link CATALOG} as the business's templates. */
export function decideAt(intent: Intent, at: number, context: DecisionContext = {}): Decision {
  return decide(intent, { templates: CATALOG, ...context }, at)
}

/** The decision's Graph error as `{ code, subcode }`, or `null` when it was allowed. */
export function errorOf(decision: Decision): { code: number; subcode: number | null } | null {
  return decision.allowed ? null : { code: decision.error.code, subcode: decision.error.subcode }
}

/** A Messenger message the Page sent at `at`. */
export function messengerSent(
  at: number,
  messagingType: 'RESPONSE' | 'MESSAGE_TAG' = 'RESPONSE',
  tag: string | null = null,
): OutboundEvent {
  return businessMessage(at, { type: 'messenger', messagingType, tag })
}
