import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { listenLocally } from './local-server.js'

/** One request the fake Graph received, and what it did with it. */
export interface GraphRequest {
  readonly method: string
  readonly path: string
  /** `v21.0` … from `/{version}/{phone_number_id}/messages`, or `null` for another path. */
  readonly version: string | null
  readonly phoneNumberId: string | null
  readonly authorization: string | undefined
  readonly contentType: string | undefined
  /** The body exactly as received. */
  readonly body: Buffer
  /** When the request arrived (ms since the epoch, the system clock). */
  readonly receivedAt: number
  /** The HTTP status it answered with; `null` while it hangs (it never answers those). */
  status: number | null
  /** The `wamid` it answered with, for an accepted message. */
  wamid: string | null
}

/** A Graph error answer: the status and Graph's envelope. */
export interface GraphErrorAnswer {
  readonly status: number
  readonly body: unknown
}

type Plan =
  | { readonly kind: 'fail'; readonly status: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'error'; readonly answer: GraphErrorAnswer }
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
  | { readonly kind: 'take-then-reset' }
  | { readonly kind: 'take-then-garble' }
  | { readonly kind: 'take-after'; readonly before: () => Promise<void> }

const SEND_PATH = /^\/(v\d+\.\d+)\/(\d+)\/messages$/

/** Graph's own 131026 error, the kind of 4xx Graph answers after it looked at a message. */
export const GRAPH_UNDELIVERABLE: GraphErrorAnswer = {
  status: 400,
  body: {
    error: {
      message: '(#131026) Message Undeliverable',
      type: 'OAuthException',
      code: 131026,
      error_data: {
        messaging_product: 'whatsapp',
        details: 'Unable to deliver message. Reasons can include:',
      },
      fbtrace_id: 'AbCdEfFakeGraph',
    },
  },
}

/** Graph's answer to a number sending faster than its throughput allows (reference §1: code 130429). */
const RATE_LIMITED = {
  error: {
    message: '(#130429) Rate limit hit',
    type: 'OAuthException',
    code: 130429,
    error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
    fbtrace_id: 'FakeGraph',
  },
}

/**
 * A local stand-in for Meta's Graph API (`node:http` on a free port): `POST /{version}/{phone_number_id}/messages`
 * records every request — body bytes and Authorization header — and answers like Graph does, with a `wamid`.
 * Failures are programmed per request: the next N answer 500, hang (never answer), answer a Graph 4xx error or a
 * 429; or a message is taken and then the answer is lost (the connection dropped, a body that is not JSON) or held
 * back while the test does something. A message counts as *accepted* when the fake took it (a 2xx status).
 */
export class FakeGraph {
  readonly requests: GraphRequest[] = []
  private readonly plans: Plan[] = []
  private readonly wamids: string[] = []
  private readonly hanging = new Set<ServerResponse>()
  private readonly others: ((request: IncomingMessage, response: ServerResponse) => boolean)[] = []

  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:PORT`, the channel's `base_url`. */
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGraph> {
    const server = createServer()
    const port = await listenLocally(server)
    const graph = new FakeGraph(server, `http://127.0.0.1:${port}`)
    server.on('request', (request, response) => {
      graph.handle(request, response)
    })
    return graph
  }

  /** The requests answered with a 2xx: the messages Graph took. */
  get accepted(): GraphRequest[] {
    return this.requests.filter((request) => request.status !== null && request.status < 300)
  }

  /** Accepted messages whose body is exactly `body`. */
  acceptedBodies(body: string): number {
    return this.accepted.filter((request) => request.body.toString('utf8') === body).length
  }

  /** The next `count` send requests get HTTP `status` (a 5xx: Graph did not take them). */
  failNext(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.plans.push({ kind: 'fail', status })
  }

  /** The next `count` send requests are never answered (the client's timeout ends them). */
  hangNext(count: number): void {
    for (let i = 0; i < count; i++) this.plans.push({ kind: 'hang' })
  }

  /** The next send request is refused with 429 and `Retry-After` (Graph's rate limit: it took nothing). */
  rateLimitNext(retryAfterSeconds: number): void {
    this.plans.push({ kind: 'rate-limit', retryAfterSeconds })
  }

  /**
   * The next send request is taken — Graph accepts the message, it counts as accepted — and then the connection is
   * dropped before any answer: the sender cannot know it went out.
   */
  takeThenResetNext(): void {
    this.plans.push({ kind: 'take-then-reset' })
  }

  /** The next send request is taken, and answered 200 with a body that is not JSON (a proxy's page in between). */
  takeThenGarbleNext(): void {
    this.plans.push({ kind: 'take-then-garble' })
  }

  /**
   * The next send request is taken and answered as usual, but only once `before` has run: what the test does while
   * Graph holds the message (stop carewindow's database, say). A slow Graph, when `before` only waits.
   */
  takeAfterNext(before: () => Promise<void>): void {
    this.plans.push({ kind: 'take-after', before })
  }

  /** The next send request gets Graph's error `answer` (a 4xx verdict on the message). */
  answerNextWithError(answer: GraphErrorAnswer): void {
    this.plans.push({ kind: 'error', answer })
  }

  /** The next accepted messages get these `wamid`s (then random ones). */
  useMessageIds(...wamids: string[]): void {
    this.wamids.push(...wamids)
  }

  /**
   * Requests other than sends go to `handler` first, unread (it streams them); it returns whether it took the
   * request. The passthrough's tests answer media, templates and lookaside downloads this way; handlers added
   * later are asked first.
   */
  handleOthersWith(handler: (request: IncomingMessage, response: ServerResponse) => boolean): void {
    this.others.unshift(handler)
  }

  /** Forgets what was received and planned. */
  reset(): void {
    this.requests.length = 0
    this.plans.length = 0
    this.wamids.length = 0
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy()
    this.hanging.clear()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve()
      })
    })
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.others.some((handler) => handler(request, response))) return
    const receivedAt = Date.now()
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0] ?? '/'
      const match = SEND_PATH.exec(path)
      const received: GraphRequest = {
        method: request.method ?? 'GET',
        path,
        version: match?.[1] ?? null,
        phoneNumberId: match?.[2] ?? null,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks),
        receivedAt,
        status: null,
        wamid: null,
      }
      this.requests.push(received)
      if (request.method !== 'POST' || match === null) {
        this.answer(response, received, 400, {
          error: {
            message: 'Unknown path components',
            type: 'OAuthException',
            code: 2500,
            fbtrace_id: 'FakeGraph',
          },
        })
        return
      }
      const plan = this.plans.shift()
      if (plan?.kind === 'hang') {
        this.hanging.add(response)
        response.on('close', () => this.hanging.delete(response))
        return
      }
      if (plan?.kind === 'fail') {
        this.answer(response, received, plan.status, {
          error: {
            message: 'An unexpected error has occurred. Please retry your request later.',
            type: 'OAuthException',
            code: 2,
            fbtrace_id: 'FakeGraph',
          },
        })
        return
      }
      if (plan?.kind === 'error') {
        this.answer(response, received, plan.answer.status, plan.answer.body)
        return
      }
      if (plan?.kind === 'rate-limit') {
        received.status = 429
        response.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(plan.retryAfterSeconds),
        })
        response.end(JSON.stringify(RATE_LIMITED))
        return
      }
      if (plan?.kind === 'take-then-reset') {
        this.take(received)
        received.status = 200
        request.socket.destroy()
        return
      }
      if (plan?.kind === 'take-then-garble') {
        this.take(received)
        received.status = 200
        response.writeHead(200, { 'content-type': 'text/html' })
        response.end('<html><body>Service Unavailable</body></html>')
        return
      }
      if (plan?.kind === 'take-after') {
        void plan.before().then(() => {
          this.accept(response, received)
        })
        return
      }
      this.accept(response, received)
    })
  }

  /** Takes the message: it gets a `wamid`. */
  private take(received: GraphRequest): string {
    const wamid = this.wamids.shift() ?? `wamid.${randomBytes(18).toString('base64url')}`
    received.wamid = wamid
    return wamid
  }

  /** Takes the message and answers as Graph does, with its `wamid`. */
  private accept(response: ServerResponse, received: GraphRequest): void {
    const wamid = this.take(received)
    const to = recipientOf(received.body)
    this.answer(response, received, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }],
      messages: [{ id: wamid, message_status: 'accepted' }],
    })
  }

  private answer(response: ServerResponse, received: GraphRequest, status: number, body: unknown): void {
    received.status = status
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
}

function recipientOf(body: Buffer): string {
  try {
    const json = JSON.parse(body.toString('utf8')) as { to?: unknown }
    return typeof json.to === 'string' ? json.to : ''
  } catch {
    return ''
  }
}
