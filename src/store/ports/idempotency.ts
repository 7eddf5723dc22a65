import type { Instant } from '../../domain/index.js'

export interface IdempotencyRecord {
  readonly tenantId: string
  readonly key: string
  readonly requestHash: string
  /**
   * What the first request came to, as the send use case serialised it (JSON); `null` while the first request is
   * still being handled, and for keys answered before 0009.
   */
  readonly result: string | null
  /** Keys answered before 0009 kept the reply as sent: its HTTP status and body (`null` for keys answered since). */
  readonly responseStatus: number | null
  readonly responseBody: string | null
  /**
   * The message the first request decided and recorded, set before it went upstream: from then on the key never
   * sends again, whatever happens to the request (`null`: nothing was forwarded).
   */
  readonly messageId: string | null
  readonly createdAt: Instant
}

/**
 * Idempotency keys: a send retried with the same `Idempotency-Key` is answered as the first was, and never sent
 * twice — the key is bound to its message before the message goes upstream.
 */
export interface IdempotencyStore {
  /** Records the key if it is new (`created: true`); otherwise returns the first request's record. */
  claimIdempotencyKey(
    record: Omit<IdempotencyRecord, 'result' | 'responseStatus' | 'responseBody' | 'messageId'>,
  ): Promise<{ readonly created: boolean; readonly record: IdempotencyRecord }>
  /** Names the message a key's request decided (call it in the transaction that records the message). */
  bindIdempotencyKey(tenantId: string, key: string, messageId: string): Promise<void>
  /** Keeps the result of a key's request (and the message it decided, when given, in the same write). */
  completeIdempotencyKey(tenantId: string, key: string, result: string, messageId?: string): Promise<void>
  /** Completes the key bound to a message, if there is one still waiting for its result. */
  completeIdempotencyKeyOfMessage(messageId: string, result: string): Promise<void>
  /** Forgets a key whose request has no result yet, so a retry with it is handled anew. */
  releaseIdempotencyKey(tenantId: string, key: string): Promise<void>
}
