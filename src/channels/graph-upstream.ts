import { setTimeout as sleep } from 'node:timers/promises'
import {
  AttemptTimedOut,
  fetchGraphClient,
  MAX_ANSWER_BYTES,
  pooledGraphClient,
  type GraphClientKind,
} from './graph-client.js'
import {
  UpstreamOutcomeUnknown,
  UpstreamUnavailable,
  type Upstream,
  type UpstreamReply,
  type UpstreamRequest,
} from './upstream.js'

export interface GraphUpstreamOptions {
  /** Per attempt, from the moment it is made to the last byte of Graph's answer. */
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
  /**
   * How attempts reach Graph: `pooled` (the default) over keep-alive connections, one pool per origin; `fetch` with
   * the global `fetch` — kept so the benchmark can compare them. Giving `fetch` implies the `fetch` client.
   */
  readonly client?: GraphClientKind
  readonly fetch?: typeof fetch
  /** The largest answer body read from Graph (pooled client), in bytes. */
  readonly maxAnswerBytes?: number
}

/** The Graph upstream, and the connections it keeps open. */
export interface GraphUpstream extends Upstream {
  /** Lets forwards in flight finish, then closes the kept-alive connections. */
  close(): Promise<void>
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
  // The pooled client was closed (the gateway stopped) before the attempt: it is refused before it is sent.
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
])

/**
 * Forwards to Meta's Graph API (or whatever `base_url` a cloud channel names). The body goes unchanged, with
 * the channel's own access token. Retried: 5xx answers (Graph did not take the message) and connections that could
 * not be made; an attempt whose outcome is unknown (a timeout, a reset after the request went out) only when
 * `retryTimeouts` says so. Never 4xx, which are Graph's verdict and go back to the client as they are.
 */
export function graphUpstream(options: GraphUpstreamOptions): GraphUpstream {
  const maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES
  const client =
    options.client === 'fetch' || options.fetch !== undefined
      ? fetchGraphClient(options.timeoutMs, options.fetch)
      : pooledGraphClient(options.timeoutMs, maxAnswerBytes)
  const retryDelayMs = options.retryDelayMs ?? 200
  const retriesUnknown = options.retryTimeouts === true
  return {
    async forward(request: UpstreamRequest): Promise<UpstreamReply> {
      const upstream = request.channel.upstream
      if (upstream.mode !== 'cloud')
        throw new Error(`channel ${request.channel.externalId} is not a cloud channel`)
      const url = new URL(`${upstream.baseUrl.replace(/\/+$/, '')}/${request.version}${request.path}`)
      for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value)
      const headers = { authorization: `Bearer ${upstream.accessToken}`, 'content-type': request.contentType }
      let lastProblem = 'no attempt made'
      let isUnknown = false
      for (let attempt = 0; attempt <= options.retries; attempt++) {
        if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1))
        try {
          const answer = await client.attempt(url, headers, request.body)
          if (answer.status < 500) {
            const { status, body } = answer
            return answer.headers === undefined ? { status, body } : { status, body, headers: answer.headers }
          }
          lastProblem = `Graph answered ${answer.status}`
        } catch (error) {
          const problem = describe(error, url, maxAnswerBytes)
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
    close: () => client.close(),
  }
}

/** What went wrong with an attempt, and whether the request certainly never reached Graph. */
function describe(
  error: unknown,
  url: URL,
  maxAnswerBytes: number,
): { readonly text: string; readonly isNotSent: boolean } {
  if (error instanceof AttemptTimedOut) return { text: error.message, isNotSent: false }
  // fetch wraps the connection's error in a TypeError; undici's request throws it as it is.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const code = (cause as { code?: unknown } | null)?.code
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE')
    return { text: `Graph's answer was longer than ${maxAnswerBytes} bytes`, isNotSent: false }
  const reason = cause instanceof Error ? cause.message : String(cause)
  const isNotSent = typeof code === 'string' && NOT_SENT.has(code)
  return {
    text: isNotSent
      ? `cannot reach ${url.host}: ${reason}`
      : `the connection to ${url.host} broke before Graph answered: ${reason}`,
    isNotSent,
  }
}
