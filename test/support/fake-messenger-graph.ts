import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenLocally } from './local-server.js'

/** One Send API request the fake Graph received. */
export interface MessengerGraphRequest {
  readonly method: string
  /** The path without the query: `/v6.0/{page_id}/messages`. */
  readonly path: string
  /** The Page id from `/{version}/{page_id}/messages`, or `null` for another path. */
  readonly pageId: string | null
  /** `access_token` from the query string. */
  readonly accessToken: string | null
  /** `appsecret_proof` from the query string. */
  readonly appsecretProof: string | null
  /** Every query parameter, as received. */
  readonly query: Readonly<Record<string, string>>
  readonly authorization: string | undefined
  readonly contentType: string | undefined
  /** The body exactly as received. */
  readonly rawBody: string
  /** The body's fields: JSON, or form fields with `recipient` and `message` parsed from their JSON text. */
  readonly fields: Readonly<Record<string, unknown>>
  /** The `message_id` it answered with. */
  readonly messageId: string
}

const SEND_PATH = /^\/v\d+\.\d+\/(\d+)\/messages$/

/**
 * A local stand-in for Meta's Messenger Send API (`node:http` on a free port): `POST /{version}/{page_id}/messages`
 * records the request — path, query (`access_token`, `appsecret_proof`), content type and body — and answers like
 * Meta, `{ "recipient_id": …, "message_id": … }`. Anything else gets Graph's "Unknown path components" error.
 */
export class FakeMessengerGraph {
  readonly requests: MessengerGraphRequest[] = []

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    /** `http://127.0.0.1:PORT`: the channel's `base_url`. */
    readonly url: string,
  ) {}

  static async start(): Promise<FakeMessengerGraph> {
    const server = createServer()
    const port = await listenLocally(server)
    const graph = new FakeMessengerGraph(server, `http://127.0.0.1:${port}`)
    server.on('request', (request, response) => {
      graph.handle(request, response)
    })
    return graph
  }

  /** The requests addressed to one user (by `recipient.id`). */
  sentTo(psid: string): MessengerGraphRequest[] {
    return this.requests.filter((request) => recipientIdOf(request.fields) === psid)
  }

  /** Forgets what was received. */
  reset(): void {
    this.requests.length = 0
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve()
      })
    })
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake-graph')
      const match = SEND_PATH.exec(url.pathname)
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const contentType = request.headers['content-type']
      const messageId = `m_${randomBytes(24).toString('base64url')}`
      const fields = fieldsOf(rawBody, contentType)
      this.requests.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        pageId: match?.[1] ?? null,
        accessToken: url.searchParams.get('access_token'),
        appsecretProof: url.searchParams.get('appsecret_proof'),
        query: Object.fromEntries(url.searchParams),
        authorization: request.headers.authorization,
        contentType,
        rawBody,
        fields,
        messageId,
      })
      if (request.method !== 'POST' || match === null) {
        answer(response, 400, {
          error: {
            message: 'Unknown path components',
            type: 'OAuthException',
            code: 2500,
            fbtrace_id: 'Fake',
          },
        })
        return
      }
      answer(response, 200, { recipient_id: recipientIdOf(fields), message_id: messageId })
    })
  }
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

function fieldsOf(rawBody: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/x-www-form-urlencoded') === true) {
    const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(rawBody))
    for (const name of ['recipient', 'message']) {
      const value = fields[name]
      if (typeof value === 'string') fields[name] = parseJsonOr(value)
    }
    return fields
  }
  const parsed = parseJsonOr(rawBody)
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function recipientIdOf(fields: Readonly<Record<string, unknown>>): string {
  const recipient = fields.recipient
  if (typeof recipient !== 'object' || recipient === null) return ''
  const id = (recipient as { id?: unknown }).id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : ''
}
