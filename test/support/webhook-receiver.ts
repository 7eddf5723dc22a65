import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { listenLocally } from './local-server.js'

/** One POST carewindow's outbox made to the business's webhook URL. */
export interface ReceivedDelivery {
  /** The body exactly as received. */
  readonly body: Buffer
  readonly signature: string | undefined
  /** Whether `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with the tenant's secret. */
  readonly isSignatureValid: boolean
  /** `X-Carewindow-Delivery`: stable per delivery, for deduplication. */
  readonly deliveryId: string | undefined
  readonly event: string | undefined
  readonly contentType: string | undefined
  /** What the receiver answered. */
  readonly status: number
}

/**
 * A business's webhook endpoint (`node:http` on a free port): records every delivery from carewindow's outbox,
 * verifies `X-Hub-Signature-256` with the tenant's secret, and can fail the first N deliveries with 500 or be
 * "down" (answer 503 to everything) for a while.
 */
export class WebhookReceiver {
  /** Every attempt, in arrival order. */
  readonly attempts: ReceivedDelivery[] = []
  private failuresLeft = 0
  private isDown = false

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly secret: string,
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const server = createServer()
    const port = await listenLocally(server)
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks/carewindow`, secret)
    server.on('request', (request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const status = receiver.nextStatus()
        const body = Buffer.concat(chunks)
        const signature = header(request.headers['x-hub-signature-256'])
        receiver.attempts.push({
          body,
          signature,
          isSignatureValid: receiver.verifies(body, signature),
          deliveryId: header(request.headers['x-carewindow-delivery']),
          event: header(request.headers['x-carewindow-event']),
          contentType: header(request.headers['content-type']),
          status,
        })
        response.writeHead(status, { 'content-type': 'text/plain' })
        response.end(status < 300 ? 'ok' : 'not now')
      })
    })
    return receiver
  }

  /** The attempts it answered with 200: what was delivered. */
  get delivered(): ReceivedDelivery[] {
    return this.attempts.filter((attempt) => attempt.status < 300)
  }

  /** Delivered bodies, as text. */
  deliveredBodies(): string[] {
    return this.delivered.map((delivery) => delivery.body.toString('utf8'))
  }

  /** Delivered relays of Meta's notifications (not carewindow's own events), as text. */
  deliveredNotifications(): string[] {
    return this.delivered
      .filter((delivery) => delivery.event?.endsWith('.notification') === true)
      .map((delivery) => delivery.body.toString('utf8'))
  }

  /** The next `count` deliveries are answered with 500. */
  failNext(count: number): void {
    this.failuresLeft += count
  }

  /** While down, every delivery is answered with 503. */
  setDown(isDown: boolean): void {
    this.isDown = isDown
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve()
      })
    })
  }

  private nextStatus(): number {
    if (this.isDown) return 503
    if (this.failuresLeft > 0) {
      this.failuresLeft--
      return 500
    }
    return 200
  }

  private verifies(body: Buffer, signature: string | undefined): boolean {
    if (signature === undefined) return false
    const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(body).digest('hex')}`)
    const given = Buffer.from(signature)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
