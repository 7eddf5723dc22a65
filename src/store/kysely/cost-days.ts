import { sql, type AliasedRawBuilder } from 'kysely'
import type { CostGrouping, CostSum } from '../store.js'
import type { Connection } from './connection.js'
import { COST_COLUMN_NAMES, costSumOf, type CostPeriodFilter, type CostRow } from './message-costs.js'

/** Each UTC day's cost totals (`message_cost_days`, see migrations/0013-message-costs.ts), read back. */

/**
 * The costs of the messages `filter` matches on the UTC days of `days` (`[first, end)` ranges of days since the
 * epoch), added up from each day's totals in `message_cost_days`.
 */
export async function sumDays(
  c: Connection,
  filter: CostPeriodFilter,
  grouping: CostGrouping,
  days: readonly (readonly [first: number, end: number])[],
  limit: number,
): Promise<CostSum[]> {
  if (days.length === 0) return []
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
    .where((eb) => eb.or(days.map(([first, end]) => eb.and([eb('day', '>=', first), eb('day', '<', end)]))))
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
export function mergedSums(sums: readonly CostSum[]): CostSum[] {
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
