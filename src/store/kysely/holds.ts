import type { HeldMessageRecord, HoldPatch, HoldStatus } from '../store.js'
import type { Connection } from './connection.js'
import { holdOf } from './rows.js'

/** Held replies (HoldStore). */

export async function insertHold(c: Connection, record: HeldMessageRecord): Promise<void> {
  await c.db
    .insertInto('held_messages')
    .values({
      id: record.id,
      tenant_id: record.tenantId,
      channel_id: record.channelId,
      contact_id: record.contactId,
      body: record.body,
      status: record.status,
      refused_message_id: record.refusedMessageId,
      message_id: record.messageId,
      error: record.error,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
      released_at: record.releasedAt,
    })
    .execute()
}

export async function getHold(c: Connection, id: string): Promise<HeldMessageRecord | undefined> {
  const row = await c.db.selectFrom('held_messages').selectAll().where('id', '=', id).executeTakeFirst()
  return row && holdOf(row)
}

export async function listHolds(
  c: Connection,
  channelId: string,
  contactId: string,
  status?: HoldStatus,
): Promise<HeldMessageRecord[]> {
  let query = c.db
    .selectFrom('held_messages')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('contact_id', '=', contactId)
  if (status !== undefined) query = query.where('status', '=', status)
  return (await query.orderBy('created_at').orderBy('id').execute()).map(holdOf)
}

export async function updateHold(
  c: Connection,
  id: string,
  patch: HoldPatch,
  from?: HoldStatus,
): Promise<boolean> {
  let query = c.db
    .updateTable('held_messages')
    .set({
      ...(patch.status === undefined ? {} : { status: patch.status }),
      ...(patch.messageId === undefined ? {} : { message_id: patch.messageId }),
      ...(patch.error === undefined ? {} : { error: patch.error }),
      ...(patch.releasedAt === undefined ? {} : { released_at: patch.releasedAt }),
    })
    .where('id', '=', id)
  if (from !== undefined) query = query.where('status', '=', from)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
