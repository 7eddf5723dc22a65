import type { FastifyRequest } from 'fastify'
import type { Gateway } from '../gateway/gateway.js'
import { GatewayError } from '../gateway/errors.js'
import type { TenantRecord } from '../store/store.js'

/**
 * The tenant whose API key the request carries: `Authorization: Bearer <key>`, or Graph's `access_token` query
 * parameter (some clients only know that form). 401 otherwise — the same answer for a missing, unknown or
 * revoked key, so keys cannot be probed.
 */
export async function authenticate(gateway: Gateway, request: FastifyRequest): Promise<TenantRecord> {
  const header = request.headers.authorization
  const fromHeader =
    header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length).trim() : undefined
  const query = request.query as Record<string, unknown> | undefined
  const fromQuery = typeof query?.access_token === 'string' ? query.access_token : undefined
  const key = fromHeader ?? fromQuery
  const tenant = key === undefined || key === '' ? undefined : await gateway.directory.tenantForKey(key)
  if (tenant === undefined)
    throw new GatewayError(
      'UNAUTHORIZED',
      key === undefined
        ? 'send Authorization: Bearer <carewindow API key>'
        : 'the API key is unknown or revoked',
    )
  return tenant
}
