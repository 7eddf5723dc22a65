import type { Instant, Platform } from '../../domain/index.js'
import type { DeadNotificationRecord } from '../store.js'
import type { Connection } from './connection.js'

/**
 * Dead letters — notifications that could not be applied after their last try — and the inbox's counts: what an
 * operator sees and acts on (`/v1/dead-letters`, `/metrics`).
 */

export async function retryDead(c: Connection, id: number): Promise<boolean> {
  const result = await c.db
    .updateTable('webhook_notifications')
    .set({ dead_at: null, retry_at: null, attempts: 0 })
    .where('id', '=', id)
    .where('dead_at', 'is not', null)
    .where('processed_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function discardDead(c: Connection, id: number, at: Instant, reason: string): Promise<boolean> {
  const result = await c.db
    .updateTable('webhook_notifications')
    .set({ processed_at: at, error: reason })
    .where('id', '=', id)
    .where('dead_at', 'is not', null)
    .where('processed_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function listDead(
  c: Connection,
  afterId: number,
  limit: number,
): Promise<DeadNotificationRecord[]> {
  const rows = await c.db
    .selectFrom('webhook_notifications')
    .select(['id', 'platform', 'body', 'signature', 'received_at', 'attempts', 'dead_at', 'error'])
    .where('dead_at', 'is not', null)
    .where('processed_at', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    platform: row.platform as Platform,
    body: row.body,
    signature: row.signature,
    receivedAt: row.received_at,
    attempts: row.attempts,
    deadAt: row.dead_at ?? 0,
    error: row.error ?? '',
  }))
}

export async function countPending(c: Connection): Promise<number> {
  const row = await c.db
    .selectFrom('webhook_notifications')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('processed_at', 'is', null)
    .where('dead_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function countDead(c: Connection): Promise<number> {
  const row = await c.db
    .selectFrom('webhook_notifications')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('dead_at', 'is not', null)
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function hasFailing(c: Connection): Promise<boolean> {
  const row = await c.db
    .selectFrom('webhook_notifications')
    .select('id')
    .where('processed_at', 'is', null)
    .where((eb) => eb.or([eb('retry_at', 'is not', null), eb('dead_at', 'is not', null)]))
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
