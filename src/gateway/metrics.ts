import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Billing } from '../domain/index.js'
import type { Store } from '../store/store.js'

/** carewindow's Prometheus metrics, in a registry of their own (several gateways can share a process in tests). */
export class Metrics {
  readonly registry = new Registry()

  readonly httpRequests = new Counter({
    name: 'carewindow_http_requests_total',
    help: 'HTTP requests by route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  })

  readonly httpDuration = new Histogram({
    name: 'carewindow_http_request_duration_seconds',
    help: 'Time from request to reply.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })

  readonly decisions = new Counter({
    name: 'carewindow_decisions_total',
    help: 'Policy decisions by platform, outcome and reason.',
    labelNames: ['platform', 'allowed', 'reason'] as const,
    registers: [this.registry],
  })

  readonly webhookLag = new Histogram({
    name: 'carewindow_webhook_lag_seconds',
    help: 'From an inbound message’s own timestamp to its processing by carewindow.',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  })

  readonly webhookNotifications = new Counter({
    name: 'carewindow_webhook_notifications_total',
    help: 'Webhook notifications received, by platform and outcome (stored, rejected).',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  })

  readonly inboxFailures = new Counter({
    name: 'carewindow_inbox_failures_total',
    help: 'Failed tries at applying a stored notification, by outcome (retry: tried again later; dead: kept as a dead letter).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })

  readonly upstreamRequests = new Counter({
    name: 'carewindow_upstream_requests_total',
    help: 'Requests forwarded to Graph or the sandbox, by outcome.',
    labelNames: ['mode', 'outcome'] as const,
    registers: [this.registry],
  })

  readonly deliveries = new Counter({
    name: 'carewindow_webhook_deliveries_total',
    help: 'Attempts to deliver notifications and events to businesses, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })

  readonly sendsThrottled = new Counter({
    name: 'carewindow_sends_throttled_total',
    help: 'Allowed sends held back by a throughput limit (settings.rate) and answered 429, by channel and limit (number: 130429, pair: 131056).',
    labelNames: ['channel', 'limit'] as const,
    registers: [this.registry],
  })

  readonly billingChecks = new Counter({
    name: 'carewindow_billing_checks_total',
    help: "Sent messages whose price carewindow compared with the pricing in Meta's status notifications, by channel and result (match, or the mismatch's likely cause).",
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  })

  readonly sendsQueued = new Gauge({
    name: 'carewindow_sends_queued',
    help: 'Sends waiting for their slot under a throughput limit in smooth mode, in this process, by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  })

  readonly sendWait = new Histogram({
    name: 'carewindow_send_wait_seconds',
    help: 'How long sends waited for their slot under a throughput limit (smooth mode).',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  })

  readonly spendMicros = new Counter({
    name: 'carewindow_spend_micros_total',
    help: 'carewindow’s prices of the messages Graph took, in millionths of the currency, by channel, pricing category and currency: what GET /v1/costs reports, counted as it happens.',
    labelNames: ['channel', 'category', 'currency'] as const,
    registers: [this.registry],
  })

  readonly pricedMessages = new Counter({
    name: 'carewindow_priced_messages_total',
    help: 'Messages Graph took that carewindow priced (free ones too), by channel, pricing category and currency.',
    labelNames: ['channel', 'category', 'currency'] as const,
    registers: [this.registry],
  })

  /** A message Graph took, recorded as forwarded: its price, when it has one, is counted as spend. */
  countSpend(channel: string, billing: Billing): void {
    if (billing.price === null) return
    const labels = { channel, category: billing.category, currency: billing.price.currency }
    this.pricedMessages.inc(labels)
    this.spendMicros.inc(labels, billing.price.amountMicros)
  }

  constructor(store: Store, options: { readonly processMetrics?: boolean } = {}) {
    new Gauge({
      name: 'carewindow_outbox_depth',
      help: 'Deliveries to businesses waiting to be made.',
      registers: [this.registry],
      async collect() {
        this.set(await store.countDeliveries('pending'))
      },
    })
    new Gauge({
      name: 'carewindow_outbox_dead_deliveries',
      help: 'Deliveries to businesses given up after outbox.max_attempts, waiting for an operator (GET /v1/dead-deliveries, then redrive).',
      registers: [this.registry],
      async collect() {
        this.set(await store.countDeliveries('dead'))
      },
    })
    new Gauge({
      name: 'carewindow_inbox_depth',
      help: 'Webhook notifications stored but not yet applied (dead letters not counted).',
      registers: [this.registry],
      async collect() {
        this.set(await store.countPendingNotifications())
      },
    })
    new Gauge({
      name: 'carewindow_inbox_dead_letters',
      help: 'Notifications that could not be applied after their last try, waiting for an operator (GET /v1/dead-letters); decisions about what they concern are refused.',
      registers: [this.registry],
      async collect() {
        this.set(await store.countDeadNotifications())
      },
    })
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'carewindow_' })
  }
}
