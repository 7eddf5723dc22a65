/**
 * Every error carewindow itself answers with (policy refusals are decisions, see docs/decisions.md), with its
 * HTTP status and the Graph code a Graph client expects. `docs/errors.md` lists the same catalogue; a test fails
 * when the two drift apart.
 */
export const ERRORS = {
  INVALID_JSON: {
    status: 400,
    code: 100,
    title: 'Invalid parameter',
    hint: 'Send a JSON body with Content-Type: application/json.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    code: 100,
    title: 'Invalid parameter',
    hint: 'Send Content-Type: application/json (Messenger also accepts form-encoded bodies).',
  },
  BODY_TOO_LARGE: {
    status: 413,
    code: 100,
    title: 'Invalid parameter',
    hint: 'The body is larger than the configured limit (server.body_limit_bytes).',
  },
  INVALID_REQUEST: {
    status: 400,
    code: 100,
    title: 'Invalid parameter',
    hint: 'The details say which field is wrong.',
  },
  INVALID_VERSION: {
    status: 400,
    code: 2500,
    title: 'Unknown path components',
    hint: 'The path starts with a Graph version such as /v21.0/.',
  },
  UNAUTHORIZED: {
    status: 401,
    code: 190,
    title: 'Invalid OAuth access token.',
    hint: 'Send Authorization: Bearer <carewindow API key>.',
  },
  READ_ONLY_KEY: {
    status: 403,
    code: 200,
    title: 'Permissions error',
    hint: 'A key with the read role may only look: this call needs a key with the admin role (carewindow key create --role admin).',
  },
  NOT_FOUND: {
    status: 404,
    code: 100,
    title:
      'Unsupported request. Object does not exist, cannot be loaded due to missing permissions, or does not support this operation.',
    hint: 'Check the id, and that the API key belongs to the tenant that owns it.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    code: 100,
    title: 'Unknown path components',
    hint: 'See /docs for the routes carewindow serves.',
  },
  INVALID_SIGNATURE: {
    status: 401,
    code: 190,
    title: 'Invalid signature',
    hint: 'X-Hub-Signature-256 must be sha256=<HMAC-SHA256 of the raw body with the app secret>.',
  },
  VERIFY_TOKEN_MISMATCH: {
    status: 403,
    code: 190,
    title: 'Verification failed',
    hint: 'hub.verify_token must equal the channel’s verify_token, with hub.mode=subscribe.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    code: 100,
    title: 'Invalid parameter',
    hint: 'An Idempotency-Key may only be reused with the same body.',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    code: 100,
    title: 'Invalid parameter',
    hint: 'Retry in a moment.',
  },
  INVALID_APPSECRET_PROOF: {
    status: 400,
    code: 100,
    title: 'Invalid parameter',
    hint: 'appsecret_proof is HMAC-SHA256 of the access_token you send (your carewindow key), keyed with the channel’s app secret.',
  },
  AMBIGUOUS_PAGE: {
    status: 400,
    code: 100,
    title: 'Invalid parameter',
    hint: 'Your tenant has several Messenger Pages: send to /{version}/{page_id}/messages instead of /me/messages.',
  },
  AMBIGUOUS_CHANNEL: {
    status: 400,
    code: 100,
    title: 'Invalid parameter',
    hint: 'Name the number the call is for with ?phone_number_id=, as Graph allows.',
  },
  MEDIA_TOO_LARGE: {
    status: 413,
    code: 100,
    title: 'Invalid parameter',
    hint: 'Meta takes media up to 100 MB (documents; less for other types), so larger uploads are refused before they reach Graph.',
  },
  GRAPH_CALL_FAILED: {
    status: 502,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'Graph could not be reached or did not answer in time (upstream.timeout_ms); the call is not retried, since an upload cannot be sent twice. Check the call’s effect (a template may have been created) before trying again.',
  },
  TEMPLATE_SYNC_FAILED: {
    status: 502,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'Meta’s message_templates list could not be read in full — no answer, an error of Graph’s (an expired token), a page that is not the list — so no template was changed: a sync is all or nothing. The details say which page and why; try again once it is fixed (scheduled syncs retry by themselves).',
  },
  CONFLICT: { status: 409, code: 100, title: 'Invalid parameter', hint: 'The resource already exists.' },
  UPSTREAM_UNAVAILABLE: {
    status: 502,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'Graph did not answer after the configured retries; the message was not sent.',
  },
  THROUGHPUT_REACHED: {
    status: 429,
    code: 130429,
    title: 'Rate limit hit',
    hint: "The number's throughput limit (settings.rate.per_second) was reached; the message was not sent or billed. Try again after Retry-After.",
  },
  EVENT_STREAMS_FULL: {
    status: 429,
    code: 4,
    title: 'Application request limit reached',
    hint: 'This instance already serves as many live event streams as it allows; close one (another browser tab?) or retry later.',
  },
  PAIR_RATE_REACHED: {
    status: 429,
    code: 131056,
    title: '(Business Account, Consumer Account) pair rate limit hit',
    hint: 'Too many messages to this user in a short time (settings.rate.pair_interval_ms, pair_burst); the message was not sent or billed. Try again after Retry-After; other users can be sent to at once.',
  },
  INVALID_NOTIFICATION: {
    status: 400,
    code: 100,
    title: 'Invalid parameter',
    hint: 'carewindow stores only notifications it can apply, and Meta never sends such bodies; the details say which field is wrong.',
  },
  CONTACT_STATE_PENDING: {
    status: 503,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'Notifications about this contact that Meta already delivered are still being applied, so nothing was decided or sent; retry after the Retry-After delay (inbox.decision_wait_ms bounds the wait).',
  },
  CONTACT_STATE_UNKNOWN: {
    status: 503,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'A notification that can change this decision could not be applied, so carewindow does not decide on what may be stale; an operator retries or discards it: GET /v1/dead-letters.',
  },
  UPSTREAM_OUTCOME_UNKNOWN: {
    status: 504,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'Graph may or may not have taken the message, so carewindow does not send it again under this Idempotency-Key; x-carewindow-message-id names its record, and Meta’s status webhooks tell what became of it.',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    code: 2,
    title: 'Service temporarily unavailable',
    hint: 'carewindow cannot reach its database, so it could not decide or store this request; retry after Retry-After seconds (sends with the same Idempotency-Key).',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    code: 100,
    title: 'Invalid parameter',
    hint: 'The request did not arrive in full within server.request_timeout_ms (or its headers within server.headers_timeout_ms); the connection is closed.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    code: 100,
    title: 'Invalid parameter',
    hint: 'The request’s headers are larger than server.max_header_bytes; the connection is closed.',
  },
  INTERNAL: {
    status: 500,
    code: 1,
    title: 'An unknown error occurred',
    hint: 'This is a bug; the log has the request id.',
  },
} as const satisfies Record<string, { status: number; code: number; title: string; hint: string }>

export type ErrorKey = keyof typeof ERRORS

/** An error carewindow answers with; the HTTP layer turns it into Graph's error envelope. */
export class GatewayError extends Error {
  constructor(
    readonly key: ErrorKey,
    readonly details: string,
    /** Sent as `Retry-After` (seconds): when trying again may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${key}: ${details}`)
  }

  get status(): number {
    return ERRORS[this.key].status
  }
}
