import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterEach, beforeEach, expect } from 'vitest'
import { signatureOf } from '../../src/channels/signature.js'
import { resolveConfig } from '../../src/config/config.js'
import { applyConfig } from '../../src/gateway/bootstrap.js'
import { Gateway } from '../../src/gateway/gateway.js'
import { randomId } from '../../src/shared/ids.js'
import { buildApp } from '../../src/http/app.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { CaseRecord, CaseStatus, ChannelRecord, Store } from '../../src/store/store.js'
import { FakeGraph, type GraphRequest } from '../support/fake-graph.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'
import { undocumentedInEvent } from '../support/documented-events.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * carewindow without its background loops, on a real store (a SQLite file or a PostgreSQL schema of its own), with
 * a fake clock: the test moves time and runs the scheduler (`runDue`) and the outbox itself. Every channel is a
 * cloud WhatsApp number on the fake Graph, so what automations actually sent can be counted; the tenant's events
 * go through the signed outbox to a webhook receiver.
 */

/** 2025-09-01 10:00:00 UTC (per-message pricing). A whole second: webhook timestamps are in seconds. */
export const T0 = Date.parse('2025-09-01T10:00:00Z')
export const SECOND = 1_000
export const MINUTE = 60_000
export const HOUR = 3_600_000
export const DAY = 24 * HOUR

export const API_KEY = 'cw_automations_test_key_0123456789'
export const APP_SECRET = 'automations-app-secret-1'
export const WEBHOOK_SECRET = 'automations-webhook-secret-1'

/** The channels of the tenant, each with the automations a group of tests needs. */
export const NUMBERS = {
  /** Default automations: window events only, `window.expiring` 60 min ahead. */
  plain: '106540350000001',
  /** `window.expiring` 30 min ahead; the keep-alive reminder 120 min ahead in en/nl. */
  keepAlive: '106540350000002',
  /** Re-engagement with `ticket_update` 30 min after the window closed, at most once per 48 h per case. */
  reengage: '106540350000003',
  /** Re-engagement with a template Meta has not approved yet. */
  unapproved: '106540350000004',
  /** Held replies (expire after 72 h); re-engagement itself off. */
  holds: '106540350000005',
  /**
   * Held replies and re-engagement as on `holds`, and a pair rate of one message a minute to a user, no burst:
   * longer than a send waits for its slot (10 s).
   */
  rated: '106540350000006',
} as const
export type ChannelName = keyof typeof NUMBERS

export const KEEP_ALIVE_LEAD = 120 * MINUTE
export const EXPIRING_LEAD_KEEP_ALIVE_CHANNEL = 30 * MINUTE
export const REENGAGE_DELAY = 30 * MINUTE
export const REENGAGE_INTERVAL = 48 * HOUR
export const HOLD_EXPIRY = 72 * HOUR
export const KEEP_ALIVE_TEXT = {
  en: 'Reply to keep this chat open, please.',
  nl: 'Reageer om dit gesprek open te houden.',
} as const

const ticketUpdate = (language: string, body: string, status = 'APPROVED') => ({
  name: 'ticket_update',
  language,
  category: 'UTILITY',
  status,
  issue_resolution: true,
  body,
})
const TICKET_EN =
  "We have updates regarding your ticket {{ticket_id}}. Please respond back if you'd like to continue support."
const TICKET_NL = 'We hebben nieuws over je ticket {{ticket_id}}. Reageer als je verder geholpen wilt worden.'
/** A marketing template on the holds channel: it needs an opt-in outside the window and is refused after STOP. */
export const PROMO_TEMPLATE = 'autumn_sale'
const promo = {
  name: PROMO_TEMPLATE,
  language: 'en',
  category: 'MARKETING',
  status: 'APPROVED',
  body: 'Our autumn sale has started: {{1}} off everything.',
}

/** Graph's send body of the marketing template to `contact`, with its one parameter. */
export function promoTo(contact: string): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    to: contact,
    type: 'template',
    template: {
      name: PROMO_TEMPLATE,
      language: { code: 'en' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: '20%' }] }],
    },
  }
}

function configFile(graphUrl: string, webhookUrl: string): Record<string, unknown> {
  const channel = (id: string, extra: Record<string, unknown>) => ({
    platform: 'whatsapp',
    id,
    upstream: { mode: 'cloud', base_url: graphUrl, access_token: 'EAAG-automations-token' },
    app_secret: APP_SECRET,
    verify_token: 'automations-verify-token',
    ...extra,
  })
  return {
    rate_cards: 'sample',
    upstream: { timeout_ms: 2_000, retries: 0 },
    sandbox: { status_delays_ms: [] },
    tenants: [
      {
        id: 'acme',
        name: 'Acme',
        webhook: { url: webhookUrl, secret: WEBHOOK_SECRET },
        api_keys: [{ key: API_KEY }],
        channels: [
          channel(NUMBERS.plain, { templates: [ticketUpdate('en', TICKET_EN)] }),
          channel(NUMBERS.keepAlive, {
            automations: {
              window_expiring_lead_minutes: 30,
              keep_alive: {
                enabled: true,
                lead_minutes: 120,
                messages: KEEP_ALIVE_TEXT,
                default_language: 'en',
              },
            },
          }),
          channel(NUMBERS.reengage, {
            automations: {
              reengagement: {
                enabled: true,
                template: { name: 'ticket_update', language: 'en' },
                min_interval_hours: 48,
                delay_minutes: 30,
              },
            },
            templates: [ticketUpdate('en', TICKET_EN), ticketUpdate('nl', TICKET_NL)],
          }),
          channel(NUMBERS.unapproved, {
            automations: {
              reengagement: { enabled: true, template: { name: 'ticket_update', language: 'en' } },
            },
            templates: [ticketUpdate('en', TICKET_EN, 'PENDING')],
          }),
          channel(NUMBERS.holds, {
            automations: {
              hold_replies: { enabled: true, expire_after_hours: 72 },
              reengagement: { default_parameters: { ticket_id: 'your request' } },
            },
            templates: [ticketUpdate('en', TICKET_EN), promo],
          }),
          channel(NUMBERS.rated, {
            automations: {
              hold_replies: { enabled: true, expire_after_hours: 72 },
              reengagement: { default_parameters: { ticket_id: 'your request' } },
            },
            settings: { rate: { pair_interval_ms: 60_000, pair_burst: 1 } },
            templates: [ticketUpdate('en', TICKET_EN)],
          }),
        ],
      },
    ],
  }
}

/** One of carewindow's own events, as the business's webhook received it. */
export interface ReceivedEvent {
  readonly id: string
  readonly type: string
  readonly created_at: string
  readonly channel: { readonly platform: string; readonly id: string }
  readonly contact_id: string
  readonly window: Record<string, unknown>
  readonly data: Record<string, unknown>
  /** `X-Carewindow-Delivery`. */
  readonly deliveryId: string | undefined
  readonly isSignatureValid: boolean
}

/** A row of the `messages` table, read past the store. */
export interface MessageRow {
  readonly id: string
  readonly contact_id: string
  readonly direction: string
  readonly allowed: boolean | null
  readonly reason: string | null
  readonly status: string
  readonly body_json: string | null
  readonly decision_json: string | null
  readonly at: number
}

/** A row of the `held_messages` table. */
export interface HoldRow {
  readonly id: string
  readonly status: string
  readonly message_id: string | null
  readonly refused_message_id: string
}

export type Dialect = 'sqlite' | 'postgres'
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres']

export interface CustomerMessage {
  /** When the customer wrote (the webhook's own timestamp); default now. Must be a whole second. */
  readonly at?: number
  readonly text?: string
  /** The message's `wamid`; default a new one. The same one again is Meta redelivering the notification. */
  readonly wamid?: string
  /** `false`: only acknowledged, left in the inbox unapplied (as when the instance that took it in lags or died). */
  readonly applied?: boolean
}

export class AutomationsFixture {
  /** Warnings and errors carewindow logged: a failed job, inbox or outbox round. */
  readonly problems: string[] = []
  private now = T0
  private sequence = 0
  readonly clock = (): number => this.now

  private constructor(
    readonly dialect: Dialect,
    readonly graph: FakeGraph,
    readonly receiver: WebhookReceiver,
    private readonly database: TestDatabase,
  ) {}

  private gatewayInstance: Gateway | undefined
  private appInstance: FastifyInstance | undefined
  private readonly extraGateways: Gateway[] = []

  static async open(dialect: Dialect): Promise<AutomationsFixture> {
    const graph = await FakeGraph.start()
    const receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
    const database = await openDatabase(dialect)
    const fixture = new AutomationsFixture(dialect, graph, receiver, database)
    try {
      const config = fixture.config()
      await applyConfig(database.store, config, fixture.clock)
      fixture.gatewayInstance = fixture.newGateway(database.store)
      fixture.appInstance = await buildApp({ gateway: fixture.gatewayInstance })
    } catch (error) {
      await fixture.close()
      throw error
    }
    return fixture
  }

  get gateway(): Gateway {
    if (this.gatewayInstance === undefined) throw new Error('the fixture is not open')
    return this.gatewayInstance
  }

  get app(): FastifyInstance {
    if (this.appInstance === undefined) throw new Error('the fixture is not open')
    return this.appInstance
  }

  get store(): Store {
    return this.database.store
  }

  /** A second carewindow on the same database (another process, as far as the database can tell). */
  async secondGateway(options: { readonly batchSize?: number } = {}): Promise<Gateway> {
    const store = await this.database.openAnother()
    const gateway = this.newGateway(store, options.batchSize)
    this.extraGateways.push(gateway)
    return gateway
  }

  newGateway(store: Store, batchSize?: number): Gateway {
    return new Gateway({
      store,
      config: this.config(),
      logger: pino({ level: 'warn' }, { write: (line: string) => void this.problems.push(line) }),
      clock: this.clock,
      ...(batchSize === undefined ? {} : { scheduler: { batchSize } }),
    })
  }

  private config() {
    return resolveConfig(configFile(this.graph.url, this.receiver.url), {}, null)
  }

  time(): number {
    return this.now
  }

  setTime(instant: number): void {
    if (instant < this.now) throw new Error('the fake clock only moves forward')
    this.now = instant
  }

  advance(ms: number): void {
    this.setTime(this.now + ms)
  }

  /** A fresh customer phone number (`wa_id`). */
  newContact(): string {
    this.sequence++
    return `3161${String(this.sequence).padStart(7, '0')}`
  }

  async channel(name: ChannelName): Promise<ChannelRecord> {
    const channel = await this.store.findChannel('whatsapp', NUMBERS[name])
    if (channel === undefined) throw new Error(`no channel ${name}`)
    return channel
  }

  /** The customer writes (a signed Meta webhook, processed before this resolves); its wamid. */
  async customerWrites(name: ChannelName, contact: string, message: CustomerMessage = {}): Promise<string> {
    const at = message.at ?? this.now
    if (at % SECOND !== 0) throw new Error('webhook timestamps are whole seconds')
    this.sequence++
    const wamid = message.wamid ?? `wamid.customer.${this.sequence}`
    await this.postNotification(
      {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: NUMBERS[name], phone_number_id: NUMBERS[name] },
        contacts: [{ profile: { name: 'Customer' }, wa_id: contact }],
        messages: [
          {
            from: contact,
            id: wamid,
            timestamp: String(at / SECOND),
            type: 'text',
            text: { body: message.text ?? 'Hello, any news?' },
          },
        ],
      },
      'messages',
      message.applied ?? true,
    )
    return wamid
  }

  /** Meta reports a status for a message the number sent. */
  async metaReportsStatus(name: ChannelName, contact: string, wamid: string, status: string): Promise<void> {
    await this.postNotification({
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: NUMBERS[name], phone_number_id: NUMBERS[name] },
      statuses: [
        {
          id: wamid,
          status,
          timestamp: String(Math.floor(this.now / SECOND)),
          recipient_id: contact,
        },
      ],
    })
  }

  /** Meta's `user_preferences` notification: the customer stopped (or resumed) marketing messages. */
  async customerSetsPreference(name: ChannelName, contact: string, value: 'stop' | 'resume'): Promise<void> {
    await this.postNotification(
      {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: NUMBERS[name], phone_number_id: NUMBERS[name] },
        user_preferences: [
          {
            wa_id: contact,
            detail: 'User requested to stop marketing messages',
            category: 'marketing_messages',
            value,
            timestamp: Math.floor(this.now / SECOND),
          },
        ],
      },
      'user_preferences',
    )
  }

  /** Meta's `message_template_status_update` (PAUSED, APPROVED, REJECTED …) for a template of the account. */
  async metaChangesTemplateStatus(name: string, language: string, event: string): Promise<void> {
    await this.postNotification(
      {
        event,
        message_template_id: 1234567890,
        message_template_name: name,
        message_template_language: language,
      },
      'message_template_status_update',
    )
  }

  private async postNotification(
    value: Record<string, unknown>,
    field = 'messages',
    apply = true,
  ): Promise<void> {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field, value }] }],
    })
    const response = await this.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(body, APP_SECRET) },
      payload: body,
    })
    if (response.statusCode !== 200) throw new Error(`webhook refused: ${response.body}`)
    if (apply) await this.gateway.inbox.drain()
  }

  /** How many acknowledged notifications no instance has applied yet. */
  async unappliedNotifications(): Promise<number> {
    const [row] = await this.database.query<{ count: number | string }>(
      'select count(*) as count from webhook_notifications where processed_at is null and dead_at is null',
      [],
    )
    return Number(row?.count ?? 0)
  }

  /** The business sends through the Graph-compatible proxy, as its client would. */
  async businessSends(
    name: ChannelName,
    body: unknown,
  ): Promise<{
    readonly status: number
    readonly json: Record<string, unknown>
    readonly headers: Record<string, unknown>
  }> {
    const response = await this.app.inject({
      method: 'POST',
      url: `/v21.0/${NUMBERS[name]}/messages`,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    return {
      status: response.statusCode,
      json: JSON.parse(response.body) as Record<string, unknown>,
      headers: response.headers,
    }
  }

  /** Calls the native API as the tenant. */
  async api(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ readonly status: number; readonly json: unknown }> {
    const response = await this.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${API_KEY}` },
      ...(body === undefined ? {} : { payload: body as object }),
    })
    return { status: response.statusCode, json: response.body === '' ? undefined : JSON.parse(response.body) }
  }

  /** Opens a case (ticket) for the contact, straight in the store. */
  async openCase(
    name: ChannelName,
    contact: string,
    fields: {
      readonly externalId?: string
      readonly language?: string
      readonly status?: CaseStatus
      readonly parameters?: Record<string, string>
    } = {},
  ): Promise<CaseRecord> {
    const channel = await this.channel(name)
    const record: CaseRecord = {
      id: randomId('case'),
      tenantId: channel.tenantId,
      channelId: channel.id,
      contactId: contact,
      externalId: fields.externalId ?? null,
      status: fields.status ?? 'open',
      subject: 'Broken kettle',
      language: fields.language ?? null,
      parameters: fields.parameters ?? {},
      lastReengagedAt: null,
      createdAt: this.now,
      updatedAt: this.now,
    }
    await this.store.insertCase(record)
    return record
  }

  /** Runs every scheduled job due at the fake clock's instant. */
  runDue(): Promise<number> {
    return this.gateway.scheduler.runDue()
  }

  /** Delivers everything the outbox has due; resolves once the receiver has it. */
  async deliverEvents(): Promise<void> {
    while ((await this.gateway.outbox.deliverDue()) > 0);
  }

  /** carewindow's own events the business received (relayed Meta notifications left out), in arrival order. */
  async events(filter: { readonly type?: string; readonly contact?: string } = {}): Promise<ReceivedEvent[]> {
    await this.deliverEvents()
    return this.receiver.delivered
      .filter((delivery) => delivery.event?.endsWith('.notification') !== true)
      .map((delivery) => {
        const body = JSON.parse(delivery.body.toString('utf8')) as Omit<
          ReceivedEvent,
          'deliveryId' | 'isSignatureValid'
        >
        // Every event a test reads is also checked against the OpenAPI document's description of its type.
        expect(undocumentedInEvent(body), `event ${body.id}`).toEqual([])
        return { ...body, deliveryId: delivery.deliveryId, isSignatureValid: delivery.isSignatureValid }
      })
      .filter(
        (event) =>
          (filter.type === undefined || event.type === filter.type) &&
          (filter.contact === undefined || event.contact_id === filter.contact),
      )
  }

  /** What Graph accepted for a contact, in arrival order. */
  sentTo(contact: string, name?: ChannelName): GraphRequest[] {
    return this.graph.requests.filter((request) => {
      const body = JSON.parse(request.body.toString('utf8')) as { to?: unknown }
      return body.to === contact && (name === undefined || request.phoneNumberId === NUMBERS[name])
    })
  }

  /** The outbound messages carewindow recorded for a contact, oldest first. */
  outboundTo(contact: string): Promise<MessageRow[]> {
    return this.database.query<MessageRow>(
      'select id, contact_id, direction, allowed, reason, status, body_json, decision_json, at from messages where contact_id = $1 and direction = $2 order by at, created_at',
      [contact, 'outbound'],
    )
  }

  holdsOf(contact: string): Promise<HoldRow[]> {
    return this.database.query<HoldRow>(
      'select id, status, message_id, refused_message_id from held_messages where contact_id = $1 order by created_at, id',
      [contact],
    )
  }

  /**
   * Forgets that a case was re-engaged, as if the process died after the template went out but before the case
   * was marked (the write past the store a crash would have left undone).
   */
  async forgetReengagement(caseId: string): Promise<void> {
    await this.database.execute('update cases set last_reengaged_at = null where id = $1', [caseId])
  }

  /** Fails the test if carewindow logged a warning or an error (a job failed, a notification could not be processed). */
  expectNoProblems(): void {
    expect(this.problems).toEqual([])
  }

  async close(): Promise<void> {
    await this.appInstance?.close()
    for (const gateway of this.extraGateways) await gateway.stop()
    // Gateway.stop() closes the store.
    if (this.gatewayInstance !== undefined) await this.gatewayInstance.stop()
    else await this.database.store.close()
    await this.database.destroy()
    await this.graph.close()
    await this.receiver.close()
  }
}

/** A fresh fixture for every test of the enclosing `describe`; it also fails a test that left a logged problem. */
export function useFixture(
  dialect: Dialect,
  options: { readonly allowProblems?: boolean } = {},
): () => AutomationsFixture {
  let fixture: AutomationsFixture | undefined
  beforeEach(async () => {
    fixture = await AutomationsFixture.open(dialect)
  })
  afterEach(async () => {
    const current = fixture
    fixture = undefined
    if (current === undefined) return
    try {
      if (options.allowProblems !== true) current.expectNoProblems()
    } finally {
      await current.close()
    }
  })
  return () => {
    if (fixture === undefined) throw new Error('no fixture outside a test')
    return fixture
  }
}

interface TestDatabase {
  readonly store: Store
  /** Another store on the same database. */
  openAnother(): Promise<Store>
  query<T>(sql: string, parameters: readonly unknown[]): Promise<T[]>
  /** A write past the store, on a connection of its own. */
  execute(sql: string, parameters: readonly unknown[]): Promise<void>
  destroy(): Promise<void>
}

async function openDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-automations-'))
    const path = join(directory, 'carewindow.db')
    return {
      store: await openSqliteStore({ path }),
      openAnother: () => openSqliteStore({ path }),
      query<T>(sql: string, parameters: readonly unknown[]) {
        // A connection of its own, as another process would read the file.
        const connection = new BetterSqlite3(path, { readonly: true })
        try {
          const rows = connection.prepare(sql.replace(/\$\d+/g, '?')).all(...parameters) as Record<
            string,
            unknown
          >[]
          return Promise.resolve(rows.map(normalizeRow) as T[])
        } finally {
          connection.close()
        }
      },
      execute(sql: string, parameters: readonly unknown[]) {
        const connection = new BetterSqlite3(path)
        try {
          connection.prepare(sql.replace(/\$\d+/g, '?')).run(...parameters)
          return Promise.resolve()
        } finally {
          connection.close()
        }
      },
      destroy: () => rm(directory, { recursive: true, force: true }),
    }
  }
  const schema = uniqueSchemaName()
  return {
    store: await openPostgresStore({ url: postgresUrl(), schema }),
    openAnother: () => openPostgresStore({ url: postgresUrl(), schema }),
    query<T>(sql: string, parameters: readonly unknown[]) {
      return withPostgresClient(async (client) => {
        await client.query(`set search_path to ${quoteSchema(schema)}`)
        const result = await client.query(sql, [...parameters])
        return result.rows.map(normalizeRow) as T[]
      })
    },
    execute(sql: string, parameters: readonly unknown[]) {
      return withPostgresClient(async (client) => {
        await client.query(`set search_path to ${quoteSchema(schema)}`)
        await client.query(sql, [...parameters])
      })
    },
    destroy: () => dropSchema(schema),
  }
}

/** `allowed` is an integer column (0/1) and instants are numbers, in both dialects. */
function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  return {
    ...row,
    ...('allowed' in row ? { allowed: row.allowed === null ? null : Number(row.allowed) === 1 } : {}),
    ...('at' in row ? { at: Number(row.at) } : {}),
  }
}
