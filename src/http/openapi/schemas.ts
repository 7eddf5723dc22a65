import { ALLOW_REASONS, REFUSAL_REASONS } from '../../domain/index.js'

/** A JSON Schema (OpenAPI 3.1: JSON Schema 2020-12) or another piece of the OpenAPI document, as plain JSON. */
export type OpenApiObject = Readonly<Record<string, unknown>>

/** The route schema key of {@link documentedRequest}. */
export const DOCUMENTED_REQUEST = 'documentedRequest'

/**
 * Request parts a route documents but reads and checks itself, so that every problem gets the route's own answer
 * in Graph's envelope (INVALID_VERSION, INVALID_SIGNATURE …) rather than a schema validation error: Fastify never
 * sees them, the OpenAPI document shows them. Spread into the route's `schema`.
 */
export function documentedRequest(parts: {
  readonly params?: OpenApiObject
  readonly querystring?: OpenApiObject
  readonly headers?: OpenApiObject
  readonly body?: OpenApiObject
}): { readonly [DOCUMENTED_REQUEST]: typeof parts } {
  return { [DOCUMENTED_REQUEST]: parts }
}

/** A `$ref` to one of the document's `components.schemas` (the linter fails on one that names none). */
export function schemaRef(name: string): OpenApiObject {
  return { $ref: `#/components/schemas/${name}` }
}

/**
 * The schemas the HTTP API's shared responses and bodies use, written once: Graph's error envelope (carewindow's
 * own errors and Graph's, passed on), Graph's answers to a send, the 202 of a held reply, the send and
 * notification bodies. Each becomes `components.schemas.<name>`.
 */
export const HTTP_SCHEMAS = {
  GraphError: {
    type: 'object',
    description:
      'Graph’s error envelope, for carewindow’s own errors (docs/errors.md), its policy refusals (docs/decisions.md) and Graph’s errors, passed on as Graph sent them. `error.error_data.details` says what to fix; `fbtrace_id` is carewindow’s request id (in its logs).',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['message', 'type', 'code', 'fbtrace_id'],
        properties: {
          message: {
            type: 'string',
            description: '`(#<code>) <title>`',
            examples: ['(#131047) Re-engagement message'],
          },
          type: { type: 'string', examples: ['OAuthException'] },
          code: { type: 'integer', description: 'Graph’s error code', examples: [131047] },
          error_subcode: { type: 'integer', examples: [2018278] },
          error_data: {
            type: 'object',
            properties: {
              messaging_product: { type: 'string', const: 'whatsapp', description: 'On WhatsApp routes' },
              details: { type: 'string', description: 'What is wrong and how to fix it' },
            },
          },
          fbtrace_id: { type: 'string', examples: ['req_3k9xQ2mZ8bT1'] },
        },
      },
    },
  },
  WhatsAppSendResult: {
    type: 'object',
    description:
      'The Cloud API’s answer to a send, as Graph gave it (a mark-as-read, `{"status": "read"}`, is answered `{"success": true}`).',
    properties: {
      messaging_product: { type: 'string', const: 'whatsapp' },
      contacts: {
        type: 'array',
        items: {
          type: 'object',
          properties: { input: { type: 'string' }, wa_id: { type: 'string' } },
        },
      },
      messages: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id'],
          properties: {
            id: {
              type: 'string',
              description: 'The message’s wamid',
              examples: ['wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI'],
            },
            message_status: { type: 'string', examples: ['accepted'] },
          },
        },
      },
      success: { type: 'boolean' },
    },
    examples: [
      {
        messaging_product: 'whatsapp',
        contacts: [{ input: '31612345678', wa_id: '31612345678' }],
        messages: [{ id: 'wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI', message_status: 'accepted' }],
      },
    ],
  },
  MessengerSendResult: {
    type: 'object',
    description: 'The Send API’s answer, as Graph gave it (a sender action has no message_id).',
    required: ['recipient_id'],
    properties: {
      recipient_id: { type: 'string', description: 'The PSID', examples: ['7012345678901234'] },
      message_id: {
        type: 'string',
        examples: [
          'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
        ],
      },
    },
  },
  HeldSend: {
    type: 'object',
    description:
      'A free-form reply to a closed window, held instead of refused (the channel’s `automations.hold_replies`): it goes out when the customer replies; GET /v1/held/{holdId} follows it.',
    required: ['held', 'message_id', 'details'],
    properties: {
      held: {
        type: 'object',
        required: ['id', 'status', 'expires_at'],
        properties: {
          id: { type: 'string', examples: ['hold_3k9xQ2mZ8bT1'] },
          status: { type: 'string', const: 'held' },
          expires_at: { type: 'string', format: 'date-time' },
        },
      },
      message_id: {
        type: 'string',
        description: 'The refused message carewindow recorded (GET /v1/messages/{messageId})',
      },
      details: { type: 'string' },
    },
    examples: [
      {
        held: { id: 'hold_3k9xQ2mZ8bT1', status: 'held', expires_at: '2025-09-05T11:00:00.000Z' },
        message_id: 'msg_7Hq2vN4pR1sT',
        details:
          'The customer care window is closed: the message is held, the customer is invited back with the re-engagement template, and the message goes out when they reply.',
      },
    ],
  },
  WhatsAppSendBody: {
    type: 'object',
    description:
      'A Cloud API send body (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages), forwarded unchanged when allowed. `access_token` (your carewindow key) and `appsecret_proof` may be sent in it as Graph allows; they are never forwarded.',
    required: ['messaging_product'],
    properties: {
      messaging_product: { type: 'string', const: 'whatsapp' },
      recipient_type: { type: 'string', examples: ['individual'] },
      to: { type: 'string', description: 'The customer’s wa_id (phone number)', examples: ['31612345678'] },
      type: { type: 'string', examples: ['text', 'template', 'image', 'interactive'] },
      status: { type: 'string', const: 'read', description: 'A mark-as-read, with message_id' },
      access_token: {
        type: 'string',
        description: 'Your carewindow API key, instead of the Authorization header',
      },
      appsecret_proof: { type: 'string' },
    },
    additionalProperties: true,
    examples: [{ messaging_product: 'whatsapp', to: '31612345678', type: 'text', text: { body: 'Hi!' } }],
  },
  MessengerSendBody: {
    type: 'object',
    description:
      'A Send API body (https://developers.facebook.com/docs/messenger-platform/reference/send-api), forwarded when allowed. As form fields, `recipient` and `message` are JSON text (single quotes as in Meta’s curl examples work too). `carewindow_sender` (agent or bot) may replace the X-Carewindow-Sender header; it, `access_token` and `appsecret_proof` are never forwarded.',
    required: ['recipient'],
    properties: {
      recipient: {
        type: ['object', 'string'],
        properties: { id: { type: 'string', description: 'The PSID' } },
        examples: [{ id: '7012345678901234' }],
      },
      messaging_type: { type: 'string', enum: ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] },
      tag: { type: 'string', examples: ['HUMAN_AGENT', 'ACCOUNT_UPDATE'] },
      message: { type: ['object', 'string'], examples: [{ text: 'Hello!' }] },
      sender_action: { type: 'string', enum: ['typing_on', 'typing_off', 'mark_seen'] },
      carewindow_sender: { type: 'string', enum: ['agent', 'bot'] },
      access_token: {
        type: 'string',
        description: 'Your carewindow API key, instead of the Authorization header',
      },
      appsecret_proof: { type: 'string' },
    },
    additionalProperties: true,
    examples: [
      { recipient: { id: '7012345678901234' }, messaging_type: 'RESPONSE', message: { text: 'Hello!' } },
    ],
  },
  MetaNotification: {
    type: 'object',
    description:
      'A webhook notification as Meta sends it: WhatsApp Business Account changes (messages, statuses, template updates, user preferences) or Messenger Page events.',
    required: ['object', 'entry'],
    properties: {
      object: { type: 'string', enum: ['whatsapp_business_account', 'page'] },
      entry: { type: 'array', items: { type: 'object', additionalProperties: true } },
    },
    additionalProperties: true,
    examples: [
      {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                  contacts: [{ profile: { name: 'Sanne' }, wa_id: '31612345678' }],
                  messages: [
                    {
                      from: '31612345678',
                      id: 'wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTdBMDBFRjA3',
                      timestamp: '1756720800',
                      type: 'text',
                      text: { body: 'Hi' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  },
  Decision: {
    type: 'string',
    description:
      'Why a message may go out (allowed) or may not (refused); docs/decisions.md explains each with its rules and Graph error.',
    enum: [...ALLOW_REASONS, ...REFUSAL_REASONS],
  },
} as const satisfies Record<string, OpenApiObject>
