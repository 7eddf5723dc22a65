import type { Logger } from 'pino'
import { signatureOf } from '../../channels/signature.js'
import { redactUrl, repeatLimiterOf } from '../../shared/logging.js'
import type { DeliveryRecord, Store } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import type { Metrics } from '../metrics.js'

export interface OutboxOptions {
  readonly pollIntervalMs: number
  readonly maxAttempts: number
  readonly backoffBaseMs: number
  readonly backoffMaxMs: number
  readonly requestTimeoutMs: number
  readonly fetch?: typeof fetch
  readonly userAgent: string
}

/** Deliveries taken per round, and made at the same time. */
const BATCH = 50

/**
 * Delivers the outbox to businesses' webhook URLs: each payload POSTed exactly as stored, signed like Meta signs
 * (`X-Hub-Signature-256`, HMAC-SHA256 with the tenant's secret), with `X-Carewindow-Delivery` (stable per delivery,
 * for deduplication) and `X-Carewindow-Event`. A 2xx answer delivers it; anything else retries with exponential
 * backoff and jitter, until `maxAttempts`, after which it is kept as `dead`. Deliveries live in the database, so
 * a restart resumes them; leases keep several instances from delivering the same one.
 */
export class Outbox {
  private running: Promise<void> | null = null
  private wake: (() => void) | null = null
  private isStopped = true

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: OutboxOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  start(): void {
    if (!this.isStopped) return
    this.isStopped = false
    this.running = this.loop()
  }

  async stop(): Promise<void> {
    this.isStopped = true
    this.wake?.()
    await this.running
    this.running = null
  }

  /** New deliveries are due: look now rather than at the next poll. */
  kick(): void {
    this.wake?.()
  }

  /** Delivers what is due now, once; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const now = this.clock()
    // Reserved for this process long enough for an attempt to time out; after that another may take it over.
    const leaseMs = 2 * this.options.requestTimeoutMs + 5_000
    const due = await this.store.claimDueDeliveries(now, BATCH, now + leaseMs)
    await Promise.all(due.map((delivery) => this.deliver(delivery)))
    return due.length
  }

  private async loop(): Promise<void> {
    while (!this.isStopped) {
      let attempted = 0
      try {
        attempted = await this.deliverDue()
      } catch (error) {
        // Once per interval with a count: during a database outage every poll fails the same way.
        repeatLimiterOf(this.logger).log(
          this.logger,
          'error',
          { err: error },
          'outbox round failed; retrying at the next poll',
        )
      }
      // A method call, not the field: stop() may have run while this round was delivering.
      if (attempted === BATCH || this.hasStopped()) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs)
        timer.unref()
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }

  private hasStopped(): boolean {
    return this.isStopped
  }

  private async deliver(delivery: DeliveryRecord): Promise<void> {
    const tenant = await this.store.getTenant(delivery.tenantId)
    const attempts = delivery.attempts + 1
    if (tenant === undefined || tenant.webhookUrl === null || tenant.webhookSecret === null) {
      await this.store.retryDelivery(
        delivery.id,
        attempts,
        null,
        'the tenant has no webhook URL any more',
        this.clock(),
      )
      this.metrics.deliveries.inc({ outcome: 'dead' })
      return
    }
    // The URL as it may be printed: its credentials stay out of `last_error` and the log.
    const printable = redactUrl(tenant.webhookUrl)
    let problem: string
    try {
      const target = webhookTarget(tenant.webhookUrl)
      const response = await (this.options.fetch ?? fetch)(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': this.options.userAgent,
          ...target.headers,
          'x-hub-signature-256': signatureOf(delivery.payload, tenant.webhookSecret),
          'x-carewindow-delivery': delivery.id,
          'x-carewindow-event': delivery.eventType,
        },
        body: delivery.payload,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      })
      await response.body?.cancel()
      if (response.ok) {
        await this.store.completeDelivery(delivery.id, this.clock())
        this.metrics.deliveries.inc({ outcome: 'delivered' })
        return
      }
      problem = `${printable} answered ${response.status}`
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error)
      // Some messages quote the URL (an unparsable one, say): never with its credentials.
      problem = `${printable}: ${reason.split(tenant.webhookUrl).join(printable)}`
    }
    const isLast = attempts >= this.options.maxAttempts
    const at = this.clock()
    await this.store.retryDelivery(
      delivery.id,
      attempts,
      isLast ? null : at + this.backoff(attempts),
      problem,
      at,
    )
    this.metrics.deliveries.inc({ outcome: isLast ? 'dead' : 'retry' })
    if (isLast) this.logger.warn({ delivery: delivery.id, attempts, problem }, 'delivery given up')
  }

  /** Exponential, capped, with jitter so a recovering receiver is not hit by every retry at once. */
  private backoff(attempts: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (attempts - 1))
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
  }
}

/**
 * Where a delivery goes: the tenant's URL without its userinfo, which becomes HTTP Basic authentication as it would
 * in a browser (`fetch` refuses URLs with credentials, and quotes them whole in its error).
 */
function webhookTarget(webhookUrl: string): { readonly url: URL; readonly headers: Record<string, string> } {
  let url: URL
  try {
    url = new URL(webhookUrl)
  } catch {
    throw new Error('the webhook URL is not a valid URL')
  }
  if (url.username === '' && url.password === '') return { url, headers: {} }
  const credentials = `${percentDecoded(url.username)}:${percentDecoded(url.password)}`
  url.username = ''
  url.password = ''
  return { url, headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } }
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
