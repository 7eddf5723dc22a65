import { sql, type AliasedRawBuilder } from 'kysely'
import { DAY_MS } from '../../domain/index.js'
import type { CostGrouping, CostSum } from '../store.js'
import type { Connection } from '../kysely/connection.js'
import {
  COST_COLUMN_NAMES,
  costSumOf,
  sumMessages,
  type CostPeriodFilter,
  type CostRow,
} from '../kysely/message-costs.js'

/**
 * SQLite's cost sums: the whole UTC days of the period from `message_cost_days`, which triggers keep in step with
 * every message written (see migrations/0013-message-costs.ts), and the hours of a partial first or last day from
 * the messages. A month of a million messages is then a few thousand rows to add up instead of a million to sort.
 */
export async function sumCostDays(
  c: Connection,
  filter: CostPeriodFilter,
  grouping: CostGrouping,
  limit: number,
): Promise<CostSum[]> {
  // The totals keep neither contacts nor delivery statuses (which change after the fact): those read the messages.
  if (filter.contactIds !== undefined || filter.statuses !== undefined)
    return sumMessages(c, filter, grouping, limit)
  const firstDay = Math.ceil(filter.from / DAY_MS)
  const endDay = Math.floor(filter.to / DAY_MS)
  if (firstDay >= endDay) return sumMessages(c, filter, grouping, limit)
  const parts = [await sumWholeDays(c, filter, grouping, firstDay, endDay, limit)]
  if (filter.from < firstDay * DAY_MS)
    parts.push(await sumMessages(c, { ...filter, to: firstDay * DAY_MS }, grouping, limit))
  if (endDay * DAY_MS < filter.to)
    parts.push(await sumMessages(c, { ...filter, from: endDay * DAY_MS }, grouping, limit))
  return parts.length === 1 ? (parts[0] ?? []) : merged(parts.flat()).slice(0, limit)
}

async function sumWholeDays(
  c: Connection,
  filter: CostPeriodFilter,
  grouping: CostGrouping,
  firstDay: number,
  endDay: number,
  limit: number,
): Promise<CostSum[]> {
  // The totals keep none as '' (and -1 for `allowed`): the filter's values are never empty, so `in` works alike.
  const keys: AliasedRawBuilder<unknown, string>[] = [
    ...(grouping.byDay ? [sql`day`.as('day')] : []),
    ...grouping.columns.map((column) => {
      const name = COST_COLUMN_NAMES[column]
      return sql`nullif(${sql.ref(name)}, '')`.as(name)
    }),
    sql`nullif(currency, '')`.as('priced_currency'),
  ]
  let query = c.db
    .selectFrom('message_cost_days')
    .select([
      ...keys,
      sql<number>`sum(messages)`.as('messages'),
      sql<number>`sum(amount_micros)`.as('amount_micros'),
    ])
    .where('day', '>=', firstDay)
    .where('day', '<', endDay)
  if (filter.tenantId !== null) query = query.where('tenant_id', '=', filter.tenantId)
  if (filter.direction !== undefined) query = query.where('direction', '=', filter.direction)
  if (filter.allowed !== undefined) query = query.where('allowed', '=', filter.allowed ? 1 : 0)
  const lists = [
    ['channel_id', filter.channelIds],
    ['reason', filter.reasons],
    ['category', filter.categories],
    ['pricing_model', filter.pricingModels],
    ['billing_type', filter.billingTypes],
    ['market', filter.markets],
  ] as const
  for (const [column, values] of lists) {
    if (values === undefined) continue
    query = values.length === 0 ? query.where(sql<boolean>`1 = 0`) : query.where(column, 'in', [...values])
  }
  const rows = await query
    .groupBy(sql.raw(keys.map((_, index) => index + 1).join(', ')))
    // Days whose messages all moved to another key (a price cleared) keep a row of zero messages.
    .having(sql<number>`sum(messages)`, '>', 0)
    .limit(limit)
    .execute()
  return rows.map((row) => costSumOf(row as CostRow, grouping))
}

/** Sums of the same group added together. */
function merged(sums: readonly CostSum[]): CostSum[] {
  const byKey = new Map<string, CostSum>()
  for (const sum of sums) {
    const key = JSON.stringify([
      sum.day,
      sum.channelId,
      sum.category,
      sum.pricingModel,
      sum.billingType,
      sum.market,
      sum.currency,
    ])
    const known = byKey.get(key)
    byKey.set(
      key,
      known === undefined
        ? sum
        : {
            ...known,
            messages: known.messages + sum.messages,
            amountMicros: known.amountMicros + sum.amountMicros,
          },
    )
  }
  return [...byKey.values()]
}
