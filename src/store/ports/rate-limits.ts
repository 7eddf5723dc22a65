import type { Slot, SlotRequest } from '../../shared/gcra.js'

export type { Slot, SlotRequest }

/**
 * Throughput limits kept in the database, so that every instance on it draws from the same buckets: one GCRA
 * state per key (shared/gcra.ts), taken and updated by one atomic statement — one round trip per limit checked.
 */
export interface RateLimitStore {
  /**
   * Takes a slot from the bucket `key` as {@link import('../../shared/gcra.js').takeSlot} would: admitted (after a
   * wait, which is then reserved) or refused, leaving the bucket as it was.
   */
  takeRateSlot(key: string, request: SlotRequest): Promise<Slot>
  /**
   * Gives back a slot taken from `key` for a send that then did not go (another limit refused it), so that it
   * costs the bucket nothing.
   */
  returnRateSlot(key: string, intervalUs: number): Promise<void>
}
