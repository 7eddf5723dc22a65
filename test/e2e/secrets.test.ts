import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliOutput } from '../../src/cli/main.js'
import { resolveConfig } from '../../src/config/config.js'
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
  PHONE_NUMBER_ID,
  TestClock,
  testConfigFile,
  ticketUpdate,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'

const WEBHOOK_PASSWORD = 's3cret-basic-pass'
const WEBHOOK_TOKEN = 't0ken-in-the-query'

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

function postSigned(url: string, body: string, secret: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, secret) },
    body,
  })
}

describe('secrets stay out of logs, errors, storage and Graph', { timeout: 60_000 }, () => {
  let database: E2eDatabase
  let graph: FakeGraph
  let server: RunningServer
  let log: CapturedLog
  let receiver: Awaited<ReturnType<typeof failingReceiver>>
  let scratch: string
  const clock = new TestClock()
  const cleanup = new Cleanup()

  beforeAll(async () => {
    database = await createE2eDatabase('sqlite')
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
      const body = inboundTextNotification({ from: '31611111111', id: 'wamid.secrets-1', atMs: clock.now() })
      const stored = await postSigned(`${server.url}/webhooks/whatsapp`, body, APP_SECRET)
      expect(stored.status).toBe(200)

      const givenUp = await waitFor('the delivery to be given up', () => log.about('delivery given up')[0])

      const printed = `http://hooks:***@127.0.0.1:${receiver.port}/hooks?token=***`
      expect(givenUp.problem).toBe(`${printed} answered 500`)
      expect(log.text()).not.toContain(WEBHOOK_PASSWORD)
      expect(log.text()).not.toContain(WEBHOOK_TOKEN)
      const dead = await database.count('webhook_deliveries', { status: 'dead' })
      expect(dead).toBeGreaterThan(0)
      expect(await database.count('webhook_deliveries', { last_error: `${printed} answered 500` })).toBe(dead)
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
})
