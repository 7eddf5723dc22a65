import { GatewayError } from '../../src/shared/errors.js'
import { Agent, request as httpRequest } from 'node:http'
import { resolveConfig } from '../../src/config/config.js'
import { createLogger } from '../../src/shared/logging.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import { FakeMessengerGraph } from '../support/fake-messenger-graph.js'
import {
  createE2eDatabase,
  TestClock,
  WEBHOOK_SECRET,
  type Cleanup,
  type Dialect,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'
import { openChangeLog, type ChangeLog } from './change-log.js'
import { FUZZ_EPOCH, fuzzConfigFile } from './fuzz-config.js'

/** A request exactly as it goes on the wire (or into `inject`). */
export interface HttpRequest {
  readonly method: string
  /** Path and query, percent-encoded. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer | null
  /** Over a real socket, or through Fastify's `inject`. */
  readonly transport: 'socket' | 'inject'
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
}

/** What carewindow logged at warn or above: errors with their stacks. */
export interface LogEntry {
  readonly level: number
  readonly msg: string
  readonly err?: { readonly type?: string; readonly message?: string; readonly stack?: string }
}

/** pino's level of `error`. */
export const ERROR_LEVEL = 50

/** How long the background work one request started may take. */
const SETTLE_TIME_MS = 60_000

/** How long one request may take before it counts as unanswered. */
const ANSWER_TIMEOUT_MS = 30_000

/**
 * carewindow over a real socket on one store, with a fake Graph for each platform and a webhook receiver, and
 * what the fuzz suite needs around it: both transports, a change log of every row written, a way to let
 * background work settle, and the error logs.
 *
 * The scheduler's and the outbox's loops are stopped: {@link settle} runs them, so nothing writes between a
 * request and the check of what it wrote.
 */
export class FuzzTarget {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 })

  private constructor(
    readonly dialect: Dialect,
    readonly database: E2eDatabase,
    readonly server: RunningServer,
    readonly changes: ChangeLog,
    private readonly graph: FakeGraph,
    private readonly messengerGraph: FakeMessengerGraph,
    private readonly receiver: WebhookReceiver,
    /** Filled by carewindow's logger. */
    private readonly logs: LogEntry[],
  ) {}

  static async start(dialect: Dialect, cleanup: Cleanup): Promise<FuzzTarget> {
    const database = await createE2eDatabase(dialect)
    cleanup.add(() => database.destroy())
    const graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    const messengerGraph = await FakeMessengerGraph.start()
    cleanup.add(() => messengerGraph.close())
    const receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
    cleanup.add(() => receiver.close())
    const clock = new TestClock()
    clock.setTo(FUZZ_EPOCH)
    const logs: LogEntry[] = []
    const logger = createLogger('warn', {
      write(line: string) {
        logs.push(JSON.parse(line) as LogEntry)
      },
    })
    const config = resolveConfig(
      fuzzConfigFile({
        databaseUrl: database.url,
        graphUrl: graph.url,
        messengerGraphUrl: messengerGraph.url,
        webhookUrl: receiver.url,
      }),
      {},
      null,
    )
    const server = await startServer({ config, logger, clock: clock.now })
    cleanup.add(() => server.close())
    await server.gateway.scheduler.stop()
    await server.gateway.outbox.stop()
    const changes = await openChangeLog(dialect, database.url)
    cleanup.add(() => changes.close())
    const target = new FuzzTarget(dialect, database, server, changes, graph, messengerGraph, receiver, logs)
    cleanup.add(() => {
      target.agent.destroy()
    })
    return target
  }

  /** Sends a request over its transport; `null` when carewindow did not answer (connection lost, timeout). */
  async send(request: HttpRequest): Promise<HttpResponse | null> {
    return request.transport === 'inject' ? this.inject(request) : this.overSocket(request)
  }

  /** Whether `/healthz` answers 200 over the socket. */
  async isHealthy(): Promise<boolean> {
    const answer = await this.overSocket({
      method: 'GET',
      url: '/healthz',
      headers: {},
      body: null,
      transport: 'socket',
    })
    return answer?.status === 200
  }

  /**
   * Lets the background work a request started finish: notifications written and processed (a notification that keeps
   * failing is tried until the inbox gives up on it), due jobs run, due deliveries made — round after round while
   * any of them did something. False when work was still being done after a minute.
   */
  async settle(): Promise<boolean> {
    const { gateway } = this.server
    const deadline = performance.now() + SETTLE_TIME_MS
    while (performance.now() < deadline) {
      await gateway.writer.flushed()
      await gateway.outcomes.flushed()
      gateway.inbox.kick()
      // Longer than a decision may wait: a notification can take seconds to apply (a thousand preferences at once).
      const isDrained = await gateway.inbox
        .drain(undefined, { waitMs: Math.max(0, deadline - performance.now()) })
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof GatewayError && error.key === 'CONTACT_STATE_PENDING') return false
            throw error
          },
        )
      if (!isDrained) continue
      const jobs = await gateway.scheduler.runDue()
      let deliveries = 0
      for (let made = await gateway.outbox.deliverDue(); made > 0; made = await gateway.outbox.deliverDue())
        deliveries += made
      const pending = await gateway.store.countPendingNotifications()
      if (jobs === 0 && deliveries === 0 && pending === 0) return true
    }
    return false
  }

  /** The log entries since the last call. */
  takeLogs(): LogEntry[] {
    return this.logs.splice(0)
  }

  /** Forgets what the fakes recorded (they keep every request; long runs would fill memory). */
  forgetRecorded(): void {
    this.graph.reset()
    this.messengerGraph.reset()
    this.receiver.attempts.length = 0
  }

  private async inject(request: HttpRequest): Promise<HttpResponse | null> {
    try {
      const response = await this.server.app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers,
        ...(request.body === null ? {} : { payload: request.body }),
      })
      return {
        status: response.statusCode,
        headers: Object.fromEntries(
          Object.entries(response.headers).map(([name, value]) => [name, value?.toString()]),
        ),
        text: response.body,
      }
    } catch {
      return null
    }
  }

  /**
   * Sends over a kept-alive connection; when carewindow had closed that connection meanwhile (after a 431, or
   * idle), Node reports a reset before anything was answered: the request is sent again on a new connection, as
   * Node's documentation advises. A request that fails on a new connection got no answer.
   */
  private async overSocket(request: HttpRequest): Promise<HttpResponse | null> {
    const first = await this.attempt(request, this.agent)
    return first === 'retry'
      ? this.attempt(request, false).then((answer) => (answer === 'retry' ? null : answer))
      : first
  }

  private attempt(request: HttpRequest, agent: Agent | false): Promise<HttpResponse | null | 'retry'> {
    const url = new URL(this.server.url)
    return new Promise((resolve) => {
      let outgoing: ReturnType<typeof httpRequest>
      try {
        outgoing = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: request.method,
            path: request.url,
            headers: {
              ...request.headers,
              ...(request.body === null ? {} : { 'content-length': String(request.body.length) }),
            },
            agent,
            timeout: ANSWER_TIMEOUT_MS,
          },
          (response) => {
            const chunks: Buffer[] = []
            response.on('data', (chunk: Buffer) => chunks.push(chunk))
            response.on('end', () => {
              resolve({
                status: response.statusCode ?? 0,
                headers: Object.fromEntries(
                  Object.entries(response.headers).map(([name, value]) => [name, value?.toString()]),
                ),
                text: Buffer.concat(chunks).toString('utf8'),
              })
            })
            response.on('error', () => {
              resolve(null)
            })
          },
        )
      } catch {
        // The client itself refused the request (a header Node will not send): nothing reached carewindow.
        resolve({ status: 0, headers: {}, text: 'not sent: the HTTP client refused it' })
        return
      }
      outgoing.on('timeout', () => {
        outgoing.destroy()
        resolve(null)
      })
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        const isStale = outgoing.reusedSocket && ['ECONNRESET', 'EPIPE'].includes(error.code ?? '')
        resolve(isStale ? 'retry' : null)
      })
      outgoing.end(request.body ?? undefined)
    })
  }
}
