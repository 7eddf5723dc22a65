import { REFUSAL_ERRORS } from '../../domain/index.js'
import type { ErrorKey } from '../../shared/errors.js'
import { catalogueErrorBody } from '../replies/graph-envelope.js'
import { schemaRef, type OpenApiObject } from './schemas.js'

/**
 * Response headers worth knowing, each a `components.headers` entry. Node sends header names in lower case; the
 * ones carewindow adds are written that way, as in the rest of the documentation.
 */
export const RESPONSE_HEADERS = {
  RetryAfter: {
    name: 'Retry-After',
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1, examples: [5] },
  },
  MessageId: {
    name: 'x-carewindow-message-id',
    description:
      'carewindow’s id of the message it decided and recorded: GET /v1/messages/{messageId} shows it with its decision and status.',
    schema: { type: 'string', examples: ['msg_3k9xQ2mZ8bT1'] },
  },
  Decision: {
    name: 'x-carewindow-decision',
    description: 'Why the message was allowed or refused (docs/decisions.md).',
    schema: schemaRef('Decision'),
  },
  HoldId: {
    name: 'x-carewindow-hold-id',
    description: 'The held reply’s id (GET /v1/held/{holdId}).',
    schema: { type: 'string', examples: ['hold_3k9xQ2mZ8bT1'] },
  },
  AutoTag: {
    name: 'x-carewindow-auto-tag',
    description:
      'Set when a person’s Messenger reply (X-Carewindow-Sender: agent) after the standard window was forwarded with messaging_type MESSAGE_TAG and tag HUMAN_AGENT.',
    schema: { type: 'string', const: 'HUMAN_AGENT' },
  },
} as const satisfies Record<string, { name: string; description: string; schema: OpenApiObject }>

type HeaderName = keyof typeof RESPONSE_HEADERS

interface SharedResponse {
  readonly status: number | 'default'
  readonly description: string
  readonly headers?: readonly HeaderName[]
  /** The body: Graph's error envelope unless given, with this example. */
  readonly schema?: OpenApiObject
  readonly example?: OpenApiObject
}

/** Graph's error envelope for one of carewindow's own errors, exactly as the error handler writes it. */
function catalogueExample(key: ErrorKey, details: string): OpenApiObject {
  return JSON.parse(catalogueErrorBody(key, details, { traceId: 'req_3k9xQ2mZ8bT1' })) as OpenApiObject
}

const refusal = REFUSAL_ERRORS.WINDOW_CLOSED
const SEND_HEADERS = ['MessageId', 'Decision'] as const

/**
 * The responses routes share, each a `components.responses` entry. A route names them with
 * {@link graphErrorResponses} or {@link sharedResponses}; docs/errors.md lists the catalogue keys they mention.
 */
export const SHARED_RESPONSES = {
  SendAccepted: {
    status: 200,
    description:
      'Allowed and forwarded: Graph’s answer, as Graph gave it. The message is recorded; its statuses follow by webhook.',
    headers: [...SEND_HEADERS, 'AutoTag'],
    schema: { anyOf: [schemaRef('WhatsAppSendResult'), schemaRef('MessengerSendResult')] },
  },
  SendHeld: {
    status: 202,
    description:
      'Held, not sent: a free-form reply to a closed window on a channel with `automations.hold_replies`. It goes out when the customer replies (announced as held_message.released), or expires.',
    headers: [...SEND_HEADERS, 'HoldId'],
    schema: schemaRef('HeldSend'),
  },
  SendRefused: {
    status: 400,
    description:
      'Refused by policy — the decision’s Graph error (131047, 131050, 132001, 10 with subcode 2018278 …; docs/decisions.md), recorded and announced as message.refused, with x-carewindow-message-id and x-carewindow-decision — or an invalid request: INVALID_JSON, INVALID_REQUEST, INVALID_VERSION, INVALID_APPSECRET_PROOF, AMBIGUOUS_PAGE (docs/errors.md). Graph’s own 400 for a forwarded message is passed on as it is.',
    headers: SEND_HEADERS,
    example: {
      error: {
        message: `(#${refusal.code}) ${refusal.title}`,
        type: 'OAuthException',
        code: refusal.code,
        error_data: {
          messaging_product: 'whatsapp',
          details:
            'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
        fbtrace_id: 'req_3k9xQ2mZ8bT1',
      },
    },
  },
  BadRequest: {
    status: 400,
    description:
      'Invalid input, nothing changed: the body is not JSON (INVALID_JSON), a field or parameter is wrong (INVALID_REQUEST), or a notification cannot be applied (INVALID_NOTIFICATION); error_data.details names what to fix.',
    example: catalogueExample('INVALID_REQUEST', 'limit must be a whole number from 1 to 500'),
  },
  Unauthorized: {
    status: 401,
    description:
      'UNAUTHORIZED: the API key is missing, unknown or revoked (the same answer for each, so keys cannot be probed).',
    example: catalogueExample('UNAUTHORIZED', 'the API key is unknown or revoked'),
  },
  ReadOnlyKey: {
    status: 403,
    description:
      'READ_ONLY_KEY: the API key has the read role, which may only look; this operation changes something and needs a key with the admin role. Nothing was changed.',
    example: catalogueExample(
      'READ_ONLY_KEY',
      'POST /:version/:id/messages changes data and the API key has the read role',
    ),
  },
  InvalidSignature: {
    status: 401,
    description:
      'INVALID_SIGNATURE: X-Hub-Signature-256 is missing or is not the HMAC-SHA256 of the raw body with the app secret. Nothing was stored.',
    example: catalogueExample('INVALID_SIGNATURE', 'the X-Hub-Signature-256 header is missing'),
  },
  VerificationFailed: {
    status: 403,
    description:
      'VERIFY_TOKEN_MISMATCH: hub.mode is not subscribe, a parameter is missing, or hub.verify_token is not the channel’s.',
    example: catalogueExample(
      'VERIFY_TOKEN_MISMATCH',
      'hub.verify_token is not the verify_token of any whatsapp channel',
    ),
  },
  NotFound: {
    status: 404,
    description:
      'NOT_FOUND: no such channel, contact resource or message for this API key (another tenant’s is answered the same way).',
    example: catalogueExample('NOT_FOUND', "there is no channel '999' (phone_number_id or Page id)"),
  },
  Conflict: {
    status: 409,
    description:
      'CONFLICT: it already exists, or it is no longer in a state that allows this; error_data.details says which.',
    example: catalogueExample(
      'CONFLICT',
      "external_id: case case_0mf0y5o0g3f9c2a1b4d5e6f7a of channel '106540352242922' already has external_id 'T-1042'",
    ),
  },
  IdempotencyInProgress: {
    status: 409,
    description:
      'IDEMPOTENCY_IN_PROGRESS: the first request with this Idempotency-Key is still being handled; retry in a moment and get its answer.',
    example: catalogueExample(
      'IDEMPOTENCY_IN_PROGRESS',
      'the first request with Idempotency-Key "order-42" is still being handled',
    ),
  },
  PayloadTooLarge: {
    status: 413,
    description: 'BODY_TOO_LARGE: the body is larger than server.body_limit_bytes.',
    example: catalogueExample('BODY_TOO_LARGE', 'the request body is too large'),
  },
  UnsupportedMediaType: {
    status: 415,
    description:
      'UNSUPPORTED_MEDIA_TYPE: the body is not application/json (Messenger sends also take application/x-www-form-urlencoded).',
    example: catalogueExample('UNSUPPORTED_MEDIA_TYPE', 'Content-Type text/plain is not accepted'),
  },
  IdempotencyKeyReused: {
    status: 422,
    description: 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was first used with a different body.',
    example: catalogueExample(
      'IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key "order-42" was first used with a different body',
    ),
  },
  GraphRateLimited: {
    status: 429,
    description:
      "Above a throughput limit: the channel's own (settings.rate; THROUGHPUT_REACHED, 130429, for the number's messages per second, PAIR_RATE_REACHED, 131056, for one user's), or Graph's, whose answer is passed on. Retry after Retry-After seconds. Nothing was sent or billed (carewindow records the message as throttled) and the Idempotency-Key is let go, so a retry with it sends.",
    headers: ['RetryAfter', ...SEND_HEADERS],
    example: {
      error: {
        message: '(#130429) Rate limit hit',
        type: 'OAuthException',
        code: 130429,
        error_data: {
          messaging_product: 'whatsapp',
          details: 'Cloud API message throughput has been reached.',
        },
        fbtrace_id: 'AbCdEfGhIjKlMnOp',
      },
    },
  },
  EventStreamsFull: {
    status: 429,
    description:
      'EVENT_STREAMS_FULL: this instance already serves as many live event streams as it allows. Close one, or retry later.',
    example: catalogueExample('EVENT_STREAMS_FULL', '200 event streams are open on this instance'),
  },
  UpstreamUnavailable: {
    status: 502,
    description:
      'UPSTREAM_UNAVAILABLE: Graph could not be reached, or answered 5xx, after the configured retries. The message was not sent; the Idempotency-Key is let go.',
    headers: SEND_HEADERS,
    example: catalogueExample('UPSTREAM_UNAVAILABLE', 'Graph answered 503 (after 3 attempts)'),
  },
  ServiceUnavailable: {
    status: 503,
    description:
      'Nothing was decided, stored or sent. STORE_UNAVAILABLE: the database cannot be reached. For sends and the reads that see what decides them (windows, consent, dry runs): CONTACT_STATE_PENDING, notifications Meta delivered about the contact are still being applied; CONTACT_STATE_UNKNOWN, one of them could not be applied (GET /v1/dead-letters). Retry after Retry-After seconds when it is given.',
    headers: ['RetryAfter'],
    example: catalogueExample('STORE_UNAVAILABLE', 'the database cannot be reached right now'),
  },
  UpstreamOutcomeUnknown: {
    status: 504,
    description:
      'UPSTREAM_OUTCOME_UNKNOWN: Graph may or may not have taken the message (no usable answer in time). It is not sent again under this Idempotency-Key; Meta’s status webhooks (message.status) tell what became of it.',
    headers: SEND_HEADERS,
    example: catalogueExample(
      'UPSTREAM_OUTCOME_UNKNOWN',
      'message msg_3k9xQ2mZ8bT1: no answer within 10000 ms (not retried: upstream.retry_timeouts is off)',
    ),
  },
  GraphAnswer: {
    status: 'default',
    description:
      'Any other answer of Graph’s to an allowed message (a 4xx refusal, an expired channel token …), passed on as Graph gave it, with carewindow’s headers.',
    headers: SEND_HEADERS,
  },
  GraphCallFailed: {
    status: 502,
    description:
      'GRAPH_CALL_FAILED: Graph could not be reached, or did not answer within upstream.timeout_ms. The call is not retried.',
    example: catalogueExample('GRAPH_CALL_FAILED', 'graph.facebook.com did not answer: connect ECONNREFUSED'),
  },
  TemplateSyncFailed: {
    status: 502,
    description:
      'TEMPLATE_SYNC_FAILED: Meta’s message_templates list could not be read in full (no answer, an error of Graph’s such as an expired token, a page that is not the list). No template was changed: a sync is all or nothing.',
    example: catalogueExample(
      'TEMPLATE_SYNC_FAILED',
      "page 2 of 102290129340398's message_templates: Graph answered 500: An unexpected error has occurred. Please retry your request later.; nothing was changed",
    ),
  },
  GraphCallAnswer: {
    status: 'default',
    description:
      'Graph’s answer to the call, passed on as Graph gave it (status, Content-Type, body), streamed: a 4xx of Graph’s, an expired channel token …',
  },
} as const satisfies Record<string, SharedResponse>

export type SharedResponseName = keyof typeof SHARED_RESPONSES

/** The statuses whose shared response reads the same on every route. */
const BY_STATUS = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  503: 'ServiceUnavailable',
} as const satisfies Record<number, SharedResponseName>

export type GraphErrorStatus = keyof typeof BY_STATUS

/** Marks a route's response as a shared one; the document builder puts a `$ref` in its place. */
export const SHARED_RESPONSE_MARKER = 'x-carewindow-shared-response'

/**
 * Route `response` entries for shared responses, by name: `...sharedResponses('SendHeld', 'IdempotencyKeyReused')`.
 * The schema is for the document only (replies are never serialised through it).
 */
export function sharedResponses(...names: readonly SharedResponseName[]): Record<string, OpenApiObject> {
  return Object.fromEntries(
    names.map((name) => {
      const shared: SharedResponse = SHARED_RESPONSES[name]
      return [
        String(shared.status),
        {
          description: shared.description,
          content: { 'application/json': { schema: { type: 'object' }, [SHARED_RESPONSE_MARKER]: name } },
        },
      ]
    }),
  )
}

/**
 * Route `response` entries for Graph's error envelope at these statuses, e.g.
 * `response: { 200: …, ...graphErrorResponses([400, 404]) }`. 503 (the database) is added to every route that
 * answers in Graph's envelope, and 400, 413 and 415 to every route that takes a body (see `completeDocument`).
 */
export function graphErrorResponses(statuses: readonly GraphErrorStatus[]): Record<string, OpenApiObject> {
  return sharedResponses(...statuses.map((status) => BY_STATUS[status]))
}

/** `components.responses` and `components.headers` for the shared responses used. */
export function sharedComponents(used: ReadonlySet<SharedResponseName>): {
  readonly responses: Record<string, OpenApiObject>
  readonly headers: Record<string, OpenApiObject>
} {
  const responses: Record<string, OpenApiObject> = {}
  const headerNames = new Set<HeaderName>()
  for (const [name, shared] of Object.entries(SHARED_RESPONSES) as [SharedResponseName, SharedResponse][]) {
    if (!used.has(name)) continue
    for (const header of shared.headers ?? []) headerNames.add(header)
    responses[name] = {
      description: shared.description,
      ...(shared.headers === undefined
        ? {}
        : {
            headers: Object.fromEntries(
              shared.headers.map((header) => [
                RESPONSE_HEADERS[header].name,
                { $ref: `#/components/headers/${header}` },
              ]),
            ),
          }),
      content: {
        'application/json': {
          schema: shared.schema ?? schemaRef('GraphError'),
          ...(shared.example === undefined ? {} : { example: shared.example }),
        },
      },
    }
  }
  const headers = Object.fromEntries(
    (Object.keys(RESPONSE_HEADERS) as HeaderName[])
      .filter((header) => headerNames.has(header))
      .map((header) => {
        const { description, schema } = RESPONSE_HEADERS[header]
        return [header, { description, schema }]
      }),
  )
  return { responses, headers }
}

/** The shared response a status falls back to when the HTTP layer, not the route, gives it. */
export function sharedResponseFor(status: GraphErrorStatus): SharedResponseName {
  return BY_STATUS[status]
}
