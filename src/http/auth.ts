import type { FastifyRequest } from 'fastify'
import type { Gateway } from '../gateway/gateway.js'
import { GatewayError } from '../shared/errors.js'
import type { ApiKeyRole, TenantRecord } from '../store/store.js'
import { routeWrites } from './route-access.js'

/** The API key a request carries: `Authorization: Bearer <key>`, or Graph's `access_token` (query, or body). */
export function apiKeyOf(request: FastifyRequest, bodyKey?: string): string | undefined {
  const header = request.headers.authorization
  if (header?.startsWith('Bearer ') === true) return header.slice('Bearer '.length).trim()
  const query = request.query as Record<string, unknown> | undefined
  if (typeof query?.access_token === 'string') return query.access_token
  return bodyKey
}

/**
 * The tenant whose API key the request carries. 401 otherwise — the same answer for a missing, unknown or
 * revoked key, so keys cannot be probed. 403 READ_ONLY_KEY when the key has the read role and the route writes
 * (its `config.writes`, route-access.ts): this is the one place roles are enforced, for every route that takes a key.
 */
export async function authenticate(
  gateway: Gateway,
  request: FastifyRequest,
  bodyKey?: string,
): Promise<TenantRecord> {
  const key = apiKeyOf(request, bodyKey)
  const holder = key === undefined || key === '' ? undefined : await gateway.directory.holderOfKey(key)
  if (holder === undefined) throw new GatewayError('UNAUTHORIZED', missingKeyDetails(request, key))
  if (!mayCall(holder.role, request)) throw new GatewayError('READ_ONLY_KEY', readOnlyDetails(request))
  return holder.tenant
}

function mayCall(role: ApiKeyRole, request: FastifyRequest): boolean {
  switch (role) {
    case 'admin':
      return true
    case 'read':
      return !routeWrites(request)
  }
}

function readOnlyDetails(request: FastifyRequest): string {
  const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0] ?? ''}`
  return `${route} changes data and the API key has the read role`
}

// The catalogue's hint (docs/errors.md) follows these details and says what to send, so they say what was wrong.
function missingKeyDetails(request: FastifyRequest, key: string | undefined): string {
  if (key !== undefined && key !== '') return 'the API key is unknown or revoked'
  if (request.headers.authorization !== undefined)
    return 'the Authorization header carries no API key (it takes the form "Bearer <key>")'
  return 'the request carries no API key'
}
