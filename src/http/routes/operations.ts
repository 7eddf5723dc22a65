import type { FastifyInstance } from 'fastify'
import type { Gateway } from '../../gateway/gateway.js'

/** `/healthz` (the process answers), `/readyz` (the store answers), `/metrics` (Prometheus). */
export function registerOperationsRoutes(app: FastifyInstance, gateway: Gateway): void {
  const hidden = { schema: { hide: true } }
  app.get('/healthz', hidden, () => ({ status: 'ok' }))
  app.get('/readyz', hidden, async (_request, reply) => {
    try {
      await gateway.store.ping()
      return { status: 'ready' }
    } catch (error) {
      return reply
        .status(503)
        .send({ status: 'unavailable', details: error instanceof Error ? error.message : String(error) })
    }
  })
  app.get('/metrics', hidden, async (_request, reply) =>
    reply.type(gateway.metrics.registry.contentType).send(await gateway.metrics.registry.metrics()),
  )
}
