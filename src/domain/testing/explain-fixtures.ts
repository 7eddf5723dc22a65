import { decide, type DecisionContext } from '../decisions/decide.js'
import type { Decision } from '../decisions/decision.js'
import type { Intent } from '../decisions/intent.js'
import { SAMPLE_RATE_CARDS } from '../pricing/sample-rate-cards.js'
import { issueResolutionTemplates } from '../templates/issue-resolution-library.js'
import { templateCatalog } from '../templates/template.js'
import { DUTCH_CONTACT, template } from './builders.js'

/**
 * Fixtures shared by explain's tests (decisions/explain-*.test.ts): the decisions they explain are made with
 * this catalogue, and priced with the sample rate cards where a test asks for a price.
 */

/** The business's templates: one of each status a refusal names, and the shipped Issue Resolution examples. */
export const CATALOG = templateCatalog([
  template('account_notice'),
  template('spring_sale', 'MARKETING'),
  template('ticket_followup', 'UTILITY', { issueResolution: true }),
  template('paused_notice', 'UTILITY', { status: 'PAUSED' }),
  template('disabled_notice', 'UTILITY', { status: 'DISABLED' }),
  template('pending_notice', 'UTILITY', { status: 'REJECTED' }),
  template('order_shipped', 'UTILITY', { body: 'Order {{1}} has shipped.' }),
  ...issueResolutionTemplates('APPROVED', ['en']),
])

/** A Dutch contact priced with the sample rate cards. */
export const PRICED: DecisionContext = { contact: DUTCH_CONTACT, rateCards: SAMPLE_RATE_CARDS }

/** `decide` at `at`, with {@link CATALOG} as the business's templates. */
export function decideAt(intent: Intent, at: number, context: DecisionContext = {}): Decision {
  return decide(intent, { templates: CATALOG, ...context }, at)
}

/** An explanation's sentences. */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/)
}
