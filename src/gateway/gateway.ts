import type { Logger } from 'pino'
import type { Platform, RateCard } from '../domain/index.js'
import { longestUpstreamWaitMs, UPSTREAM_RETRY_PAUSE_MS, type GatewayConfig } from '../config/config.js'
import { toRateCards } from '../config/rate-cards.js'
import type { GraphClientKind } from '../channels/graph-client.js'
import { graphUpstream, type GraphUpstream } from '../channels/graph-upstream.js'
import { graphPassthrough, type GraphPassthrough } from '../channels/graph-passthrough.js'
import { sandboxPassthrough } from '../channels/sandbox-passthrough.js'
import { signatureOf } from '../channels/signature.js'
import { messengerSandbox } from '../channels/messenger/sandbox.js'
import { WhatsAppSandbox } from '../channels/whatsapp/sandbox.js'
import type { ChannelRecord, Store } from '../store/store.js'
import { systemClock, type Clock } from '../shared/clock.js'
import { KnownContacts } from './contacts/contacts.js'
import { Directory } from './directory.js'
import { Inbox } from './webhooks/inbox.js'
import { Metrics } from './metrics.js'
import { Outbox } from './outbox/outbox.js'
import { MessageOutcomes } from './send/message-outcomes.js'
import { isStoreUnavailable } from '../store/store-errors.js'
import { SendReconciler } from './send/send-reconciler.js'
import { NotificationWriter } from './webhooks/notification-writer.js'
import { notificationSubjects } from './webhooks/notification-subjects.js'
import type { Upstream } from '../channels/upstream.js'
import {
  receiveWebhook,
  verifyWebhook,
  type StoredNotification,
  type VerifiedSubscription,
} from './webhooks/webhook-intake.js'
import { messengerNotificationHandler } from './webhooks/messenger-inbox.js'
import { sendMessenger, type MessengerSendRequest } from './send/messenger-send.js'
import { whatsappNotificationHandler } from './webhooks/whatsapp-inbox.js'
import { automationHandlers, type InternalSendResult } from './automations/automations.js'
import { JOB_KINDS } from '../scheduler/jobs.js'
import {
  scheduleStartSyncs,
  templateScheduleOf,
  templateSyncHandler,
  type TemplateSyncJobDependencies,
} from './templates/template-sync-jobs.js'
import { DEFAULT_SCHEDULER_OPTIONS, Scheduler, type SchedulerOptions } from '../scheduler/scheduler.js'
import { GatewayError } from '../shared/errors.js'
import { randomId } from '../shared/ids.js'
import { sendWhatsApp, type WhatsAppSendRequest } from './send/whatsapp-send.js'
import { Throughput } from './send/throughput.js'
import { internalSendResult } from './send/internal-send.js'
import type { SendResult } from './send/send-result.js'
import { costDaysHandler, costDaysScheduleOf } from './costs/cost-days-jobs.js'

export interface GatewayOptions {
  readonly store: Store
  readonly config: GatewayConfig
  readonly logger: Logger
  readonly clock?: Clock
  /** Replaces `fetch` for Graph and for deliveries to businesses (tests). */
  readonly fetch?: typeof fetch
  /** How Graph is reached: keep-alive pools (the default) or `fetch` (the benchmark compares them). */
  readonly graphClient?: GraphClientKind
  /** Whether to register Node's process metrics (once per process). */
  readonly processMetrics?: boolean
  readonly version?: string
  /** Scheduler tuning (tests shorten the poll; benchmarks grow the batch). */
  readonly scheduler?: Partial<SchedulerOptions>
}

/** The Graph version carewindow uses for the messages it sends itself (automations). */
export const AUTOMATION_GRAPH_VERSION = 'v21.0'

/** How often the inbox looks for notifications stored by other instances or left by a crash. */
const INBOX_POLL_MS = 1_000

/** How often sends whose outcome was never recorded are looked for (see send-reconciler.ts). */
const RECONCILE_INTERVAL_MS = 30_000

/**
 * The longest a send can take, from its wait for the inbox to Graph's last answer: what a repeat with its
 * Idempotency-Key waits for, and half of what makes an unanswered send stale.
 */
export function sendBudgetMs(config: GatewayConfig): number {
  return config.inboxDecisionWaitMs + longestUpstreamWaitMs(config.upstreamTimeoutMs, config.upstreamRetries)
}

/**
 * While requests keep coming and nothing waits for it, processing of acknowledged webhooks takes a tenth of the
 * event loop at first, so a storm is acknowledged at the rate its notifications can be stored; its share grows as the
 * backlog ages, to all of it at `inbox.max_lag_ms`.
 */
const INBOX_MIN_SHARE = 0.1

/**
 * carewindow as a running service, without HTTP: the store, the caches, the webhook inbox and its processor,
 * the outbox relay, the upstreams. `start()` and `stop()` are symmetric; the HTTP layer calls the use cases.
 */
export class Gateway {
  readonly store: Store
  readonly config: GatewayConfig
  readonly logger: Logger
  readonly clock: Clock
  readonly metrics: Metrics
  readonly directory: Directory
  readonly inbox: Inbox
  readonly outbox: Outbox
  readonly writer: NotificationWriter
  /** What came of forwarded messages, group-committed. */
  readonly outcomes: MessageOutcomes
  /** Settles sends whose outcome was never recorded. */
  readonly reconciler: SendReconciler
  /** The longest a send can take (see {@link sendBudgetMs}). */
  private readonly sendBudgetMs: number
  /** The numbers' throughput limits (send/throughput.ts). */
  readonly throughput: Throughput
  /** Contacts known to be stored: sends skip storing them again (a customer's message, a send adds them). */
  private readonly contacts = new KnownContacts()
  readonly sandbox: WhatsAppSandbox<ChannelRecord>
  readonly scheduler: Scheduler
  /** What reading a channel's templates from Meta takes (templates/template-sync.ts). */
  readonly templateSync: TemplateSyncJobDependencies
  readonly rateCards: readonly RateCard[]
  private readonly cloud: GraphUpstream
  /** Graph's calls besides sends (media, templates, profiles), for cloud channels and for sandbox ones. */
  private readonly passthrough: {
    readonly cloud: GraphPassthrough
    readonly sandbox: GraphPassthrough<ChannelRecord>
  }
  private isStarted = false
  /** Requests answered so far (counted by the HTTP layer): the inbox keeps to its share while they keep coming. */
  private answered = 0

  constructor(options: GatewayOptions) {
    this.store = options.store
    this.config = options.config
    this.logger = options.logger
    this.clock = options.clock ?? systemClock
    this.metrics = new Metrics(this.store, { processMetrics: options.processMetrics ?? false })
    this.rateCards = options.config.rateCards === undefined ? [] : toRateCards(options.config.rateCards)
    this.directory = new Directory(this.store, this.clock, this.rateCards)
    this.throughput = new Throughput({ store: this.store, clock: this.clock, metrics: this.metrics })
    const { directory, clock, metrics, logger, contacts } = this
    const inboxDependencies = { directory, clock, metrics, logger, contacts }
    const handlers = {
      whatsapp: whatsappNotificationHandler(inboxDependencies),
      messenger: messengerNotificationHandler(inboxDependencies),
    }
    this.inbox = new Inbox(
      this.store,
      this.clock,
      (tx, notification) => handlers[notification.platform](tx, notification),
      this.logger,
      {
        onProcessed: () => {
          this.outbox.kick()
          this.scheduler.kick()
        },
        pacing: {
          answered: () => this.answered,
          minShare: INBOX_MIN_SHARE,
          fullSpeedLagMs: options.config.inboxMaxLagMs,
        },
        decisionWaitMs: options.config.inboxDecisionWaitMs,
        subjectsOf: (notification) => {
          const read = notificationSubjects(notification.platform, JSON.parse(notification.body))
          return read.ok ? read.subjects : []
        },
        isPassing: isStoreUnavailable,
        onSetAside: (isDead) => {
          this.metrics.inboxFailures.inc({ outcome: isDead ? 'dead' : 'retry' })
        },
      },
    )
    this.outbox = new Outbox(
      this.store,
      this.clock,
      {
        pollIntervalMs: options.config.outboxPollIntervalMs,
        maxAttempts: options.config.outboxMaxAttempts,
        backoffBaseMs: options.config.outboxBackoffBaseMs,
        backoffMaxMs: options.config.outboxBackoffMaxMs,
        requestTimeoutMs: options.config.outboxRequestTimeoutMs,
        userAgent: `carewindow/${options.version ?? 'dev'}`,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      },
      this.logger,
      this.metrics,
    )
    this.writer = new NotificationWriter(this.store, () => {
      this.inbox.kick()
    })
    this.outcomes = new MessageOutcomes(this.store, this.logger)
    this.sendBudgetMs = sendBudgetMs(options.config)
    this.reconciler = new SendReconciler(
      this.store,
      this.directory,
      this.clock,
      this.logger,
      2 * this.sendBudgetMs,
    )
    this.sandbox = new WhatsAppSandbox<ChannelRecord>({
      clock: this.clock,
      statusDelaysMs: options.config.sandboxStatusDelaysMs,
      notify: (channel, body) => this.simulateNotification(channel, body),
    })
    this.templateSync = {
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      passthroughFor: (channel) => this.passthroughFor(channel),
      invalidateTemplates: (id) => {
        this.directory.invalidateTemplates(id)
      },
      channelById: (id) => this.directory.channelById(id),
    }
    this.scheduler = new Scheduler(
      this.store,
      this.clock,
      {
        ...automationHandlers({
          store: this.store,
          directory: this.directory,
          clock: this.clock,
          logger: this.logger,
          send: (channel, body, key) => this.sendInternal(channel, body, key),
        }),
        [JOB_KINDS.templateSync]: templateSyncHandler(this.templateSync, templateScheduleOf(options.config)),
        [JOB_KINDS.costDays]: costDaysHandler(this, costDaysScheduleOf(options.config)),
      },
      this.logger,
      { ...DEFAULT_SCHEDULER_OPTIONS, ...options.scheduler },
    )
    this.cloud = graphUpstream({
      timeoutMs: options.config.upstreamTimeoutMs,
      retries: options.config.upstreamRetries,
      retryTimeouts: options.config.upstreamRetryTimeouts,
      retryDelayMs: UPSTREAM_RETRY_PAUSE_MS,
      ...(options.graphClient === undefined ? {} : { client: options.graphClient }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    })
    this.passthrough = {
      cloud: graphPassthrough(options.config.upstreamTimeoutMs),
      sandbox: sandboxPassthrough<ChannelRecord>((channel) => this.store.listTemplates(channel.id)),
    }
  }

  /** The HTTP layer answered a request. */
  noteAnswered(): void {
    this.answered++
  }

  /** Starts processing the inbox and delivering the outbox. */
  start(): void {
    if (this.isStarted) return
    this.isStarted = true
    this.inbox.start(INBOX_POLL_MS)
    this.outbox.start()
    this.scheduler.start()
    this.reconciler.start(RECONCILE_INTERVAL_MS)
  }

  /** Schedules the start's template syncs (template_sync.on_start); the scheduler runs them soon after. */
  async scheduleTemplateSyncs(): Promise<void> {
    await scheduleStartSyncs(this.templateSync, templateScheduleOf(this.config))
    this.scheduler.kick()
  }

  /** Stops background work, lets what is in flight finish, and closes the connections to Graph and the store. */
  async stop(): Promise<void> {
    this.sandbox.stop()
    await this.writer.flushed()
    await this.outcomes.flushed()
    await this.outcomes.flushLate()
    await this.reconciler.stop()
    await this.inbox.stop()
    await this.scheduler.stop()
    await this.outbox.stop()
    await this.cloud.close()
    await this.passthrough.cloud.close()
    this.isStarted = false
    await this.store.close()
  }

  upstreamFor(channel: ChannelRecord): Upstream {
    if (channel.upstream.mode === 'cloud') return this.cloud
    return channel.platform === 'whatsapp' ? this.sandbox : messengerSandbox
  }

  /** Where a channel's Graph calls other than sends go: Graph with its token, or the sandbox. */
  passthroughFor(channel: ChannelRecord): GraphPassthrough<ChannelRecord> {
    return channel.upstream.mode === 'cloud' ? this.passthrough.cloud : this.passthrough.sandbox
  }

  sendWhatsApp(request: WhatsAppSendRequest): Promise<SendResult> {
    return sendWhatsApp(this.sendDependencies(), request)
  }

  sendMessenger(request: MessengerSendRequest): Promise<SendResult> {
    return sendMessenger(this.sendDependencies(), request)
  }

  private sendDependencies() {
    return {
      store: this.store,
      directory: this.directory,
      clock: this.clock,
      inbox: this.inbox,
      metrics: this.metrics,
      logger: this.logger,
      upstreamFor: (channel: ChannelRecord) => this.upstreamFor(channel),
      sandbox: this.sandbox,
      outcomes: this.outcomes,
      idempotency: {
        store: this.store,
        clock: this.clock,
        sendBudgetMs: this.sendBudgetMs,
        settleStaleSend: (messageId: string) => this.reconciler.settle(messageId),
      },
      contacts: this.contacts,
      throughput: this.throughput,
      onHeld: () => {
        this.scheduler.kick()
      },
    }
  }

  /**
   * A message carewindow sends itself (reminder, re-engagement, held reply): the normal send path — decided,
   * recorded, billed, forwarded — once per idempotency key, never held.
   */
  async sendInternal(
    channel: ChannelRecord,
    body: unknown,
    idempotencyKey: string,
  ): Promise<InternalSendResult> {
    const tenant = await this.store.getTenant(channel.tenantId)
    if (tenant === undefined)
      throw new Error(`tenant ${channel.tenantId} of channel ${channel.externalId} is gone`)
    const rawBody = JSON.stringify(body)
    const common = {
      tenant,
      channel,
      version: AUTOMATION_GRAPH_VERSION,
      idempotencyKey,
      traceId: randomId('job'),
    }
    let result: SendResult
    try {
      result =
        channel.platform === 'whatsapp'
          ? await this.sendWhatsApp({ ...common, rawBody, body, holdable: false, waitsForSlot: true })
          : await this.sendMessenger({
              ...common,
              wire: {
                fields: body as Record<string, unknown>,
                encoding: 'json',
                accessToken: undefined,
                appsecretProof: undefined,
                sender: 'bot',
              },
              apiKey: '',
            })
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error
      return { allowed: false, messageId: null, reason: error.key }
    }
    return internalSendResult(result, channel)
  }

  receiveWebhook(
    platform: Platform,
    rawBody: Buffer,
    signature: string | undefined,
  ): Promise<StoredNotification> {
    return receiveWebhook(
      { directory: this.directory, writer: this.writer, clock: this.clock, metrics: this.metrics },
      platform,
      rawBody,
      signature,
    )
  }

  verifyWebhook(platform: Platform, query: Readonly<Record<string, unknown>>): Promise<VerifiedSubscription> {
    return verifyWebhook(this.directory, platform, query)
  }

  /** The sandbox's simulated notifications take Meta's path: signed with the channel's app secret, stored, processed. */
  async simulateNotification(channel: ChannelRecord, body: string): Promise<void> {
    const read = notificationSubjects(channel.platform, JSON.parse(body))
    if (!read.ok) throw new GatewayError('INVALID_NOTIFICATION', read.problem)
    await this.writer.write({
      platform: channel.platform,
      body,
      signature: signatureOf(body, channel.appSecret),
      receivedAt: this.clock(),
      subjects: read.subjects,
    })
  }
}
