import type { ConsentEvent, ConsentScope, ConsentSource } from '../consent/consent-ledger.js'
import type { Decision } from '../decisions/decision.js'
import type {
  MessengerIntent,
  MessengerSender,
  WhatsAppSessionIntent,
  WhatsAppSessionType,
  WhatsAppTemplateIntent,
} from '../decisions/intent.js'
import type { TemplateSendComponent } from '../templates/template-send.js'
import type { Template, TemplateCategory } from '../templates/template.js'
import { HOUR_MS, parseInstant, type Instant } from '../time.js'
import type {
  InboundEvent,
  MessagingType,
  OutboundEvent,
  ReferralSource,
  SentMessage,
} from '../windows/contact-events.js'

/**
 * Builders for the policy core's tests: histories, intents, templates and consent in one line each, so a
 * test reads as the scenario it checks. Pure data, like the rest of the domain.
 */

/** A Dutch mobile number: its messages are priced in the NL market. */
export const DUTCH_CONTACT = '31612345678'

/** The instant an ISO 8601 timestamp with an offset names, for fixtures' constants (NaN for a malformed one). */
export const instant = (iso: string): Instant => parseInstant(iso) ?? Number.NaN

/** The customer's last message in most fixtures: 2024-03-01 10:00 UTC, under CBP with four categories. */
export const LAST = instant('2024-03-01T10:00:00Z')
/** The instant that window closes. */
export const CLOSED = LAST + 24 * HOUR_MS
/** A last message under notification-based pricing. */
export const NBP_LAST = instant('2021-06-01T10:00:00Z')
/** A last message under per-message pricing. */
export const PMP_LAST = instant('2025-09-01T10:00:00Z')
/** A Messenger conversation before the 2020 policy change, when the +1 still existed. */
export const M_LAST = instant('2019-12-01T10:00:00Z')
/** A Messenger conversation after it. */
export const M_2021 = instant('2021-06-01T10:00:00Z')

/** A message the end-user sent at `at` (CCW-1, MSG-1). */
export function userMessage(
  at: Instant,
  options: { readonly referral?: ReferralSource; readonly messageType?: string } = {},
): InboundEvent {
  return { kind: 'inbound', at, ...options }
}

/** A message the business sent at `at`; a free-form WhatsApp message unless `sent` says otherwise. */
export function businessMessage(at: Instant, sent: SentMessage = { type: 'session' }): OutboundEvent {
  return { kind: 'outbound', at, sent }
}

/** The history entry for a message `decide` allowed and that then went out. */
export function delivered(decision: Decision): OutboundEvent {
  if (!decision.allowed) throw new Error(`a refused message (${decision.reason}) is never sent`)
  return { kind: 'outbound', at: decision.at, sent: decision.sent }
}

/** A free-form WhatsApp message (CCW-2). */
export function sessionMessage(messageType: WhatsAppSessionType = 'text'): WhatsAppSessionIntent {
  return { platform: 'whatsapp', kind: 'session', messageType }
}

/**
 * A WhatsApp template send. `body` gives the body parameters: a list for positional `{{1}}` templates, an
 * object for named `{{ticket_id}}` ones.
 */
export function templateMessage(
  name: string,
  body: readonly string[] | Readonly<Record<string, string>> = [],
  language = 'en',
): WhatsAppTemplateIntent {
  const parameters = Array.isArray(body)
    ? body.map((text: string) => ({ type: 'text', text }))
    : Object.entries(body).map(([parameter_name, text]) => ({ type: 'text', parameter_name, text }))
  const components: TemplateSendComponent[] = parameters.length === 0 ? [] : [{ type: 'body', parameters }]
  return {
    platform: 'whatsapp',
    kind: 'template',
    template: { name, language: { code: language }, components },
  }
}

/** A Messenger Send API message. */
export function messengerMessage(
  messagingType: MessagingType = 'RESPONSE',
  tag: string | null = null,
  sender: MessengerSender = 'bot',
): MessengerIntent {
  return { platform: 'messenger', kind: 'message', messagingType, tag, sender }
}

/** An approved English template without parameters; `overrides` changes what the test is about. */
export function template(
  name: string,
  category: TemplateCategory = 'UTILITY',
  overrides: Partial<Template> = {},
): Template {
  return {
    name,
    language: 'en',
    category,
    status: 'APPROVED',
    issueResolution: false,
    body: `Message ${name}.`,
    ...overrides,
  }
}

/** The contact opted in to `scope` at `at`. */
export function optIn(
  scope: ConsentScope,
  at: Instant,
  source: ConsentSource = 'website_form',
): ConsentEvent {
  return { kind: 'opt_in', scope, source, at }
}

/** The contact opted out of `scope` at `at`. */
export function optOut(scope: ConsentScope, at: Instant, source: ConsentSource = 'keyword'): ConsentEvent {
  return { kind: 'opt_out', scope, source, at }
}

/**
 * Table rows for `it.each(titled(title, rows))('%s', (_title, row) => …)`: each row with its title first,
 * so test names read as sentences, neither quoted nor cut short as `$field` names are.
 */
export function titled<Row>(title: (row: Row) => string, rows: readonly Row[]): [string, Row][] {
  return rows.map((row) => [title(row), row])
}
