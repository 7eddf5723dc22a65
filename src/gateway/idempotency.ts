import { setTimeout as sleep } from 'node:timers/promises'
import type { Store } from '../store/store.js'
import type { Clock } from './clock.js'
import { GatewayError } from './errors.js'
import { sha256Hex } from './ids.js'
import type { GatewayReply } from './reply.js'

/** A first request that has not finished after this long is presumed lost (its process died); a retry takes over. */
export const IDEMPOTENCY_STALE_MS = 60_000

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255

/**
 * How long a repeat waits for the first request with its key to finish before answering 409: about as long as
 * the first request's attempts to Graph take with the default upstream timeout and retries.
 */
export const IDEMPOTENCY_WAIT_MS = 30_000
const IDEMPOTENCY_POLL_MS = 25

/**
 * Runs `handle` once per (tenant, Idempotency-Key): a repeat with the same body gets the first reply back
 * without sending or billing again; a repeat with another body is refused. Replies carewindow could not
 * complete (5xx: Graph unavailable) are not remembered, so a retry with the same key tries again.
 */
export async function withIdempotency(
  store: Store,
  clock: Clock,
  tenantId: string,
  key: string | undefined,
  rawBody: string,
  handle: () => Promise<GatewayReply>,
): Promise<GatewayReply> {
  if (key === undefined) return handle()
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw new GatewayError(
      'INVALID_REQUEST',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    )
  const requestHash = sha256Hex(rawBody)
  let claim = await store.claimIdempotencyKey({ tenantId, key, requestHash, createdAt: clock() })
  if (
    !claim.created &&
    claim.record.responseStatus === null &&
    clock() - claim.record.createdAt > IDEMPOTENCY_STALE_MS
  ) {
    await store.releaseIdempotencyKey(tenantId, key)
    claim = await store.claimIdempotencyKey({ tenantId, key, requestHash, createdAt: clock() })
  }
  // A repeat that arrives while the first request is still being handled (concurrent duplicates, a client that
  // retried on its own timeout) waits for the first one's reply instead of failing: one send, the same reply.
  for (
    let waitedMs = 0;
    !claim.created &&
    claim.record.responseStatus === null &&
    claim.record.requestHash === requestHash &&
    waitedMs < IDEMPOTENCY_WAIT_MS;
    waitedMs += IDEMPOTENCY_POLL_MS
  ) {
    await sleep(IDEMPOTENCY_POLL_MS)
    // The first request may have released the key (Graph unavailable): then this one claims it and sends.
    claim = await store.claimIdempotencyKey({ tenantId, key, requestHash, createdAt: clock() })
  }
  if (!claim.created) {
    const { record } = claim
    if (record.requestHash !== requestHash)
      throw new GatewayError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key "${key}" was first used with a different body`,
      )
    if (record.responseStatus === null)
      throw new GatewayError(
        'IDEMPOTENCY_IN_PROGRESS',
        `the first request with Idempotency-Key "${key}" is still being handled`,
      )
    return {
      status: record.responseStatus,
      body: record.responseBody ?? '',
      headers: { 'idempotent-replayed': 'true' },
    }
  }
  let reply: GatewayReply
  try {
    reply = await handle()
  } catch (error) {
    await store.releaseIdempotencyKey(tenantId, key)
    throw error
  }
  if (reply.status >= 500) await store.releaseIdempotencyKey(tenantId, key)
  else await store.completeIdempotencyKey(tenantId, key, reply.status, reply.body)
  return reply
}
