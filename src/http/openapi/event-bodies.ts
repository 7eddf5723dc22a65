import {
  CONSENT_CATEGORIES,
  MISMATCH_CAUSE_CODES,
  MISMATCH_CAUSES,
  REFUSAL_REASONS,
  RULE_IDS,
  type PlusOneState,
  type WindowType,
} from '../../domain/index.js'
import type { EventType } from '../../gateway/outbox/events.js'
import { schemaRef, type OpenApiObject } from './schemas.js'

// The bodies of the events carewindow POSTs to a tenant's webhook URL: the envelope every event shares and each
// type's `data` (events.ts makes them the document's webhooks).

export const instant = { type: 'string', format: 'date-time' } as const
const maybeInstant = { type: ['string', 'null'], format: 'date-time' } as const
const maybeString = { type: ['string', 'null'] } as const

const WINDOW_TYPES = [
  'customer_care',
  'free_entry_point',
  'messenger_standard',
  'messenger_ad',
  'human_agent',
] as const satisfies readonly WindowType[]
const PLUS_ONE_STATES = ['available', 'used', 'expired', 'none'] as const satisfies readonly PlusOneState[]
const CONSENT_SCOPES = ['all', ...CONSENT_CATEGORIES]

const consentStatus = {
  type: 'object',
  required: ['state', 'since', 'scope', 'source'],
  properties: {
    state: { type: 'string', enum: ['opted_in', 'opted_out', 'none'] },
    since: maybeInstant,
    scope: { type: ['string', 'null'], enum: [...CONSENT_SCOPES, null] },
    source: maybeString,
  },
  additionalProperties: false,
} as const

/** The schemas every event's body shares. */
export const ENVELOPE_SCHEMAS = {
  EventChannel: {
    type: 'object',
    description: 'The channel: its platform and its phone_number_id (WhatsApp) or Page id (Messenger).',
    required: ['platform', 'id'],
    properties: {
      platform: { type: 'string', enum: ['whatsapp', 'messenger'] },
      id: { type: 'string', examples: ['106540352242922'] },
    },
    additionalProperties: false,
  },
  Window: {
    type: 'object',
    description:
      'The contact’s window when the event happened (docs/decisions.md, “Windows”). Instants are null for a contact never heard from.',
    required: ['state', 'type', 'opened_at', 'last_user_message_at', 'expires_at', 'seconds_left'],
    properties: {
      state: { type: 'string', enum: ['open', 'closed'] },
      type: { type: 'string', enum: WINDOW_TYPES },
      opened_at: maybeInstant,
      last_user_message_at: maybeInstant,
      expires_at: maybeInstant,
      seconds_left: { type: 'integer', minimum: 0 },
      free_entry_point_expires_at: { ...maybeInstant, description: 'WhatsApp only' },
      human_agent_expires_at: { ...maybeInstant, description: 'Messenger only' },
      plus_one: { type: 'string', enum: PLUS_ONE_STATES, description: 'Messenger only: the 24+1 message' },
    },
    additionalProperties: false,
  },
  Consent: {
    type: 'object',
    description: 'The consent in force per template category, and when all consent was revoked.',
    required: ['marketing', 'utility', 'authentication', 'revoked_all_at'],
    properties: {
      marketing: consentStatus,
      utility: consentStatus,
      authentication: consentStatus,
      revoked_all_at: maybeInstant,
    },
    additionalProperties: false,
  },
} as const satisfies Record<string, OpenApiObject>

export interface EventDescription {
  readonly summary: string
  readonly description: string
  /** The schema of the event's `data`. */
  readonly data: OpenApiObject
  readonly example: OpenApiObject
}

const dataObject = (properties: Record<string, OpenApiObject>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
})

/** What each event type carries; `satisfies` makes a type added to EVENT_TYPES fail to compile until it is here. */
export const EVENTS = {
  'window.opened': {
    summary: 'A customer’s message opened a window',
    description:
      'A customer’s message opened a window that was closed (for the business: there was none yet, or window.closed was sent).',
    data: dataObject({
      message_id: { type: 'string', description: 'The customer’s message (its wamid or Messenger mid)' },
    }),
    example: { message_id: 'wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTdBMDBFRjA3' },
  },
  'window.expiring': {
    summary: 'A window closes soon',
    description:
      'window_expiring_lead_minutes (default 60) before the window closes, if it is still open then. A window the customer extends gets a new one for its new expiry.',
    data: dataObject({ expires_at: instant }),
    example: { expires_at: '2025-09-02T10:00:00.000Z' },
  },
  'window.closed': {
    summary: 'A window closed',
    description:
      'expires_at was reached with no newer customer message. Sent once per window, also for windows that closed while no scheduler ran.',
    data: dataObject({}),
    example: {},
  },
  'message.refused': {
    summary: 'A send was refused',
    description:
      'A send (through the proxy or an automation) was refused by policy: its reason, the rules that made the decision and the Graph error the client got.',
    data: dataObject({
      message_id: {
        type: 'string',
        description: 'carewindow’s id of the message (GET /v1/messages/{messageId})',
      },
      reason: { type: 'string', enum: REFUSAL_REASONS },
      rules: { type: 'array', items: { type: 'string', enum: RULE_IDS } },
      error: dataObject({
        code: { type: 'integer' },
        subcode: { type: ['integer', 'null'] },
        details: { type: 'string' },
      }),
    }),
    example: {
      message_id: 'msg_3k9xQ2mZ8bT1',
      reason: 'WINDOW_CLOSED',
      rules: ['CCW-4', 'CCW-6'],
      error: {
        code: 131047,
        subcode: null,
        details:
          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    },
  },
  'message.status': {
    summary: 'Meta reported a newer status for a message carewindow sent',
    description: 'Once per status, when it is newer than the one recorded (sent, delivered, read, failed …).',
    data: dataObject({
      message_id: { type: 'string', description: 'carewindow’s id of the message' },
      wamid: { type: 'string' },
      status: { type: 'string', examples: ['sent', 'delivered', 'read', 'failed'] },
      pricing: {
        type: ['object', 'null'],
        description: 'Meta’s pricing object, when the status carries one',
      },
      errors: { type: ['array', 'null'], description: 'Meta’s errors, for a failed message' },
    }),
    example: {
      message_id: 'msg_3k9xQ2mZ8bT1',
      wamid: 'wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI',
      status: 'delivered',
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
      errors: null,
    },
  },
  'consent.changed': {
    summary: 'An opt-in or opt-out was recorded',
    description:
      'Through the API, a stop keyword or Meta’s user_preferences: the ledger entry and the consent in force after it.',
    data: dataObject({
      event: dataObject({
        kind: { type: 'string', enum: ['opt_in', 'opt_out'] },
        scope: { type: 'string', enum: CONSENT_SCOPES },
        source: { type: 'string', examples: ['api', 'keyword', 'user_preferences', 'website_form'] },
        evidence: maybeString,
        actor: maybeString,
        at: instant,
      }),
      consent: schemaRef('Consent'),
    }),
    example: {
      event: {
        kind: 'opt_in',
        scope: 'marketing',
        source: 'website_form',
        evidence: 'Checkbox "Send me updates on WhatsApp", form v3',
        actor: null,
        at: '2025-09-01T10:00:00.000Z',
      },
      consent: {
        marketing: {
          state: 'opted_in',
          since: '2025-09-01T10:00:00.000Z',
          scope: 'marketing',
          source: 'website_form',
        },
        utility: { state: 'none', since: null, scope: null, source: null },
        authentication: { state: 'none', since: null, scope: null, source: null },
        revoked_all_at: null,
      },
    },
  },
  'case.reengaged': {
    summary: 'The Issue Resolution re-engagement ran for an open case',
    description:
      'After an open case’s window closed (automations.reengagement): the case, the template and what became of its send.',
    data: dataObject({
      case_id: maybeString,
      external_id: maybeString,
      template: dataObject({ name: { type: 'string' }, language: { type: 'string' } }),
      message_id: {
        ...maybeString,
        description: 'carewindow’s id of the message, null when none was recorded',
      },
      allowed: { type: 'boolean' },
      reason: {
        ...maybeString,
        description:
          'The decision’s reason, or the error catalogue key when the send failed before a decision',
      },
    }),
    example: {
      case_id: 'case_0mf0y5o0g3f9c2a1b4d5e6f7a',
      external_id: 'T-1042',
      template: { name: 'ticket_update', language: 'en' },
      message_id: 'msg_3k9xQ2mZ8bT1',
      allowed: true,
      reason: 'ISSUE_RESOLUTION_TEMPLATE',
    },
  },
  'held_message.released': {
    summary: 'A held reply was sent, or could not be',
    description:
      'The customer came back and a reply held for the closed window was sent (released) or refused (failed).',
    data: dataObject({
      hold_id: { type: 'string' },
      message_id: { ...maybeString, description: 'carewindow’s id of the message sent on release' },
      status: { type: 'string', enum: ['released', 'failed'] },
      reason: { ...maybeString, description: 'The decision’s reason, or the error catalogue key' },
    }),
    example: {
      hold_id: 'hold_3k9xQ2mZ8bT1',
      message_id: 'msg_9Lp4wQ2xY7zA',
      status: 'released',
      reason: 'IN_CARE_WINDOW',
    },
  },
  'billing.mismatch': {
    summary: 'Meta billed a message differently from how carewindow priced it',
    description:
      'Once per message, when the pricing in Meta’s status notification differs from carewindow’s in pricing model, ' +
      'category, billable or type; with the fields that differ and the likely cause.',
    data: dataObject({
      message_id: { type: 'string', description: 'carewindow’s id of the message' },
      wamid: maybeString,
      cause: {
        type: 'string',
        enum: [...MISMATCH_CAUSE_CODES],
        description: 'The likely cause of the difference',
      },
      explanation: { type: 'string', description: 'What the cause means and what to do, in a sentence' },
      differences: {
        type: 'array',
        items: dataObject({
          field: { type: 'string', enum: ['pricing_model', 'category', 'billable', 'type'] },
          carewindow: { type: ['string', 'boolean', 'null'] },
          meta: { type: ['string', 'boolean', 'null'] },
        }),
      },
      carewindow: dataObject({
        pricing_model: maybeString,
        category: maybeString,
        billable: { type: ['boolean', 'null'] },
        type: maybeString,
      }),
      meta: { type: 'object', description: 'Meta’s pricing object as it came' },
    }),
    example: {
      message_id: 'msg_3k9xQ2mZ8bT1',
      wamid: 'wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI',
      cause: 'template_recategorised',
      explanation: MISMATCH_CAUSES.template_recategorised,
      differences: [{ field: 'category', carewindow: 'utility', meta: 'marketing' }],
      carewindow: { pricing_model: 'PMP', category: 'utility', billable: true, type: 'regular' },
      meta: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
    },
  },
} as const satisfies Record<EventType, EventDescription>
