import { createHmac } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import messenger from 'messaging-api-messenger'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { NEW_CONTACT, windowAt } from '../../src/domain/index.js'
import { createLogger } from '../../src/shared/logging.js'
import { windowJson } from '../../src/representations/decision-json.js'
import { startServer, type RunningServer } from '../../src/server.js'
import type { ChannelRecord } from '../../src/store/store.js'
import { FakeMessengerGraph, type MessengerGraphRequest } from '../support/fake-messenger-graph.js'
import { postgresUrl, quoteSchema, uniqueSchemaName, withPostgresClient } from '../support/postgres.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'
import {
  ATTACHMENT_EXAMPLE_AT,
  ATTACHMENT_EXAMPLE_MID,
  attachmentExample,
  EXAMPLE_PAGE_ID,
  TEXT_EXAMPLE_AT,
  TEXT_EXAMPLE_MID,
  textExample,
} from './fixtures/messenger-examples.js'

const { MessengerClient } = messenger
type MessengerClientInstance = InstanceType<typeof MessengerClient>
type MessageTag = NonNullable<Parameters<MessengerClientInstance['sendText']>[2]>['tag']

/** A pre-2020 tag; the client's types (v1.x) only list the 2020 ones, but old integrations still send it. */
const LEGACY_TAG = 'SHIPPING_UPDATE' as MessageTag

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** One Meta app serves the three Pages; Meta signs their webhooks with its secret. */
const APP_SECRET = 'acme-meta-app-secret-messenger'
const VERIFY_TOKEN = 'acme-messenger-verify-token'
const BUSINESS_WEBHOOK_SECRET = 'acme-business-webhook-secret-0001'

/** A tenant with one Messenger Page, so its clients can use `/me/messages`. */
interface PageTenant {
  readonly tenantId: string
  readonly pageId: string
  /** The carewindow API key its clients send as `access_token`. */
  readonly apiKey: string
  /** The Page access token carewindow holds and forwards with: the one Graph must see. */
  readonly pageToken: string
  readonly settings: Readonly<Record<string, unknown>>
}

/** Default settings: the brief's +1 cut-off (2020-01-15), no auto-tagging. Its Page is Meta's example Page. */
const ACME: PageTenant = {
  tenantId: 'acme',
  pageId: EXAMPLE_PAGE_ID,
  apiKey: 'cw_test_acme_messenger_key_0123456789',
  pageToken: 'EAAGacmePageAccessToken0001',
  settings: {},
}
/** The same business's second brand, whose Page follows Meta's own cut-off (2020-03-04). */
const META_DATES: PageTenant = {
  tenantId: 'acme-meta-dates',
  pageId: '105029375683429',
  apiKey: 'cw_test_acme_meta_dates_key_0123456789',
  pageToken: 'EAAGacmeMetaDatesPageToken0002',
  settings: { messenger_plus_one_cutoff: 'meta' },
}
/** A support desk whose agents' late replies carewindow tags HUMAN_AGENT itself. */
const AGENTS: PageTenant = {
  tenantId: 'acme-agents',
  pageId: '109876543210987',
  apiKey: 'cw_test_acme_agents_key_0123456789ab',
  pageToken: 'EAAGacmeAgentsPageToken0003',
  settings: { auto_human_agent_tag: true },
}

type Dialect = 'sqlite' | 'postgres'
type CountedTable = 'messages' | 'webhook_notifications'

/** carewindow's database for one suite, read behind its back to count rows. */
interface TestDatabase {
  readonly url: string
  count(table: CountedTable): Promise<number>
  destroy(): Promise<void>
}

async function createDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-messenger-'))
    const path = join(directory, 'carewindow.db')
    return {
      url: `sqlite:${path}`,
      count(table) {
        const connection = new BetterSqlite3(path, { fileMustExist: true })
        try {
          connection.pragma('busy_timeout = 5000')
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
  await withPostgresClient((client) => client.query(`create schema ${quoteSchema(schema)}`))
  const base = postgresUrl()
  return {
    url: `${base}${base.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`,
    count: (table) =>
      withPostgresClient(async (client) => {
        const result = await client.query<{ count: number }>(
          `select count(*)::int as count from ${quoteSchema(schema)}.${table}`,
        )
        return result.rows[0]?.count ?? 0
      }),
    async destroy() {
      await withPostgresClient((client) =>
        client.query(`drop schema if exists ${quoteSchema(schema)} cascade`),
      )
    },
  }
}

function configFile(databaseUrl: string, graphUrl: string, webhookUrl: string): Record<string, unknown> {
  const tenant = (page: PageTenant, extra: Record<string, unknown> = {}) => ({
    id: page.tenantId,
    api_keys: [{ name: 'test', key: page.apiKey }],
    channels: [
      {
        platform: 'messenger',
        id: page.pageId,
        upstream: { mode: 'cloud', base_url: graphUrl, access_token: page.pageToken },
        app_secret: APP_SECRET,
        verify_token: VERIFY_TOKEN,
        settings: page.settings,
      },
    ],
    ...extra,
  })
  return {
    database: { url: databaseUrl },
    server: { port: 0 },
    upstream: { timeout_ms: 10_000, retries: 0 },
    outbox: { poll_interval_ms: 50, backoff_base_ms: 20 },
    tenants: [
      tenant(ACME, { webhook: { url: webhookUrl, secret: BUSINESS_WEBHOOK_SECRET } }),
      tenant(META_DATES),
      tenant(AGENTS),
    ],
  }
}

/** Meta's `X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret, lowercase hex. */
function metaSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** What a client with this app secret sends as `appsecret_proof` for this token. */
function appsecretProof(token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('hex')
}

function utc(iso: string): number {
  return Date.parse(iso)
}

function iso(instant: number): string {
  return new Date(instant).toISOString()
}

/** A Page webhook notification (`object: page`) with the given events for one Page. */
function pageNotification(pageId: string, events: readonly object[], atMs: number): string {
  return JSON.stringify({ object: 'page', entry: [{ id: pageId, time: atMs + 500, messaging: events }] })
}

/** A user's text message event, as Meta sends it. */
function userMessage(
  psid: string,
  pageId: string,
  atMs: number,
  extra: Record<string, unknown> = {},
): object {
  return {
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp: atMs,
    message: { mid: `m_${psid}_${atMs}`, text: 'Hi, is my order on its way?', ...extra },
  }
}

/** A business's answer as the client saw it. */
interface ClientAnswer {
  readonly url: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
}

/**
 * A business's unchanged `messaging-api-messenger` client, pointed at carewindow with `origin`: it posts to
 * `/v6.0/me/messages?access_token=<carewindow key>&appsecret_proof=<proof>`. An agent's client marks every
 * message with `X-Carewindow-Sender: agent` through the client's own axios instance.
 */
interface PageClient {
  readonly client: MessengerClientInstance
  readonly answers: ClientAnswer[]
}

/** What carewindow answered when it refused a message, read from the client's error. */
interface Refusal {
  readonly status: number
  readonly code: number
  readonly subcode: number | undefined
  readonly details: string
}

/** Awaits a send that carewindow must refuse and returns the Graph error the client got. */
async function refusalOf(sending: Promise<unknown>): Promise<Refusal> {
  try {
    await sending
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response
    if (response === undefined) throw error
    // The client camel-cases Graph's keys (error_subcode → errorSubcode) before handing them over.
    const graph = (
      response.data as {
        error: { code: number; errorSubcode?: number; errorData?: { details?: string } }
      }
    ).error
    return {
      status: response.status,
      code: graph.code,
      subcode: graph.errorSubcode,
      details: graph.errorData?.details ?? '',
    }
  }
  throw new Error('carewindow sent a message it should have refused')
}

const OUTSIDE_WINDOW = { status: 400, code: 10, subcode: 2_018_278 }
const INVALID_PARAMETER = { status: 400, code: 100, subcode: undefined }

const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres']

for (const dialect of DIALECTS) {
  describe(
    `Messenger through carewindow, driven by messaging-api-messenger (${dialect})`,
    { timeout: 60_000 },
    () => {
      let database: TestDatabase
      let graph: FakeMessengerGraph
      let receiver: WebhookReceiver
      let server: RunningServer
      /** The fake clock: every instant carewindow reads. Set to the moment each webhook arrives or each send happens. */
      let now = TEXT_EXAMPLE_AT
      const clock = () => now

      const start = () =>
        startServer({
          config: resolveConfig(configFile(database.url, graph.url, receiver.url), {}, null),
          logger: createLogger('silent'),
          clock,
        })

      beforeAll(async () => {
        database = await createDatabase(dialect)
        graph = await FakeMessengerGraph.start()
        receiver = await WebhookReceiver.start(BUSINESS_WEBHOOK_SECRET)
        server = await start()
      })

      afterAll(async () => {
        await server.close()
        await receiver.close()
        await graph.close()
        await database.destroy()
      })

      function clientOf(
        page: PageTenant,
        options: { asAgent?: boolean; appSecret?: string } = {},
      ): PageClient {
        const client = new MessengerClient({
          accessToken: page.apiKey,
          appSecret: options.appSecret ?? APP_SECRET,
          origin: server.url,
          version: '6.0',
        })
        // axios types its default headers loosely; every request of this client carries the marker.
        if (options.asAgent === true)
          (client.axios.defaults.headers as Record<string, string>)['X-Carewindow-Sender'] = 'agent'
        const answers: ClientAnswer[] = []
        const record = (response: { status: number; headers: unknown; config: { url?: string } }) =>
          answers.push({
            url: response.config.url ?? '',
            status: response.status,
            headers: response.headers as Record<string, string>,
          })
        client.axios.interceptors.response.use(
          (response) => {
            record(response)
            return response
          },
          (error: Error) => {
            const response = (error as { response?: Parameters<typeof record>[0] }).response
            if (response !== undefined) record(response)
            return Promise.reject(error)
          },
        )
        return { client, answers }
      }

      /** Posts a notification to `/webhooks/messenger` like Meta: signed with `secret`, or with a given header, or none. */
      async function postWebhook(
        body: string,
        signing: { readonly secret: string } | { readonly signature: string } | null = { secret: APP_SECRET },
      ): Promise<{ status: number; text: string }> {
        const signature =
          signing === null
            ? undefined
            : 'secret' in signing
              ? metaSignature(body, signing.secret)
              : signing.signature
        const response = await fetch(`${server.url}/webhooks/messenger`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }),
          },
          body,
        })
        return { status: response.status, text: await response.text() }
      }

      /** The user writes at `atMs`; the notification reaches carewindow a second later. */
      async function userWrites(
        page: PageTenant,
        psid: string,
        atMs: number,
        extra?: Record<string, unknown>,
      ) {
        now = atMs + 1_000
        const answer = await postWebhook(
          pageNotification(page.pageId, [userMessage(psid, page.pageId, atMs, extra)], atMs),
        )
        expect(answer.status).toBe(200)
      }

      async function channelOf(page: PageTenant): Promise<ChannelRecord> {
        const channel = await server.gateway.store.findChannel('messenger', page.pageId)
        if (channel === undefined) throw new Error(`no Messenger channel ${page.pageId}`)
        return channel
      }

      /**
       * The contact's window now, as carewindow reports it: `GET /v1/channels/{page_id}/contacts/{psid}/window` when
       * the native API serves it, otherwise the same representation computed from the stored window.
       */
      async function windowNow(page: PageTenant, psid: string): Promise<Record<string, unknown>> {
        const route = '/v1/channels/:channelId/contacts/:contactId/window'
        if (server.app.hasRoute({ method: 'GET', url: route })) {
          const response = await fetch(`${server.url}/v1/channels/${page.pageId}/contacts/${psid}/window`, {
            headers: { authorization: `Bearer ${page.apiKey}` },
          })
          expect(response.status).toBe(200)
          return (await response.json()) as Record<string, unknown>
        }
        await server.gateway.inbox.drain()
        const channel = await channelOf(page)
        const stored = await server.gateway.store.getWindow(channel.id, psid)
        const { settings } = server.gateway.directory.policyOf(channel)
        return windowJson(windowAt('messenger', stored?.state ?? NEW_CONTACT, now, settings), now)
      }

      /** What the fake Graph received for one user. */
      const sentTo = (psid: string): MessengerGraphRequest[] => graph.sentTo(psid)

      describe("Meta's webhook examples and replies inside the window", () => {
        const TEXT_USER = '1254477777772919'
        const ATTACHMENT_USER = '1254477777772920'
        const QUIET_USER = '1254477777772921'

        it("accepts Meta's signed text message example, opens the window at its timestamp and relays it signed to the business", async () => {
          now = TEXT_EXAMPLE_AT + MINUTE_MS
          const body = textExample(TEXT_USER, ACME.pageId)
          const answer = await postWebhook(body)
          expect(answer).toEqual({ status: 200, text: 'EVENT_RECEIVED' })

          expect(await windowNow(ACME, TEXT_USER)).toMatchObject({
            state: 'open',
            type: 'messenger_standard',
            last_user_message_at: iso(TEXT_EXAMPLE_AT),
            expires_at: iso(TEXT_EXAMPLE_AT + DAY_MS),
          })
          const channel = await channelOf(ACME)
          const stored = await server.gateway.store.findMessageByExternalId(
            channel.id,
            'inbound',
            TEXT_EXAMPLE_MID,
          )
          expect(stored).toMatchObject({ contactId: TEXT_USER, at: TEXT_EXAMPLE_AT, status: 'received' })

          const relayed = await waitFor('the notification relayed to the business', () =>
            receiver.delivered.find((delivery) => delivery.body.toString('utf8') === body),
          )
          expect(relayed).toMatchObject({ isSignatureValid: true, event: 'messenger.notification' })
        })

        it('forwards a reply inside the window (RESPONSE) once, with the Page token and a fresh appsecret_proof instead of the carewindow key', async () => {
          now = TEXT_EXAMPLE_AT + 10 * MINUTE_MS
          const { client, answers } = clientOf(ACME)

          const result = await client.sendText(TEXT_USER, 'hello, world', { messagingType: 'RESPONSE' })

          const forwarded = sentTo(TEXT_USER)
          expect(forwarded).toHaveLength(1)
          const [request] = forwarded as [MessengerGraphRequest]
          expect(result).toEqual({ recipientId: TEXT_USER, messageId: request.messageId })
          expect(answers[0]?.url).toMatch(/^\/me\/messages\?/)
          expect(answers[0]?.headers['x-carewindow-decision']).toBe('IN_STANDARD_WINDOW')
          expect(request).toMatchObject({
            method: 'POST',
            path: `/v6.0/${ACME.pageId}/messages`,
            accessToken: ACME.pageToken,
            appsecretProof: appsecretProof(ACME.pageToken, APP_SECRET),
            contentType: 'application/json',
            fields: {
              messaging_type: 'RESPONSE',
              recipient: { id: TEXT_USER },
              message: { text: 'hello, world' },
            },
          })
          expect(Object.keys(request.query).sort()).toEqual(['access_token', 'appsecret_proof'])
          const everythingSent = `${request.rawBody} ${JSON.stringify(request.query)} ${request.authorization ?? ''}`
          expect(everythingSent).not.toContain(ACME.apiKey)
          expect(everythingSent).not.toContain(appsecretProof(ACME.apiKey, APP_SECRET))
        })

        it("accepts Meta's entry-with-attachment example and answers the user within the window", async () => {
          now = ATTACHMENT_EXAMPLE_AT + HOUR_MS
          expect(await postWebhook(attachmentExample(ATTACHMENT_USER))).toEqual({
            status: 200,
            text: 'EVENT_RECEIVED',
          })

          const { client } = clientOf(ACME)
          const result = await client.sendText(ATTACHMENT_USER, 'Thanks for the picture!')

          expect(result.recipientId).toBe(ATTACHMENT_USER)
          expect(sentTo(ATTACHMENT_USER).map((request) => request.fields.messaging_type)).toEqual(['UPDATE'])
          const channel = await channelOf(ACME)
          expect(
            await server.gateway.store.findMessageByExternalId(channel.id, 'inbound', ATTACHMENT_EXAMPLE_MID),
          ).toMatchObject({ contactId: ATTACHMENT_USER, at: ATTACHMENT_EXAMPLE_AT })
        })

        it('refuses unsigned and mis-signed notifications with 401 and stores nothing', async () => {
          now = ATTACHMENT_EXAMPLE_AT + 2 * HOUR_MS
          await server.gateway.inbox.drain()
          const before = [await database.count('webhook_notifications'), await database.count('messages')]
          const body = pageNotification(
            ACME.pageId,
            [userMessage(QUIET_USER, ACME.pageId, now - MINUTE_MS)],
            now - MINUTE_MS,
          )

          const answers = [
            await postWebhook(body, null),
            await postWebhook(body, { secret: 'another-meta-app-secret' }),
            await postWebhook(body, { signature: 'sha256=0123456789abcdef' }),
            await postWebhook(body, {
              signature: metaSignature(body, APP_SECRET).replace('sha256=', 'sha1='),
            }),
            await postWebhook(body.replace('Hi,', 'Hi!'), { signature: metaSignature(body, APP_SECRET) }),
          ]

          expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401])
          await server.gateway.inbox.drain()
          expect([await database.count('webhook_notifications'), await database.count('messages')]).toEqual(
            before,
          )
          expect(await windowNow(ACME, QUIET_USER)).toMatchObject({
            state: 'closed',
            last_user_message_at: null,
          })
        })

        it('refuses with 400 a signed notification with a timestamp or ids out of bounds, stores nothing, and the Page’s contacts still list', async () => {
          await server.gateway.inbox.drain()
          const before = [await database.count('webhook_notifications'), await database.count('messages')]
          const bodies = [
            pageNotification(ACME.pageId, [userMessage(QUIET_USER, ACME.pageId, -1e16)], now),
            pageNotification(
              ACME.pageId,
              [userMessage('7'.repeat(10_000), ACME.pageId, now - MINUTE_MS)],
              now,
            ),
            pageNotification(ACME.pageId, [userMessage(QUIET_USER, ACME.pageId, 1.5)], now),
          ]

          const answers = await Promise.all(bodies.map((body) => postWebhook(body)))

          expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400])
          expect(answers[0]?.text).toMatch(/timestamp: the timestamp must be between 2000-01-01/)
          expect(answers[1]?.text).toMatch(/sender\.id: it has 10000 characters; at most 64 are accepted/)
          expect(answers[2]?.text).toMatch(/timestamp: expected milliseconds since 1970 as a whole number/)
          await server.gateway.inbox.drain()
          expect([await database.count('webhook_notifications'), await database.count('messages')]).toEqual(
            before,
          )
          const contacts = await fetch(`${server.url}/v1/channels/${ACME.pageId}/contacts`, {
            headers: { authorization: `Bearer ${ACME.apiKey}` },
          })
          expect(contacts.status).toBe(200)
        })

        it('opens no window for an echo of the Page’s own message or a read receipt, and relays both to the business', async () => {
          now = ATTACHMENT_EXAMPLE_AT + 2 * HOUR_MS
          const at = now - MINUTE_MS
          const body = pageNotification(
            ACME.pageId,
            [
              {
                sender: { id: ACME.pageId },
                recipient: { id: QUIET_USER },
                timestamp: at,
                message: {
                  is_echo: true,
                  app_id: 1517776481860111,
                  mid: 'm_echo_1',
                  text: 'We are open 9–5.',
                },
              },
              {
                sender: { id: QUIET_USER },
                recipient: { id: ACME.pageId },
                timestamp: at + 1,
                read: { watermark: at },
              },
            ],
            at,
          )

          expect((await postWebhook(body)).status).toBe(200)

          expect(await windowNow(ACME, QUIET_USER)).toMatchObject({
            state: 'closed',
            last_user_message_at: null,
          })
          const refusal = await refusalOf(clientOf(ACME).client.sendText(QUIET_USER, 'Anything else?'))
          expect(refusal).toMatchObject(OUTSIDE_WINDOW)
          expect(sentTo(QUIET_USER)).toEqual([])
          const relayed = await waitFor('the echo and read receipt relayed to the business', () =>
            receiver.delivered.find((delivery) => delivery.body.toString('utf8') === body),
          )
          expect(relayed.isSignatureValid).toBe(true)
        })

        it("sends Meta's curl example form-encoded and forwards it form-encoded, without access_token in the body", async () => {
          now = ATTACHMENT_EXAMPLE_AT + 3 * HOUR_MS
          const body = [
            `recipient={'id':'${ATTACHMENT_USER}'}`,
            'messaging_type=RESPONSE',
            "message={'text':'hello, world'}",
            `access_token=${ACME.apiKey}`,
          ].join('&')

          const response = await fetch(`${server.url}/v25.0/${ACME.pageId}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          })

          expect(response.status).toBe(200)
          const forwarded = sentTo(ATTACHMENT_USER).at(-1)
          expect(await response.json()).toEqual({
            recipient_id: ATTACHMENT_USER,
            message_id: forwarded?.messageId,
          })
          expect(forwarded).toMatchObject({
            path: `/v25.0/${ACME.pageId}/messages`,
            contentType: 'application/x-www-form-urlencoded',
            accessToken: ACME.pageToken,
            appsecretProof: appsecretProof(ACME.pageToken, APP_SECRET),
            fields: {
              recipient: { id: ATTACHMENT_USER },
              messaging_type: 'RESPONSE',
              message: { text: 'hello, world' },
            },
          })
          const form = new URLSearchParams(forwarded?.rawBody)
          expect([...form.keys()].sort()).toEqual(['message', 'messaging_type', 'recipient'])
          expect(forwarded?.rawBody).not.toContain(ACME.apiKey)
        })

        it('takes carewindow_sender and a correct appsecret_proof out of a form body before forwarding it', async () => {
          now = ATTACHMENT_EXAMPLE_AT + 3 * HOUR_MS
          const form = new URLSearchParams({
            recipient: JSON.stringify({ id: ATTACHMENT_USER }),
            messaging_type: 'MESSAGE_TAG',
            tag: 'ISSUE_RESOLUTION',
            message: JSON.stringify({ text: 'A colleague will call you back.' }),
            carewindow_sender: 'agent',
            appsecret_proof: appsecretProof(ACME.apiKey, APP_SECRET),
          })

          const response = await fetch(
            `${server.url}/v6.0/${ACME.pageId}/messages?access_token=${ACME.apiKey}`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: form.toString(),
            },
          )

          expect(response.status).toBe(200)
          const forwarded = new URLSearchParams(sentTo(ATTACHMENT_USER).at(-1)?.rawBody)
          expect([...forwarded.keys()].sort()).toEqual(['message', 'messaging_type', 'recipient', 'tag'])
        })

        it('refuses a wrong appsecret_proof with 400 and sends nothing', async () => {
          now = ATTACHMENT_EXAMPLE_AT + 3 * HOUR_MS
          const sentBefore = graph.requests.length
          const { client } = clientOf(ACME, { appSecret: 'not-the-app-secret-of-this-page' })

          const refusal = await refusalOf(
            client.sendText(ATTACHMENT_USER, 'hello', { messagingType: 'RESPONSE' }),
          )

          expect(refusal).toMatchObject(INVALID_PARAMETER)
          expect(refusal.details).toContain('appsecret_proof')
          const response = await fetch(
            `${server.url}/v6.0/me/messages?access_token=${ACME.apiKey}&appsecret_proof=${'0'.repeat(64)}`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                recipient: { id: ATTACHMENT_USER },
                messaging_type: 'RESPONSE',
                message: { text: 'hello' },
              }),
            },
          )
          expect(response.status).toBe(400)
          expect(((await response.json()) as { error: { code: number } }).error.code).toBe(100)
          expect(graph.requests.length).toBe(sentBefore)
        })
      })

      describe('24+1 before the 2020 cut-off', () => {
        const USER = '2019000000000001'
        const USER_2020 = '2020000000000001'
        const firstMessageAt = utc('2019-06-03T10:00:00Z')

        it('allows one message without a tag after the window in 2019 and refuses a second with code 10 / subcode 2018278', async () => {
          await userWrites(ACME, USER, firstMessageAt)
          now = firstMessageAt + DAY_MS
          expect(await windowNow(ACME, USER)).toMatchObject({ state: 'closed', plus_one: 'available' })
          const { client, answers } = clientOf(ACME)

          await client.sendText(USER, 'Your parcel left our warehouse.', { messagingType: 'RESPONSE' })
          expect(answers.at(-1)?.headers['x-carewindow-decision']).toBe('PLUS_ONE')
          expect(await windowNow(ACME, USER)).toMatchObject({ plus_one: 'used' })

          now = firstMessageAt + DAY_MS + HOUR_MS
          expect(await refusalOf(client.sendText(USER, 'And it arrives tomorrow!'))).toMatchObject(
            OUTSIDE_WINDOW,
          )
          expect(sentTo(USER).map((request) => request.fields.message)).toEqual([
            { text: 'Your parcel left our warehouse.' },
          ])
        })

        it('still refuses the second +1 after carewindow restarts on the same database', async () => {
          await server.close()
          server = await start()
          now = firstMessageAt + DAY_MS + 2 * HOUR_MS

          const refusal = await refusalOf(
            clientOf(ACME).client.sendText(USER, 'Hello again', { messagingType: 'RESPONSE' }),
          )

          expect(refusal).toMatchObject(OUTSIDE_WINDOW)
          expect(sentTo(USER)).toHaveLength(1)
        })

        it('gives a new +1 after the user writes again', async () => {
          const secondMessageAt = firstMessageAt + 2 * DAY_MS
          await userWrites(ACME, USER, secondMessageAt)
          const { client } = clientOf(ACME)

          now = secondMessageAt + DAY_MS + 5 * MINUTE_MS
          await client.sendText(USER, 'Did the parcel arrive?', { messagingType: 'RESPONSE' })
          now += MINUTE_MS
          expect(await refusalOf(client.sendText(USER, 'Hello?'))).toMatchObject(OUTSIDE_WINDOW)

          expect(sentTo(USER)).toHaveLength(2)
        })

        it('keeps the +1 between 2020-01-15 and 2020-03-04 on a Page that follows Meta’s cut-off, but not on a Page that follows the brief', async () => {
          const at = utc('2020-02-07T10:00:00Z')
          now = at + 1_000
          const body = JSON.stringify({
            object: 'page',
            entry: [ACME, META_DATES].map((page) => ({
              id: page.pageId,
              time: at + 500,
              messaging: [userMessage(USER_2020, page.pageId, at)],
            })),
          })
          expect((await postWebhook(body)).status).toBe(200)
          now = at + 2 * DAY_MS

          expect(await windowNow(META_DATES, USER_2020)).toMatchObject({
            state: 'closed',
            plus_one: 'available',
          })
          expect(await windowNow(ACME, USER_2020)).toMatchObject({ state: 'closed', plus_one: 'expired' })
          const briefRefusal = await refusalOf(clientOf(ACME).client.sendText(USER_2020, 'Still interested?'))
          const result = await clientOf(META_DATES).client.sendText(USER_2020, 'Still interested?')

          expect(briefRefusal).toMatchObject(OUTSIDE_WINDOW)
          const forwarded = sentTo(USER_2020)
          expect(forwarded.map((request) => [request.pageId, request.accessToken])).toEqual([
            [META_DATES.pageId, META_DATES.pageToken],
          ])
          expect(result.messageId).toBe(forwarded[0]?.messageId)
        })
      })

      describe('after the 2020 policy change', () => {
        it('has no +1 in 2021, refuses a pre-2020 tag with code 100 and sends its replacement', async () => {
          const USER = '2021000000000001'
          const at = utc('2021-03-01T10:00:00Z')
          await userWrites(ACME, USER, at)
          now = at + 26 * HOUR_MS
          const { client } = clientOf(ACME)

          const plusOne = await refusalOf(
            client.sendText(USER, 'One more thing…', { messagingType: 'RESPONSE' }),
          )
          const legacyTag = await refusalOf(client.sendText(USER, 'Shipped!', { tag: LEGACY_TAG }))
          expect(sentTo(USER)).toEqual([])
          await client.sendText(USER, 'Shipped!', { tag: 'POST_PURCHASE_UPDATE' })

          expect(plusOne).toMatchObject(OUTSIDE_WINDOW)
          expect(legacyTag).toMatchObject(INVALID_PARAMETER)
          expect(legacyTag.details).toContain('POST_PURCHASE_UPDATE')
          expect(sentTo(USER).map((request) => [request.fields.messaging_type, request.fields.tag])).toEqual([
            ['MESSAGE_TAG', 'POST_PURCHASE_UPDATE'],
          ])
        })

        it('allows HUMAN_AGENT from a person on day 6 and refuses it from a bot with code 100', async () => {
          const USER = '2025000000000001'
          const at = utc('2025-05-01T10:00:00Z')
          await userWrites(ACME, USER, at)
          now = at + 6 * DAY_MS

          const botRefusal = await refusalOf(
            clientOf(ACME).client.sendText(USER, 'Automated follow-up', { tag: 'HUMAN_AGENT' }),
          )
          const agent = clientOf(ACME, { asAgent: true })
          await agent.client.sendText(USER, 'Hi, Sam from support here.', { tag: 'HUMAN_AGENT' })

          expect(botRefusal).toMatchObject(INVALID_PARAMETER)
          expect(agent.answers.at(-1)?.headers['x-carewindow-decision']).toBe('HUMAN_AGENT')
          expect(sentTo(USER).map((request) => [request.fields.messaging_type, request.fields.tag])).toEqual([
            ['MESSAGE_TAG', 'HUMAN_AGENT'],
          ])
        })

        it('refuses HUMAN_AGENT from a person on day 8 with code 10 / subcode 2018278', async () => {
          const USER = '2025000000000001'
          now = utc('2025-05-01T10:00:00Z') + 8 * DAY_MS

          const refusal = await refusalOf(
            clientOf(ACME, { asAgent: true }).client.sendText(USER, 'Sorry for the wait', {
              tag: 'HUMAN_AGENT',
            }),
          )

          expect(refusal).toMatchObject(OUTSIDE_WINDOW)
          expect(sentTo(USER)).toHaveLength(1)
        })

        it('answers a user who came from a click-to-Messenger ad on day 5, whose window is messenger_ad, while a normal user’s on day 3 is human_agent', async () => {
          const AD_USER = '2025000000000002'
          const NORMAL_USER = '2025000000000003'
          const at = utc('2025-07-01T10:00:00Z')
          await userWrites(ACME, AD_USER, at, {
            referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433', ref: 'summer-sale' },
          })
          await userWrites(ACME, NORMAL_USER, at)

          now = at + 3 * DAY_MS
          expect(await windowNow(ACME, NORMAL_USER)).toMatchObject({
            state: 'closed',
            type: 'human_agent',
            human_agent_expires_at: iso(at + 7 * DAY_MS),
            plus_one: 'expired',
          })
          now = at + 5 * DAY_MS
          expect(await windowNow(ACME, AD_USER)).toMatchObject({
            state: 'open',
            type: 'messenger_ad',
            expires_at: iso(at + 7 * DAY_MS),
          })
          await clientOf(ACME).client.sendText(AD_USER, 'Your summer-sale voucher is ready.', {
            messagingType: 'RESPONSE',
          })
          const refusal = await refusalOf(
            clientOf(ACME).client.sendText(NORMAL_USER, 'Your voucher is ready.'),
          )

          expect(sentTo(AD_USER)).toHaveLength(1)
          expect(refusal).toMatchObject(OUTSIDE_WINDOW)
          expect(sentTo(NORMAL_USER)).toEqual([])
        })
      })

      describe('auto-tagging an agent’s late reply (auto_human_agent_tag: true)', () => {
        const USER = '2025000000000004'
        const at = utc('2025-08-01T10:00:00Z')

        it('sends an agent’s RESPONSE on day 2 as MESSAGE_TAG / HUMAN_AGENT and says so in the reply and the stored decision', async () => {
          await userWrites(AGENTS, USER, at)
          now = at + 2 * DAY_MS
          const agent = clientOf(AGENTS, { asAgent: true })

          const result = await agent.client.sendText(USER, 'Sam here: your refund is on its way.', {
            messagingType: 'RESPONSE',
          })

          expect(agent.answers.at(-1)?.headers['x-carewindow-auto-tag']).toBe('HUMAN_AGENT')
          expect(sentTo(USER).map((request) => request.fields)).toEqual([
            {
              messaging_type: 'MESSAGE_TAG',
              tag: 'HUMAN_AGENT',
              recipient: { id: USER },
              message: { text: 'Sam here: your refund is on its way.' },
            },
          ])
          const channel = await channelOf(AGENTS)
          const stored = await server.gateway.store.findMessageByExternalId(
            channel.id,
            'outbound',
            result.messageId,
          )
          expect(stored).toMatchObject({ allowed: true, reason: 'HUMAN_AGENT', status: 'accepted' })
          const decision = JSON.parse(stored?.decisionJson ?? '{}') as { explanation?: string }
          expect(decision.explanation).toContain('carewindow added the tag itself')
        })

        it('refuses a bot’s late RESPONSE on the same Page with code 10 / subcode 2018278', async () => {
          now = at + 2 * DAY_MS + HOUR_MS

          const refusal = await refusalOf(
            clientOf(AGENTS).client.sendText(USER, 'Rate us!', { messagingType: 'RESPONSE' }),
          )

          expect(refusal).toMatchObject(OUTSIDE_WINDOW)
          expect(sentTo(USER)).toHaveLength(1)
        })

        it('leaves an agent’s reply inside the window untagged', async () => {
          await userWrites(AGENTS, USER, at + 3 * DAY_MS)
          now = at + 3 * DAY_MS + HOUR_MS
          const agent = clientOf(AGENTS, { asAgent: true })

          await agent.client.sendText(USER, 'Glad it arrived!', { messagingType: 'RESPONSE' })

          expect(agent.answers.at(-1)?.headers['x-carewindow-auto-tag']).toBeUndefined()
          expect(sentTo(USER).at(-1)?.fields).toEqual({
            messaging_type: 'RESPONSE',
            recipient: { id: USER },
            message: { text: 'Glad it arrived!' },
          })
        })
      })

      describe('reactions', () => {
        it('reopens the window each time the user reacts to the same message, and not when they take a reaction back', async () => {
          const USER = '2025000000000005'
          const at = utc('2025-09-01T10:00:00Z')
          await userWrites(ACME, USER, at)
          now = at + HOUR_MS
          const { messageId } = await clientOf(ACME).client.sendText(USER, 'Here is your invoice.', {
            messagingType: 'RESPONSE',
          })
          const react = async (atMs: number, action: 'react' | 'unreact', reaction: string) => {
            now = atMs + 1_000
            const event = {
              sender: { id: USER },
              recipient: { id: ACME.pageId },
              timestamp: atMs,
              reaction: { reaction, emoji: reaction === 'love' ? '❤' : '👍', action, mid: messageId },
            }
            expect((await postWebhook(pageNotification(ACME.pageId, [event], atMs))).status).toBe(200)
          }

          await react(at + 3 * DAY_MS, 'react', 'love')
          expect(await windowNow(ACME, USER)).toMatchObject({
            state: 'open',
            last_user_message_at: iso(at + 3 * DAY_MS),
          })
          await react(at + 6 * DAY_MS, 'unreact', 'love')
          expect(await windowNow(ACME, USER)).toMatchObject({ state: 'closed' })
          await react(at + 6 * DAY_MS + HOUR_MS, 'react', 'like')
          expect(await windowNow(ACME, USER)).toMatchObject({
            state: 'open',
            last_user_message_at: iso(at + 6 * DAY_MS + HOUR_MS),
          })
        })
      })

      describe('tag retirement on 2026-04-27', () => {
        it('allows ACCOUNT_UPDATE and POST_PURCHASE_UPDATE on 2026-04-26 and refuses them with code 100 from 2026-04-27', async () => {
          const USER = '2026000000000001'
          const at = utc('2026-04-20T10:00:00Z')
          await userWrites(ACME, USER, at)
          const { client } = clientOf(ACME)
          const agent = clientOf(ACME, { asAgent: true })

          now = utc('2026-04-27T00:00:00Z') - 1
          await client.sendText(USER, 'Your password was changed.', { tag: 'ACCOUNT_UPDATE' })
          await client.sendText(USER, 'Your order shipped.', { tag: 'POST_PURCHASE_UPDATE' })
          now = utc('2026-04-27T00:00:00Z')
          const accountUpdate = await refusalOf(
            client.sendText(USER, 'New sign-in.', { tag: 'ACCOUNT_UPDATE' }),
          )
          const postPurchase = await refusalOf(
            client.sendText(USER, 'Delivered.', { tag: 'POST_PURCHASE_UPDATE' }),
          )
          await agent.client.sendText(USER, 'Sam here, following up.', { tag: 'HUMAN_AGENT' })

          expect(accountUpdate).toMatchObject(INVALID_PARAMETER)
          expect(postPurchase).toMatchObject(INVALID_PARAMETER)
          expect(sentTo(USER).map((request) => request.fields.tag)).toEqual([
            'ACCOUNT_UPDATE',
            'POST_PURCHASE_UPDATE',
            'HUMAN_AGENT',
          ])
        })
      })
    },
  )
}
