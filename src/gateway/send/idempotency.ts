import { setTimeout as sleep } from 'node:timers/promises'
import type { IdempotencyRecord, Store } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import { GatewayError } from '../../shared/errors.js'
import { sha256Hex } from '../../shared/ids.js'
import type { IdempotencyClaim } from './message-outcomes.js'
import { parseKeptResult, type EarlierReply, type SendResult } from './send-result.js'

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255

const IDEMPOTENCY_POLL_MS = 25

export interface IdempotencyDependencies {
  readonly store: Store
  readonly clock: Clock
  /**
   * How long a send can take at most — its wait for the inbox, every attempt at Graph and the pauses between them
   * (ms). A repeat waits that long for the first request's reply; a first request older than twice that is taken
   * to have stopped (its process died, or the database was gone when it ended).
   */
  readonly sendBudgetMs: number
  /**
   * Settles a message a key's first request recorded and forwarded but never saw through — it is `pending`, and
   * its request is gone: the outcome is unknown, and the key keeps that result from then on.
   */
  readonly settleStaleSend: (messageId: string) => Promise<void>
}

/** The key a request is handled under, and the message it decided once that is recorded (see decideAndRecord). */
export interface HeldKey extends IdempotencyClaim {
  messageId: string | null
}

/**
 * Runs `handle` once per (tenant, Idempotency-Key): a repeat with the same body gets the first result back
 * (`replayed`) without sending or billing again; a repeat with another body is refused; a repeat while the first is
 * still being handled waits for its result. The key names the message its request decided before the message goes
 * upstream, so from then on nothing sends it again — not a retry after a crash, not one after the database dropped
 * during the Graph call: such a send is waited for, then settled as unknown, never repeated. `handle` settles the
 * key with the message (see decideAndRecord and forwardAndRecord): results that say nothing was sent (Graph
 * unavailable, Graph's 429) let it go, so a retry sends.
 */
export async function withIdempotency(
  deps: IdempotencyDependencies,
  tenantId: string,
  key: string | undefined,
  rawBody: string,
  handle: (held: HeldKey | null) => Promise<SendResult>,
): Promise<SendResult> {
  if (key === undefined) return handle(null)
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw new GatewayError(
      'INVALID_REQUEST',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    )
  const { store, clock } = deps
  const requestHash = sha256Hex(rawBody)
  const claimKey = () => store.claimIdempotencyKey({ tenantId, key, requestHash, createdAt: clock() })
  let claim = await claimKey()
  // A repeat that arrives while the first request is still being handled (concurrent duplicates, a client that
  // retried on its own timeout) waits for the first one's reply instead of failing: one send, the same reply.
  for (
    let waitedMs = 0;
    isUnanswered(claim) && claim.record.requestHash === requestHash && !isStale(deps, claim.record);
    waitedMs += IDEMPOTENCY_POLL_MS
  ) {
    if (waitedMs >= deps.sendBudgetMs)
      throw new GatewayError(
        'IDEMPOTENCY_IN_PROGRESS',
        `the first request with Idempotency-Key "${key}" is still being handled`,
      )
    await sleep(IDEMPOTENCY_POLL_MS)
    // The first request may have let the key go (nothing was sent): then this one claims it and sends.
    claim = await claimKey()
  }
  if (isUnanswered(claim) && claim.record.requestHash === requestHash) {
    // The first request stopped before it answered.
    if (claim.record.messageId === null) {
      // It never recorded a decision, so it never forwarded anything: this request is handled anew.
      await store.releaseIdempotencyKey(tenantId, key)
      claim = await claimKey()
    } else {
      await deps.settleStaleSend(claim.record.messageId)
      claim = await claimKey()
    }
  }
  if (!claim.created) {
    const { record } = claim
    if (record.requestHash !== requestHash)
      throw new GatewayError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key "${key}" was first used with a different body`,
      )
    if (record.result !== null) return { kind: 'replayed', first: parseKeptResult(record.result) }
    if (record.responseStatus === null)
      throw new GatewayError(
        'IDEMPOTENCY_IN_PROGRESS',
        `the first request with Idempotency-Key "${key}" is still being handled`,
      )
    return { kind: 'replayed', first: await earlierReply(store, record, record.responseStatus) }
  }
  const held: HeldKey = { tenantId, key, messageId: null }
  try {
    return await handle(held)
  } catch (error) {
    // Once a message is recorded under the key it may have gone out: the key stays with it.
    if (held.messageId === null) await store.releaseIdempotencyKey(tenantId, key)
    throw error
  }
}

/** A key answered before results were kept: its reply as it was sent, and its message's decision from the record. */
async function earlierReply(store: Store, record: IdempotencyRecord, status: number): Promise<EarlierReply> {
  const message = record.messageId === null ? undefined : await store.getMessage(record.messageId)
  return {
    kind: 'earlier_reply',
    status,
    body: record.responseBody ?? '',
    messageId: record.messageId,
    reason: message?.reason ?? null,
  }
}

function isUnanswered(claim: { readonly created: boolean; readonly record: IdempotencyRecord }): boolean {
  return !claim.created && claim.record.result === null && claim.record.responseStatus === null
}

function isStale(deps: IdempotencyDependencies, record: IdempotencyRecord): boolean {
  return deps.clock() - record.createdAt > 2 * deps.sendBudgetMs
}
