import { setTimeout as sleep } from 'node:timers/promises'
import {
  UpstreamUnavailable,
  type Upstream,
  type UpstreamReply,
  type UpstreamRequest,
} from '../gateway/upstream.js'

export interface GraphUpstreamOptions {
  /** Per attempt. */
  readonly timeoutMs: number
  /** Further attempts after a 5xx, a timeout or a connection error. */
  readonly retries: number
  /**
   * Whether a timeout is retried (default yes). Graph has no idempotency key: an attempt it took but answered too
   * late is sent twice when retried. `false` gives up instead (the client gets 502 and decides).
   */
  readonly retryTimeouts?: boolean
  /** First pause between attempts; doubles each time. */
  readonly retryDelayMs?: number
  readonly fetch?: typeof fetch
}

/**
 * Forwards to Meta's Graph API (or whatever `base_url` a cloud channel names). The body goes unchanged, with
 * the channel's own access token. Retried: 5xx answers (Graph did not take the message), connection errors and —
 * unless `retryTimeouts` is off — timeouts; never 4xx, which are Graph's verdict and go back to the client as
 * they are.
 */
export function graphUpstream(options: GraphUpstreamOptions): Upstream {
  const doFetch = options.fetch ?? fetch
  const retryDelayMs = options.retryDelayMs ?? 200
  return {
    async forward(request: UpstreamRequest): Promise<UpstreamReply> {
      const upstream = request.channel.upstream
      if (upstream.mode !== 'cloud')
        throw new Error(`channel ${request.channel.externalId} is not a cloud channel`)
      const url = new URL(`${upstream.baseUrl.replace(/\/+$/, '')}/${request.version}${request.path}`)
      for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value)
      let lastProblem = 'no attempt made'
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1))
        try {
          const response = await doFetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${upstream.accessToken}`, 'content-type': request.contentType },
            body: request.body,
            signal: AbortSignal.timeout(options.timeoutMs),
          })
          const body = await response.text()
          if (response.status < 500) return { status: response.status, body }
          lastProblem = `Graph answered ${response.status}`
        } catch (error) {
          const isTimeout = error instanceof Error && error.name === 'TimeoutError'
          lastProblem = isTimeout
            ? `no answer within ${options.timeoutMs} ms`
            : `cannot reach ${url.host}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`
          if (isTimeout && options.retryTimeouts === false)
            throw new UpstreamUnavailable(`${lastProblem} (not retried: upstream.retry_timeouts is off)`)
        }
      }
      throw new UpstreamUnavailable(`${lastProblem} (after ${options.retries + 1} attempts)`)
    },
  }
}
