import type { FastifyInstance } from 'fastify'
import type { Gateway } from '../../gateway/gateway.js'
import { repeatLimiterOf } from '../../shared/logging.js'
import { STORE_RETRY_AFTER_SECONDS } from '../error-handler.js'

const statusBody = (value: string, description: string) => ({
  type: 'object',
  description,
  properties: { status: { type: 'string', const: value } },
  required: ['status'],
})

const HEALTH_SCHEMA = {
  operationId: 'getHealth',
  summary: 'Whether the process answers',
  description: 'For liveness probes: it answers as long as the process runs, whatever the database does.',
  tags: ['operations'],
  security: [],
  response: { 200: statusBody('ok', 'The process answers') },
}

const READINESS_SCHEMA = {
  operationId: 'getReadiness',
  summary: 'Whether the database answers',
  description:
    'For readiness probes and load balancers. Open to anyone who can reach the port, so it says only that the database is unreachable; why is in the log.',
  tags: ['operations'],
  security: [],
  response: {
    200: statusBody('ready', 'The database answers'),
    503: {
      description: 'The database cannot be reached.',
      headers: { 'Retry-After': { type: 'integer', description: 'Seconds to wait before asking again' } },
      type: 'object',
      properties: {
        status: { type: 'string', const: 'unavailable' },
        details: { type: 'string', const: 'database unreachable' },
      },
      required: ['status', 'details'],
    },
  },
}

const METRICS_SCHEMA = {
  operationId: 'getMetrics',
  summary: 'Prometheus metrics',
  description:
    'Requests, decisions, webhooks, the inbox, the outbox, dead letters and the process, in Prometheus’ text format.',
  tags: ['operations'],
  security: [],
  response: {
    200: {
      description: 'The metrics',
      content: { 'text/plain': { schema: { type: 'string' }, example: 'carewindow_decisions_total{…} 42' } },
    },
  },
}

/**
 * `/healthz` (the process answers), `/readyz` (the store answers), `/metrics` (Prometheus). `/readyz` is open to
 * anyone who can reach the port, so it says only that the database is unreachable; why (host, database name, the
 * driver's message) goes to the log — once, then once per interval with a count, however often it is polled.
 */
export function registerOperationsRoutes(app: FastifyInstance, gateway: Gateway): void {
  const repeats = repeatLimiterOf(gateway.logger)
  app.get('/healthz', { schema: HEALTH_SCHEMA }, () => ({ status: 'ok' }))
  app.get('/readyz', { schema: READINESS_SCHEMA }, async (_request, reply) => {
    try {
      await gateway.store.ping()
      return { status: 'ready' }
    } catch (error) {
      repeats.log(gateway.logger, 'error', { err: error }, 'readiness check failed: database unreachable')
      return reply
        .status(503)
        .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        .send({ status: 'unavailable', details: 'database unreachable' })
    }
  })
  app.get('/metrics', { schema: METRICS_SCHEMA }, async (_request, reply) =>
    reply.type(gateway.metrics.registry.contentType).send(await gateway.metrics.registry.metrics()),
  )
}
