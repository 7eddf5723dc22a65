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
  completeDelivery(id: string, at: Instant): Promise<void>
  /** Records a failed attempt; `nextAttemptAt` null gives up (status `dead`). */
  retryDelivery(id: string, attempts: number, nextAttemptAt: Instant | null, error: string): Promise<void>
  countDeliveries(status: DeliveryStatus): Promise<number>
  listDeliveries(tenantId: string, limit: number): Promise<DeliveryRecord[]>
}
