import type { ChannelRecord } from '../store/store.js'

/** What Graph (or the sandbox) answered: status and body exactly as received. */
export interface UpstreamReply {
  readonly status: number
  readonly body: string
}

/** A request carewindow forwards: the path under the Graph version, and the body unchanged. */
export interface UpstreamRequest {
  readonly channel: ChannelRecord
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
 * when no answer came after the retries.
 */
export interface Upstream {
  forward(request: UpstreamRequest): Promise<UpstreamReply>
}

export class UpstreamUnavailable extends Error {}
