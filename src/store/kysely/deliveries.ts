import type { DeliveryRecord, DeliveryStatus } from '../store.js'
import type { Connection } from './connection.js'
import { deliveryOf } from './rows.js'

/** The outbox (DeliveryStore). */

export async function enqueueDeliveries(c: Connection, deliveries: readonly DeliveryRecord[]): Promise<void> {
  if (deliveries.length === 0) return
  await c.db
    .insertInto('webhook_deliveries')
    .values(
      deliveries.map((delivery) => ({
        id: delivery.id,
        tenant_id: delivery.tenantId,
        event_type: delivery.eventType,
        payload: delivery.payload,
        status: delivery.status,
        attempts: delivery.attempts,
        next_attempt_at: delivery.nextAttemptAt,
        locked_until: null,
        last_error: delivery.lastError,
        created_at: delivery.createdAt,
        delivered_at: delivery.deliveredAt,
      })),
    )
    // A delivery's id is its identity: queuing it again (a retried notification, a re-run job) keeps the first.
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute()
}

export async function claimDueDeliveries(
  c: Connection,
  now: number,
  limit: number,
  leaseUntil: number,
): Promise<DeliveryRecord[]> {
  let due = c.db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
  if (c.dialect === 'postgres') due = due.forUpdate().skipLocked()
  const rows = await c.db
    .updateTable('webhook_deliveries')
    .set({ locked_until: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  return rows.map(deliveryOf).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
}

export async function completeDelivery(c: Connection, id: string, at: number): Promise<void> {
  await c.db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: 'delivered',
      delivered_at: at,
      locked_until: null,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', id)
    .execute()
}

export async function retryDelivery(
  c: Connection,
  id: string,
  attempts: number,
  nextAttemptAt: number | null,
  error: string,
): Promise<void> {
  await c.db
    .updateTable('webhook_deliveries')
    .set({
      attempts,
      last_error: error,
      locked_until: null,
      ...(nextAttemptAt === null ? { status: 'dead' } : { next_attempt_at: nextAttemptAt }),
    })
    .where('id', '=', id)
    .execute()
}

export async function countDeliveries(c: Connection, status: DeliveryStatus): Promise<number> {
  const row = await c.db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', status)
    .executeTakeFirstOrThrow()
  return row.count
}

export async function listDeliveries(
  c: Connection,
  tenantId: string,
  limit: number,
): Promise<DeliveryRecord[]> {
  const rows = await c.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(deliveryOf)
}
