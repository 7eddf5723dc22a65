import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { repeatLimiterOf } from '../../src/shared/logging.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import { captureLog, type CapturedLog } from '../support/log-capture.js'
import { postgresUrl } from '../support/postgres.js'
import { TcpProxy } from '../support/tcp-proxy.js'
import {
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  type E2eDatabase,
  graphErrorOf,
  type HttpAnswer,
  inboundTextNotification,
  metaSignature,
  postMessage,
  postWebhook,
  testConfigFile,
  ticketUpdate,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'

/** What the error handler logs for a request the database could not serve. */
const UNAVAILABLE = 'database unavailable; answering 503'
const SCHEDULER_FAILED = 'scheduler round failed; retrying at the next poll'
const OUTBOX_FAILED = 'outbox round failed; retrying at the next poll'

const run = promisify(execFile)

let sequence = 0

function notification(): string {
  sequence++
  return inboundTextNotification({
    from: '31655555555',
    id: `wamid.outage-${sequence}`,
    atMs: Math.floor(Date.now() / 1000) * 1000,
  })
}

/** Posts `count` signed webhooks at once, over real sockets. */
function webhookStorm(serverUrl: string, count: number): Promise<HttpAnswer[]> {
  return Promise.all(
    Array.from({ length: count }, () => postWebhook(serverUrl, notification(), { secret: APP_SECRET })),
  )
}

/** An answer as the tests read it, from this process or another. */
interface Answer {
  readonly status: number
  readonly retryAfter: string | null
  readonly text: string
}

function answerOf(answer: HttpAnswer): Answer {
  return { status: answer.status, retryAfter: answer.headers.get('retry-after'), text: answer.text }
}

function expectRetryLater(answer: Answer): void {
  expect(answer.status).toBe(503)
  expect(answer.retryAfter).toBe('5')
  const error = graphErrorOf({ ...answer, headers: new Headers() })
  expect(error.code).toBe(2)
  expect(error.error_data?.details).toContain('cannot reach its database')
}

/**
 * Posts `count` signed webhooks at once from another process, as Meta would: its requests reach the kernel together
 * even while this process's event loop is blocked (SQLite's busy wait runs on it), so the server reads them together.
 */
async function webhookStormFromAnotherProcess(serverUrl: string, count: number): Promise<Answer[]> {
  const requests = Array.from({ length: count }, () => {
    const body = notification()
    return { body, signature: metaSignature(body, APP_SECRET) }
  })
  const script = `
    const requests = JSON.parse(process.argv[2])
    Promise.all(requests.map(async ({ body, signature }) => {
      const response = await fetch(process.argv[1], {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      })
      return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() }
    })).then((answers) => process.stdout.write(JSON.stringify(answers)))
  `
  const { stdout } = await run(process.execPath, [
    '-e',
    script,
    `${serverUrl}/webhooks/whatsapp`,
    JSON.stringify(requests),
  ])
  return JSON.parse(stdout) as Answer[]
}

/** The log's lines about `message`: the ones in full (the first of a run) and the counts of those left out. */
function linesAbout(log: CapturedLog, message: string) {
  const lines = log.about(message)
  return {
    total: lines.length,
    full: lines.filter((line) => line.repeated === undefined).length,
    repeated: lines.reduce((sum, line) => sum + (line.repeated ?? 0), 0),
  }
}

describe('a PostgreSQL that goes away', { timeout: 90_000 }, () => {
  let database: E2eDatabase
  let proxy: TcpProxy
  let server: RunningServer
  let log: CapturedLog
  const cleanup = new Cleanup()

  beforeAll(async () => {
    database = await createE2eDatabase('postgres')
    cleanup.add(() => database.destroy())
    const target = new URL(postgresUrl())
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
    cleanup.add(() => proxy.close())
    const graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    const viaProxy = new URL(database.url)
    viaProxy.host = `127.0.0.1:${proxy.port}`
    log = captureLog()
    const file = testConfigFile({ databaseUrl: viaProxy.toString(), graphUrl: graph.url })
    server = await startServer({ config: resolveConfig(file, {}, null), logger: log.logger })
    cleanup.add(() => server.close())
  })

  afterAll(() => cleanup.run())

  it('is ready, and takes webhooks, while the database answers', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    expect((await postWebhook(server.url, notification(), { secret: APP_SECRET })).status).toBe(200)
  })

  describe('while it is unreachable', () => {
    beforeAll(async () => {
      await proxy.cut()
    })

    it('answers webhooks 503 with Retry-After, so Meta retries them, and logs one line and a count, not hundreds', async () => {
      const storm = 200

      const answers = await webhookStorm(server.url, storm)

      for (const answer of answers) expectRetryLater(answerOf(answer))
      expect(log.text()).not.toContain('This is a bug')
      repeatLimiterOf(log.logger).flush(UNAVAILABLE)
      expect(linesAbout(log, UNAVAILABLE)).toEqual({ total: 2, full: 1, repeated: storm - 1 })
    })

    it('answers a send 503 with Retry-After, so the client retries it', async () => {
      expectRetryLater(answerOf(await postMessage(server.url, ticketUpdate('31655555555', 'T-9'))))
    })

    it('says only "database unreachable" on /readyz, and logs why', async () => {
      const response = await fetch(`${server.url}/readyz`)

      expect(response.status).toBe(503)
      expect(await response.json()).toEqual({ status: 'unavailable', details: 'database unreachable' })
      const line = log.about('readiness check failed: database unreachable')[0]
      expect(JSON.stringify(line?.err)).toMatch(/ECONNREFUSED|Connection terminated/)
    })

    it('logs the background loops’ failed polls once, then counts them', async () => {
      const repeats = repeatLimiterOf(log.logger)

      await waitFor('the scheduler and the outbox to fail a few more polls', () =>
        [SCHEDULER_FAILED, OUTBOX_FAILED].every((message) => repeats.suppressed(message) >= 3),
      )

      expect(linesAbout(log, SCHEDULER_FAILED).total).toBe(1)
      expect(linesAbout(log, OUTBOX_FAILED).total).toBe(1)
    })
  })

  describe('once it is back', () => {
    beforeAll(async () => {
      await proxy.restore()
    })

    it('is ready again and takes webhooks', async () => {
      await waitFor('/readyz to answer 200', async () => (await fetch(`${server.url}/readyz`)).status === 200)
      expect((await postWebhook(server.url, notification(), { secret: APP_SECRET })).status).toBe(200)
    })
  })
})

describe('a SQLite file another process holds locked', { timeout: 90_000 }, () => {
  let database: E2eDatabase
  let server: RunningServer
  let log: CapturedLog
  let locker: BetterSqlite3.Database
  const cleanup = new Cleanup()

  beforeAll(async () => {
    database = await createE2eDatabase('sqlite')
    cleanup.add(() => database.destroy())
    const graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    log = captureLog()
    const file = testConfigFile({ databaseUrl: database.url, graphUrl: graph.url })
    server = await startServer({ config: resolveConfig(file, {}, null), logger: log.logger })
    cleanup.add(() => server.close())
    // Only the requests touch the database here: each write waits out SQLite's busy timeout (5 s) on the event loop,
    // and the background loops' writes would each wait as long.
    await server.gateway.inbox.stop()
    await server.gateway.scheduler.stop()
    await server.gateway.outbox.stop()
    locker = new BetterSqlite3(database.url.replace(/^sqlite:/, ''))
    cleanup.add(() => locker.close())
  })

  afterAll(() => cleanup.run())

  it('answers webhooks 503 with Retry-After while the lock is held, logging one line and a count', async () => {
    const storm = 20
    locker.exec('begin exclusive')

    const answers = await webhookStormFromAnotherProcess(server.url, storm)
    locker.exec('rollback')

    for (const answer of answers) expectRetryLater(answer)
    repeatLimiterOf(log.logger).flush(UNAVAILABLE)
    expect(linesAbout(log, UNAVAILABLE)).toEqual({ total: 2, full: 1, repeated: storm - 1 })
    expect(JSON.stringify(log.about(UNAVAILABLE)[0]?.err)).toContain('SQLITE_BUSY')
  })

  it('takes them again once the lock is released', async () => {
    expect((await postWebhook(server.url, notification(), { secret: APP_SECRET })).status).toBe(200)
  })
})
