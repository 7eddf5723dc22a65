import type { Instant } from '../../domain/index.js'

export type DeliveryStatus = 'pending' | 'delivered' | 'dead'

export interface DeliveryRecord {
  readonly id: string
  readonly tenantId: string
  readonly eventType: string
  /** The exact bytes to POST (and sign). */
  readonly payload: string
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly nextAttemptAt: Instant
  readonly lastError: string | null
  readonly createdAt: Instant
  readonly deliveredAt: Instant | null
  /** When it was last tried, delivered or not; `null` before its first attempt. */
  readonly lastAttemptAt: Instant | null
}

/** Where a page of a tenant's dead deliveries continues: after this one (oldest first, by creation then id). */
export interface DeliveryCursor {
  readonly createdAt: Instant
  readonly id: string
}

/**
 * The outbox: events and relayed notifications for a tenant's webhook URL, queued in the transaction that caused
 * them and delivered with retries by whichever instance leases them first.
 */
export interface DeliveryStore {
  /** Queues deliveries; one whose id is already queued (or was delivered) is left as it is. */
  enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void>
  /** Pending deliveries due at `now`, leased until `leaseUntil` so no other worker takes them meanwhile. */
  claimDueDeliveries(now: Instant, limit: number, leaseUntil: Instant): Promise<DeliveryRecord[]>
  /** Records the attempt at `at` that delivered it. */
  completeDelivery(id: string, at: Instant): Promise<void>
  /** Records a failed attempt made at `at`; `nextAttemptAt` null gives up (status `dead`). */
  retryDelivery(
    id: string,
    attempts: number,
    nextAttemptAt: Instant | null,
    error: string,
    at: Instant,
  ): Promise<void>
  /** Deliveries in this status, of every tenant or of one. */
  countDeliveries(status: DeliveryStatus, tenantId?: string): Promise<number>
  listDeliveries(tenantId: string, limit: number): Promise<DeliveryRecord[]>
  /** One of the tenant's deliveries, whatever its status; another tenant's is not found. */
  getDelivery(tenantId: string, id: string): Promise<DeliveryRecord | undefined>
  /** The tenant's dead deliveries after `after`, oldest first (by creation, then id). */
  listDeadDeliveries(
    tenantId: string,
    query: { readonly limit: number; readonly after?: DeliveryCursor },
  ): Promise<DeliveryRecord[]>
  /**
   * A dead delivery of the tenant made pending again: no attempts counted, due at `now`; its last error and last
   * attempt are kept. `false` when it is not one of the tenant's dead deliveries (any more).
   */
  redriveDeadDelivery(tenantId: string, id: string, now: Instant): Promise<boolean>
  /** {@link redriveDeadDelivery} for the tenant's oldest `limit` dead deliveries, in one write; how many. */
  redriveDeadDeliveries(tenantId: string, now: Instant, limit: number): Promise<number>
}
