import type { FastifyInstance } from 'fastify'
import type { Gateway } from '../../gateway/gateway.js'
import { repeatLimiterOf } from '../../logging.js'
import { STORE_RETRY_AFTER_SECONDS } from '../error-handler.js'

/**
 * `/healthz` (the process answers), `/readyz` (the store answers), `/metrics` (Prometheus). `/readyz` is open to
 * anyone who can reach the port, so it says only that the database is unreachable; why (host, database name, the
 * driver's message) goes to the log — once, then once per interval with a count, however often it is polled.
 */
export function registerOperationsRoutes(app: FastifyInstance, gateway: Gateway): void {
  const hidden = { schema: { hide: true } }
  const repeats = repeatLimiterOf(gateway.logger)
  app.get('/healthz', hidden, () => ({ status: 'ok' }))
  app.get('/readyz', hidden, async (_request, reply) => {
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
  app.get('/metrics', hidden, async (_request, reply) =>
    reply.type(gateway.metrics.registry.contentType).send(await gateway.metrics.registry.metrics()),
  )
}
