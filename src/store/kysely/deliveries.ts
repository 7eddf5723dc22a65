import type { DeliveryCursor, DeliveryRecord, DeliveryStatus } from '../store.js'
import type { Connection } from './connection.js'
import { deliveryOf } from './rows.js'

/** The outbox (DeliveryStore): deliveries to tenants' webhooks, their leases, retries and dead ones. */

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
        last_attempt_at: delivery.lastAttemptAt,
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
      last_attempt_at: at,
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
  at: number,
): Promise<void> {
  await c.db
    .updateTable('webhook_deliveries')
    .set({
      attempts,
      last_error: error,
      last_attempt_at: at,
      locked_until: null,
      ...(nextAttemptAt === null ? { status: 'dead' } : { next_attempt_at: nextAttemptAt }),
    })
    .where('id', '=', id)
    .execute()
}

export async function countDeliveries(
  c: Connection,
  status: DeliveryStatus,
  tenantId?: string,
): Promise<number> {
  let query = c.db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', status)
  if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId)
  const row = await query.executeTakeFirstOrThrow()
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

export async function getDelivery(
  c: Connection,
  tenantId: string,
  id: string,
): Promise<DeliveryRecord | undefined> {
  const row = await c.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && deliveryOf(row)
}

export async function listDeadDeliveries(
  c: Connection,
  tenantId: string,
  query: { readonly limit: number; readonly after?: DeliveryCursor },
): Promise<DeliveryRecord[]> {
  const after = query.after
  let select = c.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'dead')
  if (after !== undefined)
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '>', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
      ]),
    )
  const rows = await select.orderBy('created_at').orderBy('id').limit(query.limit).execute()
  return rows.map(deliveryOf)
}

/** What a re-driven delivery becomes: pending, due now, as if new — its last error and attempt stay for the record. */
function redriven(now: number) {
  return { status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null } as const
}

export async function redriveDeadDelivery(
  c: Connection,
  tenantId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await c.db
    .updateTable('webhook_deliveries')
    .set(redriven(now))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function redriveDeadDeliveries(
  c: Connection,
  tenantId: string,
  now: number,
  limit: number,
): Promise<number> {
  const oldest = c.db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'dead')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
  const result = await c.db
    .updateTable('webhook_deliveries')
    .set(redriven(now))
    .where('id', 'in', oldest)
    // Re-checked here: on PostgreSQL another instance may have re-driven some of them meanwhile.
    .where('status', '=', 'dead')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
