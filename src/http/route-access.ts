import type { FastifyInstance, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Whether the route changes anything (sends, stores, deletes, passes a change on to Graph): a key with the read
     * role may call it only when this is `false`. Every route that takes an API key says so with {@link READS} or
     * {@link WRITES}; one that does not is taken to write, so a route nobody thought about stays closed to read keys.
     */
    readonly writes?: boolean
  }
  interface FastifyInstance {
    /** Every route registered, with what it declared (test/http/key-roles.test.ts reads them). */
    readonly routeAccess: readonly RouteAccess[]
  }
}

/** `config: READS`: the route only looks (GET and HEAD, and the POSTs that only compute, like a dry run). */
export const READS = { writes: false } as const
/** `config: WRITES`: the route changes something; a read key gets 403 READ_ONLY_KEY. */
export const WRITES = { writes: true } as const

export interface RouteAccess {
  readonly method: string
  /** Fastify's route template (`/v1/channels/:channelId/contacts`). */
  readonly url: string
  /** What the route declared; `undefined` when it declared nothing (it is then taken to write). */
  readonly writes: boolean | undefined
}

/** Whether the route a request matched changes anything: what it declared, and `true` when it declared nothing. */
export function routeWrites(request: FastifyRequest): boolean {
  return request.routeOptions.config.writes !== false
}

/** Keeps what each route registered after this declares (register it before the routes). */
export function recordRouteAccess(app: FastifyInstance): void {
  const routes: RouteAccess[] = []
  app.decorate('routeAccess', routes)
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) routes.push({ method, url: route.url, writes: route.config?.writes })
  })
}
