/** Where a channel's allowed messages go: Meta's Graph API, or the built-in simulator. */
export type UpstreamConfig =
  | { readonly mode: 'cloud'; readonly baseUrl: string; readonly accessToken: string }
  | { readonly mode: 'sandbox' }

/** A channel as the upstream sees it: its Graph id, and where and as whom its messages go. */
export interface UpstreamChannel {
  /** `phone_number_id` (WhatsApp) or Page id (Messenger). */
  readonly externalId: string
  readonly upstream: UpstreamConfig
}

/** What Graph (or the sandbox) answered: status and body exactly as received. */
export interface UpstreamReply {
  readonly status: number
  readonly body: string
  /** Graph's headers a client needs passed on (`retry-after` with a 429), lowercase. */
  readonly headers?: Readonly<Record<string, string>>
}

/** A request carewindow forwards: the path under the Graph version, and the body unchanged. */
export interface UpstreamRequest {
  readonly channel: UpstreamChannel
  /** `v21.0` … as the client sent it. */
  readonly version: string
  /** `/{phone_number_id}/messages`, `/me/messages` … */
  readonly path: string
  readonly body: string
  readonly contentType: string
  /** Query parameters to pass on (Messenger's `appsecret_proof`). */
  readonly query?: Readonly<Record<string, string>>
}

/**
 * The port to Meta: forwards an allowed request and returns Graph's answer. Throws {@link UpstreamUnavailable}
 * when Graph did not take the request (it could not be reached, or answered 5xx after the retries), and
 * {@link UpstreamOutcomeUnknown} when it may have: the request was sent and no answer came back.
 */
export interface Upstream {
  forward(request: UpstreamRequest): Promise<UpstreamReply>
}

/** Graph did not take the request: sending it again cannot send it twice. */
export class UpstreamUnavailable extends Error {}

/**
 * The request reached Graph (or may have) and no usable answer came back — a timeout, a connection reset after the
 * body went out: Graph may have taken the message, and has no idempotency key to ask it.
 */
export class UpstreamOutcomeUnknown extends Error {}
