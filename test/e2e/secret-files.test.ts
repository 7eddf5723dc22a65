import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeGraph } from '../support/fake-graph.js'
import { GatewayProcess } from '../support/gateway-process.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  inboundTextNotification,
  PHONE_NUMBER_ID,
  postWebhook,
  testConfigFile,
  ticketUpdate,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

/** The channel's token, in a file as Docker and Kubernetes mount secrets (with the newline `echo` leaves). */
const FILED_ACCESS_TOKEN = 'EAAGtokenReadFromASecretFile'
/** The tenant's webhook secret, from an environment variable the config file names. */
const WEBHOOK_SECRET_FROM_ENV = 'webhook-secret-from-the-environment'

describe('carewindow started with its secrets in files and variables', { timeout: 90_000 }, () => {
  let directory: string
  let databasePath: string
  let graph: FakeGraph
  let receiver: WebhookReceiver
  let gateway: GatewayProcess
  const cleanup = new Cleanup()

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-secret-files-'))
    cleanup.add(() => rm(directory, { recursive: true, force: true }))
    graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    receiver = await WebhookReceiver.start(WEBHOOK_SECRET_FROM_ENV)
    cleanup.add(() => receiver.close())

    databasePath = join(directory, 'carewindow.db')
    const databaseUrlPath = join(directory, 'database-url')
    await writeFile(databaseUrlPath, `sqlite:${databasePath}\n`)
    const tokenPath = join(directory, 'acme-access-token')
    await writeFile(tokenPath, `${FILED_ACCESS_TOKEN}\n`)

    // The test config, its database URL left to CAREWINDOW_DATABASE_URL_FILE and its secrets to references.
    const { database: _database, ...file } = testConfigFile({ databaseUrl: 'unused', graphUrl: graph.url })
    const [acme, ...others] = file.tenants as Record<string, unknown>[]
    const [main, ...channels] = acme?.channels as Record<string, unknown>[]
    const configPath = join(directory, 'carewindow.json')
    await writeFile(
      configPath,
      JSON.stringify({
        ...file,
        log_level: 'info',
        tenants: [
          {
            ...acme,
            webhook: { url: receiver.url, secret: { env: 'ACME_WEBHOOK_SECRET' } },
            channels: [
              {
                ...main,
                upstream: { mode: 'cloud', base_url: graph.url, access_token: { file: tokenPath } },
              },
              ...channels,
            ],
          },
          ...others,
        ],
      }),
    )

    gateway = await GatewayProcess.start(configPath, {
      env: { CAREWINDOW_DATABASE_URL_FILE: databaseUrlPath, ACME_WEBHOOK_SECRET: WEBHOOK_SECRET_FROM_ENV },
    })
    cleanup.add(() => gateway.stop())
  })

  afterAll(() => cleanup.run())

  it('forwards a send to Graph with the token read from the file', async () => {
    const response = await fetch(`${gateway.url}/v21.0/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: ticketUpdate('31622222222', 'T-1'),
    })

    expect(response.status).toBe(200)
    expect(graph.requests.map((request) => request.authorization)).toEqual([`Bearer ${FILED_ACCESS_TOKEN}`])
  })

  it('signs relays to the business with the webhook secret read from the environment', async () => {
    const body = inboundTextNotification({
      from: '31633333333',
      id: 'wamid.secret-files-1',
      atMs: Date.now(),
    })

    expect((await postWebhook(gateway.url, body, { secret: APP_SECRET })).status).toBe(200)

    const relay = await waitFor('the relay', () =>
      receiver.delivered.find((delivery) => delivery.body.toString('utf8') === body),
    )
    expect(relay.isSignatureValid).toBe(true)
    expect(receiver.attempts.every((attempt) => attempt.isSignatureValid)).toBe(true)
  })

  it('keeps its data in the database the URL file names', () => {
    const database = new BetterSqlite3(databasePath, { readonly: true, fileMustExist: true })
    try {
      const row = database.prepare('select count(*) as count from messages').get() as { count: number }
      expect(row.count).toBeGreaterThanOrEqual(2)
    } finally {
      database.close()
    }
  })

  it('prints neither secret', () => {
    expect(gateway.log()).not.toContain(FILED_ACCESS_TOKEN)
    expect(gateway.log()).not.toContain(WEBHOOK_SECRET_FROM_ENV)
  })
})
