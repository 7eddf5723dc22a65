import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliOutput } from '../../src/cli/main.js'
import { resolveConfig } from '../../src/config/config.js'
import { DIRECTORY_TTL_MS } from '../../src/gateway/directory.js'
import { generateApiKey, hashApiKey, keyPrefix, randomId } from '../../src/shared/ids.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import { listenLocally } from '../support/local-server.js'
import { captureLog, type CapturedLog } from '../support/log-capture.js'
import {
  API_KEY,
  APP_SECRET,
  CHANNEL_ACCESS_TOKEN,
  Cleanup,
  createE2eDatabase,
  type E2eDatabase,
  inboundTextNotification,
  metaSignature,
  OTHER_APP_SECRET,
  OTHER_TENANT_PHONE_NUMBER_ID,
  PHONE_NUMBER_ID,
  TENANT,
  TestClock,
  testConfigFile,
  ticketUpdate,
  VERIFY_TOKEN,
  windowOf,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'

const WEBHOOK_PASSWORD = 's3cret-basic-pass'
const WEBHOOK_TOKEN = 't0ken-in-the-query'
/** The other tenant's channel's verify_token (see the test config). */
const OTHER_VERIFY_TOKEN = 'globex-verify-token'

/** A business's webhook endpoint that answers 500 to everything, recording the URL and headers it got. */
async function failingReceiver(cleanup: Cleanup) {
  const seen: { readonly url: string; readonly headers: IncomingHttpHeaders }[] = []
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers })
    request.resume()
    request.on('end', () => {
      response.writeHead(500).end('not now')
    })
  })
  const port = await listenLocally(server)
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  )
  return { port, seen }
}

/** Runs `carewindow …` in-process, as the CLI would in a process of its own (it opens its own store). */
async function carewindow(...args: string[]): Promise<{ readonly code: number; readonly stdout: string }> {
  let stdout = ''
  const output: CliOutput = {
    out: (text) => {
      stdout += text
    },
    err: () => undefined,
  }
  const code = await runCli(['node', 'carewindow', ...args], output)
  return { code, stdout }
}

function handshake(path: string, token: string): Promise<Response> {
  const query = new URLSearchParams({
    'hub.mode': 'subscribe',
    'hub.verify_token': token,
    'hub.challenge': '1158201444',
  })
  return fetch(`${path}?${query.toString()}`)
}

function postSigned(url: string, body: string, secret: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, secret) },
    body,
  })
}

describe.each(['sqlite', 'postgres'] as const)(
  'secrets stay out of logs, errors, storage and Graph (%s)',
  { timeout: 60_000 },
  (dialect) => {
    let database: E2eDatabase
    let graph: FakeGraph
    let server: RunningServer
    let log: CapturedLog
    let receiver: Awaited<ReturnType<typeof failingReceiver>>
    let scratch: string
    const clock = new TestClock()
    const cleanup = new Cleanup()

    beforeAll(async () => {
      database = await createE2eDatabase(dialect)
      cleanup.add(() => database.destroy())
      graph = await FakeGraph.start()
      cleanup.add(() => graph.close())
      receiver = await failingReceiver(cleanup)
      scratch = await mkdtemp(join(tmpdir(), 'carewindow-secrets-'))
      cleanup.add(() => rm(scratch, { recursive: true, force: true }))
      const webhookUrl = `http://hooks:${WEBHOOK_PASSWORD}@127.0.0.1:${receiver.port}/hooks?token=${WEBHOOK_TOKEN}`
      const file = testConfigFile({ databaseUrl: database.url, graphUrl: graph.url, webhookUrl })
      log = captureLog()
      server = await startServer({
        config: resolveConfig({ ...file, outbox: { poll_interval_ms: 50, max_attempts: 1 } }, {}, null),
        logger: log.logger,
        clock: clock.now,
      })
      cleanup.add(() => server.close())
    })

    afterAll(() => cleanup.run())

    describe("a tenant's webhook URL", () => {
      it('keeps its password and query out of the "delivery given up" line and last_error, and still uses them', async () => {
        const body = inboundTextNotification({
          from: '31611111111',
          id: 'wamid.secrets-1',
          atMs: clock.now(),
        })
        const stored = await postSigned(`${server.url}/webhooks/whatsapp`, body, APP_SECRET)
        expect(stored.status).toBe(200)

        const givenUp = await waitFor('the delivery to be given up', () => log.about('delivery given up')[0])

        const printed = `http://hooks:***@127.0.0.1:${receiver.port}/hooks?token=***`
        expect(givenUp.problem).toBe(`${printed} answered 500`)
        expect(log.text()).not.toContain(WEBHOOK_PASSWORD)
        expect(log.text()).not.toContain(WEBHOOK_TOKEN)
        const dead = await database.count('webhook_deliveries', { status: 'dead' })
        expect(dead).toBeGreaterThan(0)
        expect(await database.count('webhook_deliveries', { last_error: `${printed} answered 500` })).toBe(
          dead,
        )
        // The receiver got the credentials: the password as HTTP Basic authentication, the query as it was.
        expect(receiver.seen[0]?.url).toBe(`/hooks?token=${WEBHOOK_TOKEN}`)
        expect(receiver.seen[0]?.headers.authorization).toBe(
          `Basic ${Buffer.from(`hooks:${WEBHOOK_PASSWORD}`).toString('base64')}`,
        )
      })

      it('is listed by the CLI without its credentials', async () => {
        const config = join(scratch, 'cli.json')
        await writeFile(config, JSON.stringify({ database: { url: database.url } }))

        const run = await carewindow('tenant', 'list', '--config', config)

        expect(run.code).toBe(0)
        expect(run.stdout).toContain(`http://hooks:***@127.0.0.1:${receiver.port}/hooks?token=***`)
        expect(run.stdout).not.toContain(WEBHOOK_PASSWORD)
        expect(run.stdout).not.toContain(WEBHOOK_TOKEN)
      })
    })

    describe('a WhatsApp send authenticated with access_token in its body', () => {
      it('forwards and stores the message without the carewindow key: only the channel’s token goes to Graph', async () => {
        graph.reset()
        const message = JSON.parse(ticketUpdate('31622222222', 'T-7')) as Record<string, unknown>
        const body = JSON.stringify({ ...message, access_token: API_KEY, appsecret_proof: 'a'.repeat(64) })

        const response = await fetch(`${server.url}/v21.0/${PHONE_NUMBER_ID}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })

        expect(response.status).toBe(200)
        const forwarded = graph.requests[0]
        expect(forwarded?.authorization).toBe(`Bearer ${CHANNEL_ACCESS_TOKEN}`)
        const forwardedBody = forwarded?.body.toString('utf8') ?? ''
        expect(forwardedBody).not.toContain(API_KEY)
        expect(JSON.parse(forwardedBody)).toEqual(message)
        const messageId = response.headers.get('x-carewindow-message-id') ?? ''
        const record = await server.gateway.store.getMessage(messageId)
        expect(record?.bodyJson).toBeDefined()
        expect(record?.bodyJson).not.toContain(API_KEY)
        expect(record?.bodyJson).not.toContain('appsecret_proof')
      })

      it('forwards a body without credentials byte for byte', async () => {
        graph.reset()
        const body = ticketUpdate('31622222222', 'T-8').replace('{', '{ ')

        const response = await fetch(`${server.url}/v21.0/${PHONE_NUMBER_ID}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
          body,
        })

        expect(response.status).toBe(200)
        expect(graph.requests[0]?.body.toString('utf8')).toBe(body)
      })
    })

    describe("Meta's verification handshake and notifications at a channel's own path", () => {
      it('answers the handshake for the channel’s own verify_token only', async () => {
        const own = await handshake(`${server.url}/webhooks/whatsapp/${PHONE_NUMBER_ID}`, VERIFY_TOKEN)
        const others = await handshake(
          `${server.url}/webhooks/whatsapp/${PHONE_NUMBER_ID}`,
          OTHER_VERIFY_TOKEN,
        )
        const unknown = await handshake(`${server.url}/webhooks/whatsapp/123456789`, VERIFY_TOKEN)

        expect([own.status, await own.text()]).toEqual([200, '1158201444'])
        expect(others.status).toBe(403)
        expect(unknown.status).toBe(403)
        // The platform's path takes any of its channels' tokens, as before.
        expect((await handshake(`${server.url}/webhooks/whatsapp`, OTHER_VERIFY_TOKEN)).status).toBe(200)
      })

      it('takes a notification signed with the channel’s app secret and applies it as the platform path does', async () => {
        const at = Math.floor(clock.now() / 1000) * 1000
        const body = inboundTextNotification({ from: '31633333333', id: 'wamid.secrets-own', atMs: at })

        const response = await postSigned(
          `${server.url}/webhooks/whatsapp/${PHONE_NUMBER_ID}`,
          body,
          APP_SECRET,
        )

        expect([response.status, await response.text()]).toEqual([200, 'EVENT_RECEIVED'])
        const window = await waitFor('the window to open', () =>
          windowOf(server, PHONE_NUMBER_ID, '31633333333'),
        )
        expect(window.lastUserMessageAt).toBe(at)
      })

      it('refuses with 401 and stores nothing when another channel’s app secret signed it', async () => {
        const before = await database.count('webhook_notifications')
        const body = inboundTextNotification({
          from: '31644444444',
          id: 'wamid.secrets-other',
          atMs: clock.now(),
          phoneNumberId: OTHER_TENANT_PHONE_NUMBER_ID,
        })

        const wrongChannel = await postSigned(
          `${server.url}/webhooks/whatsapp/${OTHER_TENANT_PHONE_NUMBER_ID}`,
          body,
          APP_SECRET,
        )
        const unknownChannel = await postSigned(`${server.url}/webhooks/whatsapp/123456789`, body, APP_SECRET)

        expect(wrongChannel.status).toBe(401)
        expect(unknownChannel.status).toBe(401)
        expect(await database.count('webhook_notifications')).toBe(before)
        // Signed with its own secret, the same notification is taken.
        const own = await postSigned(
          `${server.url}/webhooks/whatsapp/${OTHER_TENANT_PHONE_NUMBER_ID}`,
          body,
          OTHER_APP_SECRET,
        )
        expect(own.status).toBe(200)
      })
    })

    describe('a revoked API key', () => {
      async function newKey(): Promise<{ readonly id: string; readonly key: string }> {
        const key = generateApiKey()
        const id = randomId('key')
        await server.gateway.store.insertApiKey({
          id,
          tenantId: TENANT,
          name: 'to revoke',
          prefix: keyPrefix(key),
          keyHash: hashApiKey(key),
          role: 'admin',
          createdAt: clock.now(),
          revokedAt: null,
        })
        return { id, key }
      }

      const channels = (key: string) =>
        fetch(`${server.url}/v1/channels`, { headers: { authorization: `Bearer ${key}` } }).then(
          (response) => {
            void response.body?.cancel()
            return response.status
          },
        )

      it('stops working at once on the instance that revoked it, though its tenant was cached', async () => {
        const { id, key } = await newKey()
        expect(await channels(key)).toBe(200)

        expect(await server.gateway.directory.revokeApiKey(id)).toBe(true)

        expect(await channels(key)).toBe(401)
      })

      it('stops working within the directory’s cache lifetime when another process (the CLI) revoked it', async () => {
        const { id, key } = await newKey()
        expect(await channels(key)).toBe(200)
        const config = join(scratch, 'cli.json')
        await writeFile(config, JSON.stringify({ database: { url: database.url } }))

        const run = await carewindow('key', 'revoke', '--id', id, '--config', config)
        clock.advance(DIRECTORY_TTL_MS)

        expect(run.code).toBe(0)
        expect(await channels(key)).toBe(401)
      })
    })
  },
)
