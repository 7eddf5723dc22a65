import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { signatureOf } from '../../src/channels/signature.js'
import { resolveConfig } from '../../src/config/config.js'
import { applyConfig } from '../../src/gateway/bootstrap.js'
import { Gateway } from '../../src/gateway/gateway.js'
import { buildApp } from '../../src/http/app.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'

/**
 * A carewindow app on a real store (a SQLite file or a PostgreSQL schema of its own) with a fake clock, and three
 * tenants: Acme (a WhatsApp number with templates, a Messenger Page, a cloud number), Globex (one number) and
 * Initech (one number that holds replies refused for a closed window).
 */

/** 2025-09-01 10:00 UTC: per-message pricing. */
export const T0 = Date.parse('2025-09-01T10:00:00Z')
export const HOUR = 3_600_000

export const ACME_KEY = 'cw_acme_test_key_0123456789'
export const GLOBEX_KEY = 'cw_globex_test_key_0123456789'
export const ACME_NUMBER = '106540352242922'
export const ACME_PAGE = '200000000000001'
export const ACME_CLOUD_NUMBER = '106540352242933'
export const GLOBEX_NUMBER = '106540352242999'
export const INITECH_KEY = 'cw_initech_test_key_0123456789'
/** A sandbox number with `hold_replies` on: free-form replies to a closed window are held (202). */
export const INITECH_NUMBER = '106540352242977'
export const HOLD_EXPIRY_HOURS = 72
export const ACME_APP_SECRET = 'acme-app-secret-1'
export const ACME_PAGE_SECRET = 'acme-page-secret-1'
export const CLOUD_ACCESS_TOKEN = 'EAAG-secret-cloud-token'

const templates = [
  {
    name: 'ticket_update',
    language: 'en',
    category: 'UTILITY',
    issue_resolution: true,
    body: 'We have updates regarding your ticket {{ticket_id}}.',
  },
  {
    name: 'spring_sale',
    language: 'en',
    category: 'MARKETING',
    body: 'Spring sale: {{1}} off everything until Sunday.',
    footer: 'Reply STOP to opt out',
  },
  { name: 'order_update', language: 'en', category: 'UTILITY', body: 'Your order {{1}} has shipped.' },
]

const configFile = {
  rate_cards: 'sample',
  sandbox: { status_delays_ms: [] },
  tenants: [
    {
      id: 'acme',
      api_keys: [{ key: ACME_KEY }],
      channels: [
        {
          platform: 'whatsapp',
          id: ACME_NUMBER,
          upstream: { mode: 'sandbox' },
          app_secret: ACME_APP_SECRET,
          verify_token: 'acme-verify-token',
          templates,
        },
        {
          platform: 'messenger',
          id: ACME_PAGE,
          upstream: { mode: 'sandbox' },
          app_secret: ACME_PAGE_SECRET,
          verify_token: 'acme-page-verify-token',
        },
        {
          platform: 'whatsapp',
          id: ACME_CLOUD_NUMBER,
          upstream: { mode: 'cloud', base_url: 'https://graph.example', access_token: CLOUD_ACCESS_TOKEN },
          app_secret: 'acme-cloud-secret-1',
          verify_token: 'acme-cloud-verify-token',
          settings: { issue_resolution_without_opt_in: false },
        },
      ],
    },
    {
      id: 'globex',
      api_keys: [{ key: GLOBEX_KEY }],
      channels: [
        {
          platform: 'whatsapp',
          id: GLOBEX_NUMBER,
          upstream: { mode: 'sandbox' },
          app_secret: 'globex-app-secret-1',
          verify_token: 'globex-verify-token',
          templates,
        },
      ],
    },
    {
      id: 'initech',
      api_keys: [{ key: INITECH_KEY }],
      channels: [
        {
          platform: 'whatsapp',
          id: INITECH_NUMBER,
          upstream: { mode: 'sandbox' },
          app_secret: 'initech-app-secret-1',
          verify_token: 'initech-verify-token',
          templates,
          automations: { hold_replies: { enabled: true, expire_after_hours: HOLD_EXPIRY_HOURS } },
        },
      ],
    },
  ],
}

export type Table = 'messages' | 'windows' | 'contacts' | 'consent_events' | 'templates'
/** The automations' tables, counted separately so that {@link Table} keeps meaning "what a dry run leaves alone". */
export type AutomationTable = 'cases' | 'held_messages' | 'jobs'

export interface Reply {
  readonly status: number
  /** The parsed JSON body. */
  readonly body: unknown
  readonly headers: Record<string, unknown>
}

export interface NativeApiFixture {
  readonly app: FastifyInstance
  readonly gateway: Gateway
  now(): number
  /** Moves the fake clock forward. */
  advance(ms: number): void
  /** Calls the API as Acme unless another key (or none) is given. */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options?: { readonly key?: string | null; readonly body?: unknown },
  ): Promise<Reply>
  /** A customer's message on Acme's sandbox number now (or at `at`), through the signed webhook path; its wamid. */
  customerWrites(from: string, at?: number): Promise<string>
  /** A user's message on Acme's Messenger Page, as Meta would post it (signed). */
  pageUserWrites(psid: string, at: number): Promise<void>
  /** Meta's status webhook for a message Acme's sandbox number sent. */
  metaReportsStatus(wamid: string, recipient: string, status: string, pricing: object): Promise<void>
  /** Rows in a table, counted past the store. */
  countRows(table: Table | AutomationTable): Promise<number>
  close(): Promise<void>
}

export type FixtureDialect = 'sqlite' | 'postgres'

export async function openFixture(dialect: FixtureDialect = 'sqlite'): Promise<NativeApiFixture> {
  let now = T0
  const clock = () => now
  const database = await openDatabase(dialect)
  const config = resolveConfig(configFile, {}, null)
  await applyConfig(database.store, config, clock)
  const gateway = new Gateway({ store: database.store, config, logger: pino({ level: 'silent' }), clock })
  const app = await buildApp({ gateway })

  const call: NativeApiFixture['call'] = async (method, url, options = {}) => {
    const key = options.key === undefined ? ACME_KEY : options.key
    const response = await app.inject({
      method,
      url,
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    })
    return {
      status: response.statusCode,
      body: response.body === '' ? undefined : (JSON.parse(response.body) as unknown),
      headers: response.headers,
    }
  }

  const postSigned = async (platform: 'whatsapp' | 'messenger', body: object, secret: string) => {
    const text = JSON.stringify(body)
    const response = await app.inject({
      method: 'POST',
      url: `/webhooks/${platform}`,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(text, secret) },
      payload: text,
    })
    if (response.statusCode !== 200) throw new Error(`webhook refused: ${response.body}`)
  }

  return {
    app,
    gateway,
    now: () => now,
    advance(ms) {
      now += ms
    },
    call,
    async customerWrites(from, at = now) {
      const reply = await call('POST', `/v1/sandbox/${ACME_NUMBER}/inbound`, {
        body: { from, text: 'Hi', at: new Date(at).toISOString() },
      })
      if (reply.status !== 202) throw new Error(`sandbox inbound refused: ${JSON.stringify(reply.body)}`)
      return (reply.body as { message_id: string }).message_id
    },
    pageUserWrites: (psid, at) =>
      postSigned(
        'messenger',
        {
          object: 'page',
          entry: [
            {
              id: ACME_PAGE,
              time: at,
              messaging: [
                {
                  sender: { id: psid },
                  recipient: { id: ACME_PAGE },
                  timestamp: at,
                  message: { mid: `m_${psid}_${at}`, text: 'Hello' },
                },
              ],
            },
          ],
        },
        ACME_PAGE_SECRET,
      ),
    metaReportsStatus: (wamid, recipient, status, pricing) =>
      postSigned(
        'whatsapp',
        {
          object: 'whatsapp_business_account',
          entry: [
            {
              id: 'waba-1',
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: ACME_NUMBER, phone_number_id: ACME_NUMBER },
                    statuses: [
                      {
                        id: wamid,
                        status,
                        timestamp: String(Math.floor(now / 1000)),
                        recipient_id: recipient,
                        pricing,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
        ACME_APP_SECRET,
      ),
    countRows: database.countRows,
    async close() {
      await app.close()
      await gateway.stop()
      await database.destroy()
    },
  }
}

interface TestDatabase {
  readonly store: Store
  readonly countRows: (table: Table | AutomationTable) => Promise<number>
  readonly destroy: () => Promise<void>
}

async function openDatabase(dialect: FixtureDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-native-api-'))
    const path = join(directory, 'carewindow.db')
    return {
      store: await openSqliteStore({ path }),
      countRows: (table) => {
        // A second connection, as another process would read the file.
        const connection = new BetterSqlite3(path, { readonly: true })
        try {
          const row = connection.prepare(`select count(*) as count from ${table}`).get() as { count: number }
          return Promise.resolve(row.count)
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
    countRows: (table) =>
      withPostgresClient(async (client) => {
        const result = await client.query<{ count: string }>(
          `select count(*) as count from ${quoteSchema(schema)}.${table}`,
        )
        return Number(result.rows[0]?.count)
      }),
    destroy: () => dropSchema(schema),
  }
}
