import { createHmac } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { resolveConfig } from '../../src/config/config.js'
import type { Clock } from '../../src/shared/clock.js'
import { createLogger } from '../../src/shared/logging.js'
import { startServer, type RunningServer } from '../../src/server.js'
import type { ChannelRecord, WindowRecord } from '../../src/store/store.js'
import { FakeGraph } from './fake-graph.js'
import { dropSchema, postgresUrl, quoteSchema, uniqueSchemaName, withPostgresClient } from './postgres.js'

/** Meta's example business phone number (reference §2.3, §2.4): the tenant's main channel. */
export const PHONE_NUMBER_ID = '106540352242922'
/** The phone number id of Meta's Postman examples; a second channel of the same tenant and Meta app. */
export const POSTMAN_PHONE_NUMBER_ID = '27681414235104944'
/** Another tenant's channel, on another Meta app. */
export const OTHER_TENANT_PHONE_NUMBER_ID = '109999999999999'

export const TENANT = 'acme'
export const OTHER_TENANT = 'globex'
export const API_KEY = 'cw_test_acme_key_0123456789abcdef'
export const OTHER_API_KEY = 'cw_test_globex_key_0123456789abcdef'
/** The Meta app's secret: Meta signs webhooks with it. */
export const APP_SECRET = 'acme-meta-app-secret-0001'
export const OTHER_APP_SECRET = 'globex-meta-app-secret-0002'
/** A Meta app carewindow knows nothing about. */
export const UNKNOWN_APP_SECRET = 'some-other-meta-app-secret'
export const VERIFY_TOKEN = 'acme-verify-token'
/** The system-user token carewindow forwards with: the one Graph must see, never the carewindow key. */
export const CHANNEL_ACCESS_TOKEN = 'EAAGacmeChannelSystemUserToken'
export const WEBHOOK_SECRET = 'acme-webhook-signing-secret'

/** The channel's templates: a plain utility one, an Issue Resolution one (CCW-7) and a marketing one. */
export const TEMPLATES = [
  {
    name: 'order_confirmation',
    language: 'en_US',
    category: 'UTILITY',
    body: 'Your order {{1}} is confirmed and ships on {{2}}.',
  },
  {
    name: 'ticket_update',
    language: 'en',
    category: 'UTILITY',
    issue_resolution: true,
    body: "We have updates regarding your ticket {{ticket_id}}. Please respond back if you'd like to continue support.",
  },
  {
    name: 'autumn_sale',
    language: 'en',
    category: 'MARKETING',
    body: 'Hi {{1}}, our autumn sale starts today.',
  },
] as const

export interface TestConfigOptions {
  readonly databaseUrl: string
  /** The fake Graph's URL: the `base_url` of the cloud channels. */
  readonly graphUrl: string
  /** The business's webhook URL (the test receiver), if any. */
  readonly webhookUrl?: string
  /** `0` (the default) picks a free port. */
  readonly port?: number
  readonly logLevel?: string
}

/** The config file (as JSON) the end-to-end tests run carewindow with: two tenants, cloud channels on the fake Graph. */
export function testConfigFile(options: TestConfigOptions): Record<string, unknown> {
  const cloud = { mode: 'cloud', base_url: options.graphUrl, access_token: CHANNEL_ACCESS_TOKEN }
  return {
    ...(options.logLevel === undefined ? {} : { log_level: options.logLevel }),
    database: { url: options.databaseUrl },
    server: { port: options.port ?? 0 },
    upstream: { timeout_ms: 300, retries: 2 },
    outbox: { poll_interval_ms: 50, backoff_base_ms: 20 },
    sandbox: { status_delays_ms: [] },
    tenants: [
      {
        id: TENANT,
        name: 'Acme',
        ...(options.webhookUrl === undefined
          ? {}
          : { webhook: { url: options.webhookUrl, secret: WEBHOOK_SECRET } }),
        api_keys: [{ name: 'test', key: API_KEY }],
        channels: [
          {
            platform: 'whatsapp',
            id: PHONE_NUMBER_ID,
            upstream: cloud,
            app_secret: APP_SECRET,
            verify_token: VERIFY_TOKEN,
            templates: TEMPLATES,
          },
          {
            platform: 'whatsapp',
            id: POSTMAN_PHONE_NUMBER_ID,
            upstream: cloud,
            app_secret: APP_SECRET,
            verify_token: VERIFY_TOKEN,
          },
        ],
      },
      {
        id: OTHER_TENANT,
        name: 'Globex',
        api_keys: [{ name: 'test', key: OTHER_API_KEY }],
        channels: [
          {
            platform: 'whatsapp',
            id: OTHER_TENANT_PHONE_NUMBER_ID,
            upstream: { ...cloud, access_token: 'EAAGglobexChannelToken' },
            app_secret: OTHER_APP_SECRET,
            verify_token: 'globex-verify-token',
            templates: TEMPLATES,
          },
        ],
      },
    ],
  }
}

/** Changes a suite makes to the test config file (e.g. `{ inbox: { decision_wait_ms: 500 } }`), merged over it. */
export type ConfigOverrides = Readonly<Record<string, unknown>>

/** Starts carewindow over a real socket on a free port, with the test config and a silent logger. */
export function startTestGateway(
  options: TestConfigOptions & { readonly clock?: Clock; readonly overrides?: ConfigOverrides },
): Promise<RunningServer> {
  const config = resolveConfig({ ...testConfigFile(options), ...options.overrides }, {}, null)
  return startServer({
    config,
    logger: createLogger('silent'),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  })
}

/** What an end-to-end suite runs against: a database of its own, a fake Graph, and carewindow over a real socket. */
export interface E2eStack {
  readonly database: E2eDatabase
  readonly graph: FakeGraph
  readonly server: RunningServer
}

/** Starts an {@link E2eStack} on `dialect`; `cleanup` undoes each part started, even when a later one fails. */
export async function startE2eStack(
  dialect: Dialect,
  cleanup: Cleanup,
  options: { readonly clock?: Clock; readonly overrides?: ConfigOverrides } = {},
): Promise<E2eStack> {
  const database = await createE2eDatabase(dialect)
  cleanup.add(() => database.destroy())
  const graph = await FakeGraph.start()
  cleanup.add(() => graph.close())
  const server = await startTestGateway({ databaseUrl: database.url, graphUrl: graph.url, ...options })
  cleanup.add(() => server.close())
  return { database, graph, server }
}

/**
 * What a suite must undo, in reverse order of creation: each task runs even when an earlier one (or the suite's
 * setup) failed, so a failing run leaves no server, process, schema or file behind.
 */
export class Cleanup {
  private readonly tasks: (() => unknown)[] = []

  add(task: () => unknown): void {
    this.tasks.push(task)
  }

  async run(): Promise<void> {
    const errors: unknown[] = []
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await task()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleaning up after the suite failed')
  }
}

/** A clock that runs like the system clock but can be moved: set it to a webhook example's day, then on by 25 h. */
export class TestClock {
  private offsetMs = 0
  readonly now: Clock = () => Date.now() + this.offsetMs

  setTo(instant: number): void {
    this.offsetMs = instant - Date.now()
  }

  advance(ms: number): void {
    this.offsetMs += ms
  }
}

export const HOUR_MS = 3_600_000

/** Meta's `X-Hub-Signature-256` for `body`: HMAC-SHA256 with the app secret over the raw bytes, lowercase hex. */
export function metaSignature(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export interface HttpAnswer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** POSTs a notification to `/webhooks/whatsapp` like Meta: JSON, signed with `secret` (or with no signature). */
export async function postWebhook(
  serverUrl: string,
  body: string | Buffer,
  signing: { readonly secret: string } | { readonly signature: string } | null,
): Promise<HttpAnswer> {
  const signature =
    signing === null
      ? undefined
      : 'secret' in signing
        ? metaSignature(body, signing.secret)
        : signing.signature
  const response = await fetch(`${serverUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }),
    },
    body,
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** POSTs a Graph send body to `/{version}/{phoneNumberId}/messages` with a carewindow API key. */
export async function postMessage(
  serverUrl: string,
  body: string,
  options: {
    readonly phoneNumberId?: string
    readonly version?: string
    readonly apiKey?: string | null
    readonly idempotencyKey?: string
    readonly contentType?: string
  } = {},
): Promise<HttpAnswer> {
  const apiKey = options.apiKey === undefined ? API_KEY : options.apiKey
  const response = await fetch(
    `${serverUrl}/${options.version ?? 'v21.0'}/${options.phoneNumberId ?? PHONE_NUMBER_ID}/messages`,
    {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'application/json',
        ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }),
        ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
      },
      body,
    },
  )
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** The window as the native API shows it: `GET /v1/channels/{id}/contacts/{wa_id}/window`. */
export async function windowFromApi(
  serverUrl: string,
  phoneNumberId: string,
  contact: string,
): Promise<{ readonly status: number; readonly window: Record<string, unknown> }> {
  const response = await fetch(`${serverUrl}/v1/channels/${phoneNumberId}/contacts/${contact}/window`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  })
  return { status: response.status, window: (await response.json()) as Record<string, unknown> }
}

/** What a customer's WhatsApp message looks like in Meta's notification (reference §2.3). */
export interface InboundText {
  readonly from: string
  /** Meta's message id (`wamid.…`). */
  readonly id: string
  /** When the customer sent it (the notification's `timestamp`, in whole seconds). */
  readonly atMs: number
  readonly text?: string
  /** The `contacts[].profile.name`; `null` leaves the `contacts` array out. */
  readonly profileName?: string | null
  readonly phoneNumberId?: string
}

/** Meta's notification of one inbound text message to one of the tenant's numbers, as a JSON string. */
export function inboundTextNotification(message: InboundText): string {
  const profileName = message.profileName === undefined ? 'Test Customer' : message.profileName
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: '15550783881',
                phone_number_id: message.phoneNumberId ?? PHONE_NUMBER_ID,
              },
              ...(profileName === null
                ? {}
                : { contacts: [{ profile: { name: profileName }, wa_id: message.from }] }),
              messages: [
                {
                  from: message.from,
                  id: message.id,
                  timestamp: String(Math.floor(message.atMs / 1000)),
                  type: 'text',
                  text: { body: message.text ?? 'Hello' },
                },
              ],
            },
          },
        ],
      },
    ],
  })
}

/** A Graph text message body, as a client would send it. */
export function textMessage(to: string, text: string): string {
  return JSON.stringify({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'text',
    text: { preview_url: false, body: text },
  })
}

/** A Graph template message body for the Issue Resolution template `ticket_update`. */
export function ticketUpdate(to: string, ticketId: string): string {
  return JSON.stringify({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name: 'ticket_update',
      language: { code: 'en' },
      components: [
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'ticket_id', text: ticketId }] },
      ],
    },
  })
}

/** A Graph template message body for the marketing template `autumn_sale`. */
export function autumnSale(to: string): string {
  return JSON.stringify({
    messaging_product: 'whatsapp',
    to,
    type: 'template',
    template: {
      name: 'autumn_sale',
      language: { code: 'en' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Sam' }] }],
    },
  })
}

/** Graph's error envelope, read from an answer. */
export interface GraphError {
  readonly message: string
  readonly type: string
  readonly code: number
  readonly error_subcode?: number
  readonly error_data?: { readonly messaging_product?: string; readonly details: string }
  readonly fbtrace_id: string
}

export function graphErrorOf(answer: HttpAnswer): GraphError {
  return (JSON.parse(answer.text) as { error: GraphError }).error
}

/** The stored channel for a phone number id. */
export async function channelOf(server: RunningServer, phoneNumberId: string): Promise<ChannelRecord> {
  const channel = await server.gateway.store.findChannel('whatsapp', phoneNumberId)
  if (channel === undefined) throw new Error(`no channel ${phoneNumberId}`)
  return channel
}

/** A contact's stored window, read from the store. */
export async function windowOf(
  server: RunningServer,
  phoneNumberId: string,
  contact: string,
): Promise<WindowRecord | undefined> {
  const channel = await channelOf(server, phoneNumberId)
  return server.gateway.store.getWindow(channel.id, contact)
}

export type Dialect = 'sqlite' | 'postgres'

/** The tables the tests count rows in. */
export type CountedTable =
  | 'messages'
  | 'webhook_notifications'
  | 'idempotency_keys'
  | 'contacts'
  | 'windows'
  | 'consent_events'
  | 'webhook_deliveries'

export const COUNTED_TABLES: readonly CountedTable[] = [
  'messages',
  'webhook_notifications',
  'idempotency_keys',
  'contacts',
  'windows',
  'consent_events',
  'webhook_deliveries',
]

/**
 * A database for one end-to-end suite, read behind carewindow's back: a SQLite file in a temporary directory, or
 * a PostgreSQL schema of its own (selected with `options=-c search_path=…` in the URL).
 */
export interface E2eDatabase {
  readonly dialect: Dialect
  /** What `database.url` says. */
  readonly url: string
  /** Rows in `table`, optionally only those whose columns equal the given values. */
  count(table: CountedTable, where?: Readonly<Record<string, string | number>>): Promise<number>
  /** Every counted table's row count. */
  counts(): Promise<Record<CountedTable, number>>
  /**
   * Runs SQL in the suite's database behind carewindow's back — a fault a test injects (a trigger that refuses a
   * row), as a database in trouble would.
   */
  execute(sql: string): Promise<void>
  destroy(): Promise<void>
}

export async function createE2eDatabase(dialect: Dialect): Promise<E2eDatabase> {
  return dialect === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase()
}

async function createSqliteDatabase(): Promise<E2eDatabase> {
  const directory = await mkdtemp(join(tmpdir(), 'carewindow-e2e-'))
  const path = join(directory, 'carewindow.db')
  const database: E2eDatabase = {
    dialect: 'sqlite',
    url: `sqlite:${path}`,
    count(table, where = {}) {
      // A connection of its own, as another process would have; WAL lets it read while carewindow writes.
      const connection = new BetterSqlite3(path, { fileMustExist: true })
      try {
        connection.pragma('busy_timeout = 5000')
        const columns = Object.keys(where)
        const filter = columns.length === 0 ? '' : ` where ${columns.map((c) => `${c} = ?`).join(' and ')}`
        const row = connection
          .prepare(`select count(*) as count from ${table}${filter}`)
          .get(...Object.values(where)) as { count: number }
        return Promise.resolve(row.count)
      } finally {
        connection.close()
      }
    },
    counts: () => countAll(database),
    execute(sql) {
      const connection = new BetterSqlite3(path, { fileMustExist: true })
      try {
        connection.pragma('busy_timeout = 5000')
        connection.exec(sql)
        return Promise.resolve()
      } finally {
        connection.close()
      }
    },
    async destroy() {
      await rm(directory, { recursive: true, force: true })
    },
  }
  return database
}

async function createPostgresDatabase(): Promise<E2eDatabase> {
  const schema = uniqueSchemaName()
  await withPostgresClient((client) => client.query(`create schema ${quoteSchema(schema)}`))
  const base = postgresUrl()
  const database: E2eDatabase = {
    dialect: 'postgres',
    url: `${base}${base.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`,
    count(table, where = {}) {
      const columns = Object.keys(where)
      const filter =
        columns.length === 0 ? '' : ` where ${columns.map((c, i) => `${c} = $${i + 1}`).join(' and ')}`
      return withPostgresClient(async (client) => {
        const result = await client.query<{ count: number }>(
          `select count(*)::int as count from ${quoteSchema(schema)}.${table}${filter}`,
          Object.values(where),
        )
        return result.rows[0]?.count ?? 0
      })
    },
    counts: () => countAll(database),
    execute: (sql) =>
      withPostgresClient(async (client) => {
        await client.query(`set search_path to ${quoteSchema(schema)}`)
        await client.query(sql)
      }),
    destroy: () => dropSchema(schema),
  }
  return database
}

async function countAll(database: E2eDatabase): Promise<Record<CountedTable, number>> {
  const entries = await Promise.all(
    COUNTED_TABLES.map(async (table) => [table, await database.count(table)] as const),
  )
  return Object.fromEntries(entries) as Record<CountedTable, number>
}
