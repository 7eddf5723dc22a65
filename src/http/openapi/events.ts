import { EVENT_TYPES, type EventType } from '../../gateway/outbox/events.js'
import { schemaRef, type OpenApiObject } from './schemas.js'
import { ENVELOPE_SCHEMAS, EVENTS, instant, type EventDescription } from './event-bodies.js'

// The events carewindow POSTs to a tenant's webhook URL (docs/events.md), as OpenAPI 3.1 `webhooks`: one per
// event type of EVENT_TYPES, so a new type does not compile until it is described here, and one per relayed Meta
// notification. Each body is the same envelope (gateway/outbox/events.ts) with the type's `data`.

/** `window.opened` → `WindowOpenedEvent`. */
export function eventSchemaName(type: EventType): string {
  const words = type.split(/[._]/).map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
  return `${words.join('')}Event`
}

function eventSchema(type: EventType): OpenApiObject {
  const event: EventDescription = EVENTS[type]
  return {
    type: 'object',
    description: `${event.summary}. ${event.description}`,
    required: ['id', 'type', 'created_at', 'channel', 'contact_id', 'window', 'data'],
    properties: {
      id: {
        type: 'string',
        pattern: '^evt_[0-9a-f]{32}$',
        description:
          'Stable per event (the same event produced twice is one event) and equal to X-Carewindow-Delivery: deduplicate on it.',
      },
      type: { type: 'string', const: type },
      created_at: instant,
      channel: schemaRef('EventChannel'),
      contact_id: { type: 'string', description: 'The contact’s wa_id or PSID' },
      window: schemaRef('Window'),
      data: event.data,
    },
    additionalProperties: false,
    examples: [
      {
        id: 'evt_3f1c9a0b7d2e4c6f8a1b3d5e7f9a0c2e',
        type,
        created_at: '2025-09-02T09:20:00.412Z',
        channel: { platform: 'whatsapp', id: '106540352242922' },
        contact_id: '31612345678',
        window: {
          state: 'open',
          type: 'customer_care',
          opened_at: '2025-09-01T10:00:00.000Z',
          last_user_message_at: '2025-09-01T10:00:00.000Z',
          expires_at: '2025-09-02T10:00:00.000Z',
          seconds_left: 2399,
          free_entry_point_expires_at: null,
        },
        data: event.example,
      },
    ],
  }
}

/** `components.schemas` for the events: the envelope's parts and one body schema per event type. */
export function eventSchemas(): Record<string, OpenApiObject> {
  return {
    ...ENVELOPE_SCHEMAS,
    ...Object.fromEntries(EVENT_TYPES.map((type) => [eventSchemaName(type), eventSchema(type)])),
  }
}

/** `components.parameters`: the headers of every delivery. */
export const DELIVERY_PARAMETERS = {
  HubSignature: {
    name: 'X-Hub-Signature-256',
    in: 'header',
    required: true,
    description:
      'sha256=<hex HMAC-SHA256 of the raw body, keyed with the tenant’s webhook secret>, signed as Meta signs. Check it over the bytes received, before parsing.',
    schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
  },
  DeliveryId: {
    name: 'X-Carewindow-Delivery',
    in: 'header',
    required: true,
    description:
      'Stable per delivery, also across retries; for events it is the event id. Deliveries are at least once: deduplicate on it.',
    schema: { type: 'string', examples: ['evt_3f1c9a0b7d2e4c6f8a1b3d5e7f9a0c2e'] },
  },
} as const satisfies Record<string, OpenApiObject>

const DELIVERY_RESPONSES = {
  '2XX': { description: 'Delivered.' },
  default: {
    description:
      'Not delivered (also when there is no answer within outbox.request_timeout_ms): tried again with exponential backoff and jitter, up to outbox.max_attempts, then kept as dead.',
  },
} as const

function delivery(
  eventType: string,
  operation: { operationId: string; summary: string; description: string; schema: OpenApiObject },
): OpenApiObject {
  return {
    post: {
      operationId: operation.operationId,
      summary: operation.summary,
      description: `${operation.description} POSTed to the tenant’s webhook URL (with Basic authentication when the URL carries credentials).`,
      tags: ['events'],
      security: [],
      parameters: [
        { $ref: '#/components/parameters/HubSignature' },
        {
          name: 'X-Carewindow-Event',
          in: 'header',
          required: true,
          description: 'The event type (or which notification is relayed)',
          schema: { type: 'string', const: eventType },
        },
        { $ref: '#/components/parameters/DeliveryId' },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: operation.schema } } },
      responses: DELIVERY_RESPONSES,
    },
  }
}

const RELAYED = {
  'whatsapp.notification': 'receiveWhatsAppNotificationRelay',
  'messenger.notification': 'receiveMessengerNotificationRelay',
} as const

/** The document's `webhooks`: carewindow's events, then the Meta notifications it relays. */
export function eventWebhooks(): Record<string, OpenApiObject> {
  return {
    ...Object.fromEntries(
      EVENT_TYPES.map((type) => [
        type,
        delivery(type, {
          operationId: `receive${eventSchemaName(type)}`,
          summary: `${type}: ${EVENTS[type].summary.charAt(0).toLowerCase()}${EVENTS[type].summary.slice(1)}`,
          description: EVENTS[type].description,
          schema: schemaRef(eventSchemaName(type)),
        }),
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(RELAYED).map(([type, operationId]) => [
        type,
        delivery(type, {
          operationId,
          summary: `${type}: a Meta notification about your channels`,
          description:
            'A notification Meta posted to carewindow, relayed once it was applied: the body exactly as Meta sent it, or — when it spans several tenants’ channels — only your channels’ part.',
          schema: schemaRef('MetaNotification'),
        }),
      ]),
    ),
  }
}
