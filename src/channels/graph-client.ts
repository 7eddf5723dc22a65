import { EventEmitter } from 'node:events'
import { Agent } from 'undici'

/** Graph's answer to one attempt: its status, its body, and the headers a client needs from it. */
export interface GraphAnswer {
  readonly status: number
  readonly body: string
  /** `retry-after`, lowercase, when Graph sent it. */
  readonly headers: Readonly<Record<string, string>> | undefined
}

/** One attempt to reach Graph, and how to let go of what the attempts kept open. */
export interface GraphClient {
  /** Throws when no answer came: {@link AttemptTimedOut}, or the connection's own error (with its `code`). */
  attempt(url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<GraphAnswer>
  /** Lets in-flight attempts finish, then closes kept-alive connections. */
  close(): Promise<void>
}

/** How attempts reach Graph: `pooled` keeps connections alive per origin (undici), `fetch` is the global `fetch`. */
export type GraphClientKind = 'pooled' | 'fetch'

/** The attempt had no complete answer within its time: Graph may have taken the request. */
export class AttemptTimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`)
  }
}

/** An answer body larger than this is not read: Graph's answers to a send are a few hundred bytes. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** The answer headers a client may need from Graph. */
const PASSED_HEADERS = ['retry-after'] as const

/**
 * Keep-alive connections, one pool per origin (undici's `Agent`), used through undici's own `request`: `fetch` keeps
 * connections alive too, but builds a WHATWG `Request`, `Response`, `Headers` and body stream and an `AbortSignal`
 * around every request, which costs several times what the request itself does. Each attempt has `timeoutMs` in
 * all, from the moment it is made (queueing and the connection included) to the last byte of the answer; a
 * connection not made within undici's connect timeout (10 s, as with `fetch`) fails as one that cannot be made,
 * unless the attempt's deadline came first.
 */
export function pooledGraphClient(timeoutMs: number, maxAnswerBytes = MAX_ANSWER_BYTES): GraphClient {
  const agent = new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: maxAnswerBytes,
  })
  let closing: Promise<void> | undefined
  return {
    async attempt(url, headers, body) {
      // undici takes an EventEmitter as the signal: far cheaper per request than an AbortController's EventTarget.
      const deadline = new EventEmitter()
      const timer = setTimeout(() => deadline.emit('abort'), timeoutMs)
      try {
        const response = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers,
          body,
          signal: deadline,
        })
        const text = await response.body.text()
        return { status: response.statusCode, body: text, headers: passedHeaders(response.headers) }
      } catch (error) {
        throw isLate(error) ? new AttemptTimedOut(timeoutMs) : error
      } finally {
        clearTimeout(timer)
      }
    },
    close: () => (closing ??= agent.close()),
  }
}

/** The global `fetch` (or the one given): a new `Request`, `Response` and body stream per attempt. */
export function fetchGraphClient(timeoutMs: number, doFetch: typeof fetch = fetch): GraphClient {
  return {
    async attempt(url, headers, body) {
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        })
        const text = await response.text()
        const passed: Record<string, string> = {}
        for (const name of PASSED_HEADERS) {
          const value = response.headers.get(name)
          if (value !== null) passed[name] = value
        }
        return {
          status: response.status,
          body: text,
          headers: Object.keys(passed).length === 0 ? undefined : passed,
        }
      } catch (error) {
        throw error instanceof Error && error.name === 'TimeoutError' ? new AttemptTimedOut(timeoutMs) : error
      }
    },
    close: () => Promise.resolve(),
  }
}

function passedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> | undefined {
  let found: Record<string, string> | undefined
  for (const name of PASSED_HEADERS) {
    const value = headers[name]
    if (value !== undefined) (found ??= {})[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return found
}

/**
 * The attempt was aborted at its deadline (the only abort there is), or undici's own timers, which fire at the same
 * moment, ended it first: either way the answer did not come in time.
 */
function isLate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'UND_ERR_ABORTED' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
}
