import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Gateway } from '../gateway/gateway.js'
import { GatewayError } from '../shared/errors.js'
import { randomId } from '../shared/ids.js'
import { parseBoundedJson } from '../channels/bounded-json.js'
import { registerNulGuard } from './nul-guard.js'
import { recordRouteAccess } from './route-access.js'
import { swaggerOptions } from './openapi/document.js'
import { answerClientError, registerErrorHandler } from './error-handler.js'
import { registerNativeApiRoutes } from './routes/native-api.js'
import { registerOperationsRoutes } from './routes/operations.js'
import { registerSandboxRoutes } from './routes/sandbox.js'
import { registerGraphProxyRoutes } from './routes/graph-proxy.js'
import { registerGraphPassthroughRoutes } from './routes/graph-passthrough.js'
import { registerWebhookRoutes } from './routes/webhooks.js'
import { EventStreams, type EventStreamOptions } from './live/event-streams.js'
import { registerDashboardRoutes } from './routes/dashboard.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (signatures are checked over it; allowed sends forward it unchanged). */
    rawBody: Buffer | null
  }
}

export interface AppOptions {
  readonly gateway: Gateway
  /** Log every request (at info); off keeps the hot paths quiet. */
  readonly logRequests?: boolean
  readonly version?: string
  /** Live event streams (`GET /v1/events/stream`): how many at most, how often a heartbeat. */
  readonly eventStreams?: EventStreamOptions
  /** The built dashboard (`dist/web`); `null`: none (its pages then say how to build it). Default: found beside the server. */
  readonly dashboardDirectory?: string | null
}

/**
 * Builds the HTTP application without listening, so tests can `inject()` and `main.ts` can `listen()`.
 * Routes: the Graph-compatible send endpoints, Meta webhooks, the native `/v1` API, operations endpoints
 * and the OpenAPI document with its browsable page at `/docs`.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { gateway } = options
  const app = Fastify({
    // pino's Logger and Fastify's logger type differ only in generics; the instance is the same.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: gateway.logger as FastifyBaseLogger,
    bodyLimit: gateway.config.bodyLimitBytes,
    // Every connection is bounded in time (docs/configuration.md, `server.*`): a request must arrive in full within
    // requestTimeout (408 otherwise, also for a body dribbled byte by byte); while it is handled the connection may
    // be silent for connectionTimeout, longer than a send may wait for Graph; idle, it is kept for keepAliveTimeout.
    requestTimeout: gateway.config.requestTimeoutMs,
    connectionTimeout: gateway.config.connectionTimeoutMs,
    keepAliveTimeout: gateway.config.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: gateway.config.maxHeaderBytes,
      headersTimeout: gateway.config.headersTimeoutMs,
      requestTimeout: gateway.config.requestTimeoutMs,
      // Node looks for requests past their time this often (every 30 s by default, which would let a slow request
      // run up to that much over).
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(gateway.config.headersTimeoutMs / 4)),
    },
    clientErrorHandler: answerClientError,
    // Clients see request ids as Graph's `fbtrace_id`.
    genReqId: () => randomId('req'),
    logController: new LogController({
      disableRequestLogging: options.logRequests !== true,
      requestIdLogLabel: 'request',
    }),
  })
  app.decorateRequest('rawBody', null)
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body
    if (body.length === 0) {
      done(null, undefined)
      return
    }
    // Bounded before it is parsed: every later walk over the body (validation, the NUL check) recurses.
    const parsed = parseBoundedJson(body)
    if (parsed.ok) done(null, parsed.value)
    else done(new GatewayError('INVALID_JSON', parsed.problem), undefined)
  })
  // Fastify parses text/plain by default; carewindow takes no text bodies, so they get 415 like any other type.
  app.removeContentTypeParser('text/plain')
  // Messenger's Send API also takes form fields, as in Meta's own curl examples.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      request.rawBody = body
      done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))))
    },
  )
  registerErrorHandler(app)
  registerNulGuard(app)
  recordRouteAccess(app)
  const observe = requestObserver(gateway)
  app.addHook('onResponse', (request, reply, done) => {
    observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime)
    gateway.noteAnswered()
    done()
  })
  // Response schemas document replies (docs/openapi.json); a reply is sent as the route made it, never trimmed to one.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await app.register(
    swagger,
    swaggerOptions({ version: options.version ?? 'dev', publicUrl: gateway.config.publicUrl }),
  )
  await app.register(swaggerUi, { routePrefix: '/docs' })
  registerOperationsRoutes(app, gateway)
  registerGraphProxyRoutes(app, gateway)
  registerGraphPassthroughRoutes(app, gateway)
  await registerWebhookRoutes(app, gateway)
  registerSandboxRoutes(app, gateway)
  const streams = new EventStreams(gateway.store, options.eventStreams)
  // Before the server closes: it would otherwise wait for every open stream to end.
  app.addHook('preClose', (done) => {
    streams.closeAll()
    done()
  })
  registerNativeApiRoutes(app, gateway, streams)
  await registerDashboardRoutes(app, options.dashboardDirectory)
  return app
}

/**
 * Counts a request and observes its duration. The labelled series are looked up once per method, route template
 * and status: hashing the labels on every request was a visible share of a webhook's cost.
 */
function requestObserver(
  gateway: Gateway,
): (method: string, route: string, status: number, elapsedMs: number) => void {
  const { httpRequests, httpDuration } = gateway.metrics
  const series = new Map<
    string,
    {
      readonly count: ReturnType<typeof httpRequests.labels>
      readonly duration: ReturnType<typeof httpDuration.labels>
    }
  >()
  return (method, route, status, elapsedMs) => {
    const key = `${method} ${status} ${route}`
    let known = series.get(key)
    if (known === undefined) {
      known = {
        count: httpRequests.labels({ method, route, status: String(status) }),
        duration: httpDuration.labels({ method, route }),
      }
      series.set(key, known)
    }
    known.count.inc()
    known.duration.observe(elapsedMs / 1000)
  }
}
