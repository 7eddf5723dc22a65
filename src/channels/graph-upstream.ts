import { setTimeout as sleep } from 'node:timers/promises'
import {
  UpstreamOutcomeUnknown,
  UpstreamUnavailable,
  type Upstream,
  type UpstreamReply,
  type UpstreamRequest,
} from './upstream.js'

export interface GraphUpstreamOptions {
  /** Per attempt. */
  readonly timeoutMs: number
  /** Further attempts after a 5xx or a connection that could not be made. */
  readonly retries: number
  /**
   * Whether an attempt whose outcome is unknown — no answer in time, the connection lost after the request went
   * out — is retried (default no). Graph has no idempotency key: an attempt it took but did not answer is sent
   * twice when retried. Off, the client learns that the outcome is unknown and nothing is sent again.
   */
  readonly retryTimeouts?: boolean
  /** First pause between attempts; doubles each time. */
  readonly retryDelayMs?: number
  readonly fetch?: typeof fetch
}

/**
 * Connection errors that mean the request never left: nothing reached Graph, so another attempt cannot send twice.
 * Anything else after the connection was made (a reset, a socket closed mid-answer) may have come after Graph read
 * the request.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** The answer headers a client may need from Graph. */
const PASSED_HEADERS = ['retry-after'] as const

/**
 * Forwards to Meta's Graph API (or whatever `base_url` a cloud channel names). The body goes unchanged, with
 * the channel's own access token. Retried: 5xx answers (Graph did not take the message) and connections that could
 * not be made; an attempt whose outcome is unknown (a timeout, a reset after the request went out) only when
 * `retryTimeouts` says so. Never 4xx, which are Graph's verdict and go back to the client as they are.
 */
export function graphUpstream(options: GraphUpstreamOptions): Upstream {
  const doFetch = options.fetch ?? fetch
  const retryDelayMs = options.retryDelayMs ?? 200
  const retriesUnknown = options.retryTimeouts === true
  return {
    async forward(request: UpstreamRequest): Promise<UpstreamReply> {
      const upstream = request.channel.upstream
      if (upstream.mode !== 'cloud')
        throw new Error(`channel ${request.channel.externalId} is not a cloud channel`)
      const url = new URL(`${upstream.baseUrl.replace(/\/+$/, '')}/${request.version}${request.path}`)
      for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value)
      let lastProblem = 'no attempt made'
      let isUnknown = false
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
          if (response.status < 500) {
            const headers = passedHeaders(response)
            return { status: response.status, body, ...(headers === undefined ? {} : { headers }) }
          }
          lastProblem = `Graph answered ${response.status}`
        } catch (error) {
          const problem = describe(error, url, options.timeoutMs)
          lastProblem = problem.text
          if (!problem.isNotSent) {
            isUnknown = true
            if (!retriesUnknown)
              throw new UpstreamOutcomeUnknown(`${lastProblem} (not retried: upstream.retry_timeouts is off)`)
          }
        }
      }
      const summary = `${lastProblem} (after ${options.retries + 1} attempts)`
      throw isUnknown ? new UpstreamOutcomeUnknown(summary) : new UpstreamUnavailable(summary)
    },
  }
}

function passedHeaders(response: Response): Record<string, string> | undefined {
  let found: Record<string, string> | undefined
  for (const name of PASSED_HEADERS) {
    const value = response.headers.get(name)
    if (value !== null) (found ??= {})[name] = value
  }
  return found
}

/** What went wrong with an attempt, and whether the request certainly never reached Graph. */
function describe(
  error: unknown,
  url: URL,
  timeoutMs: number,
): { readonly text: string; readonly isNotSent: boolean } {
  if (error instanceof Error && error.name === 'TimeoutError')
    return { text: `no answer within ${timeoutMs} ms`, isNotSent: false }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const code = (cause as { code?: unknown } | null)?.code
  const reason = cause instanceof Error ? cause.message : String(cause)
  const isNotSent = typeof code === 'string' && NOT_SENT.has(code)
  return {
    text: isNotSent
      ? `cannot reach ${url.host}: ${reason}`
      : `the connection to ${url.host} broke before Graph answered: ${reason}`,
    isNotSent,
  }
}
