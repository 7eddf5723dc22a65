import type { Selectable, Updateable } from 'kysely'
import type { Instant } from '../../domain/index.js'
import type { MessagesTable } from '../schema.js'
import type {
  ContactRecord,
  LockedWindow,
  MessageDirection,
  MessagePatch,
  MessageRecord,
  StaleSend,
  WindowRecord,
} from '../store.js'
import { statement, type SqlValue, type Statement } from '../sql-statement.js'
import { run, type Connection } from './connection.js'
import { HOT } from './hot.js'
import { billingColumnsOf } from './message-billing.js'
import { saveWindow } from './contacts.js'
import { messageOf } from './rows.js'

/** Messages (MessageStore). */

/** `update messages set …` per combination of patched columns. */
const updateMessageStatements = new Map<string, Statement>()

export async function insertMessage(c: Connection, message: MessageRecord): Promise<boolean> {
  const result = await run(c, HOT.insertMessage, messageParameters(message))
  return Number(result.numAffectedRows ?? 0) > 0
}

/**
 * A customer's message's first step as two statements (DialectQueries.insertInboundMessage): the message, then — only
 * when it is new — the contact and its window, locked by `lock`.
 */
export async function insertMessageThenLock(
  c: Connection,
  message: MessageRecord,
  contact: ContactRecord,
  lock: (c: Connection, contact: ContactRecord) => Promise<LockedWindow>,
): Promise<LockedWindow | null> {
  return (await insertMessage(c, message)) ? lock(c, contact) : null
}

/** A decided send's message stored, then — when it was allowed — its window's new state, one statement each. */
export async function insertMessageThenSave(
  c: Connection,
  message: MessageRecord,
  window: WindowRecord | null,
): Promise<void> {
  await insertMessage(c, message)
  if (window !== null) await saveWindow(c, window)
}

/** The values of {@link HOT}'s `insertMessage`, in its columns' order. */
export function messageParameters(message: MessageRecord): SqlValue[] {
  return [
    message.id,
    message.tenantId,
    message.channelId,
    message.contactId,
    message.direction,
    message.externalId,
    message.at,
    message.bodyJson,
    message.allowed === null ? null : message.allowed ? 1 : 0,
    message.reason,
    message.decisionJson,
    message.priceMicros,
    message.currency,
    message.status,
    message.statusAt,
    message.metaPricingJson,
    message.errorJson,
    message.createdAt,
    ...billingColumnsOf(message),
  ]
}

export async function updateMessage(c: Connection, id: string, patch: MessagePatch): Promise<void> {
  const set: Updateable<MessagesTable> = {}
  if (patch.externalId !== undefined) set.external_id = patch.externalId
  if (patch.status !== undefined) set.status = patch.status
  if (patch.statusAt !== undefined) set.status_at = patch.statusAt
  if (patch.metaPricingJson !== undefined) set.meta_pricing_json = patch.metaPricingJson
  if (patch.errorJson !== undefined) set.error_json = patch.errorJson
  if (patch.priceMicros !== undefined) set.price_micros = patch.priceMicros
  const columns = Object.keys(set) as (keyof typeof set)[]
  if (columns.length === 0) return
  const key = columns.join(',')
  let update = updateMessageStatements.get(key)
  if (update === undefined) {
    update = statement(
      `update messages set ${columns.map((column) => `${column} = ?`).join(', ')} where id = ?`,
    )
    updateMessageStatements.set(key, update)
  }
  await run(c, update, [...columns.map((column) => set[column] as SqlValue), id])
}

export async function getMessage(c: Connection, id: string): Promise<MessageRecord | undefined> {
  const row = await c.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
  return row && messageOf(row)
}

export async function findMessageByExternalId(
  c: Connection,
  channelId: string,
  direction: MessageDirection,
  externalId: string,
): Promise<MessageRecord | undefined> {
  const { rows } = await run<Selectable<MessagesTable>>(c, HOT.findMessageByExternalId, [
    channelId,
    direction,
    externalId,
  ])
  const row = rows[0]
  return row && messageOf(row)
}

export async function listStaleSends(
  c: Connection,
  createdBefore: Instant,
  limit: number,
): Promise<StaleSend[]> {
  const rows = await c.db
    .selectFrom('messages')
    .select(['id', 'tenant_id', 'created_at'])
    .where('status', '=', 'pending')
    .where('direction', '=', 'outbound')
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit)
    .execute()
  return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, createdAt: row.created_at }))
}
