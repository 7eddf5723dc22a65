import { sql, type SelectQueryBuilder } from 'kysely'
import type { Database } from '../schema.js'
import type { MessageFilter, MessagePage, MessageRecord } from '../store.js'
import type { Connection } from './connection.js'
import { messageOf } from './rows.js'

/** Messages, many at a time (MessageLedger): a page of a search. */

type MessageQuery<O> = SelectQueryBuilder<Database, 'messages', O>

/** Narrows a query on `messages` to those `filter` matches. */
export function matching<O>(query: MessageQuery<O>, filter: MessageFilter): MessageQuery<O> {
  let narrowed = query
  if (filter.tenantId !== null) narrowed = narrowed.where('tenant_id', '=', filter.tenantId)
  if (filter.from !== undefined) narrowed = narrowed.where('at', '>=', filter.from)
  if (filter.to !== undefined) narrowed = narrowed.where('at', '<', filter.to)
  if (filter.direction !== undefined) narrowed = narrowed.where('direction', '=', filter.direction)
  if (filter.allowed !== undefined) narrowed = narrowed.where('allowed', '=', filter.allowed ? 1 : 0)
  const lists = [
    ['channel_id', filter.channelIds],
    ['contact_id', filter.contactIds],
    ['reason', filter.reasons],
    ['category', filter.categories],
    ['pricing_model', filter.pricingModels],
    ['billing_type', filter.billingTypes],
    ['market', filter.markets],
    ['status', filter.statuses],
  ] as const
  for (const [column, values] of lists) {
    if (values === undefined) continue
    narrowed =
      values.length === 0 ? narrowed.where(sql<boolean>`1 = 0`) : narrowed.where(column, 'in', [...values])
  }
  return narrowed
}

export async function searchMessages(
  c: Connection,
  filter: MessageFilter,
  page: MessagePage,
): Promise<MessageRecord[]> {
  let query = matching(c.db.selectFrom('messages').selectAll(), filter)
  const before = page.before
  if (before !== undefined)
    // A row value, so the index on (tenant_id, at, id) answers it: every message strictly after the cursor.
    query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(before.at, before.id)))
  const after = page.after
  if (page.oldestFirst === true && after !== undefined)
    query = query.where((eb) => eb(eb.refTuple('at', 'id'), '>', eb.tuple(after.at, after.id)))
  const order = page.oldestFirst === true ? 'asc' : 'desc'
  const rows = await query.orderBy('at', order).orderBy('id', order).limit(page.limit).execute()
  return rows.map(messageOf)
}
