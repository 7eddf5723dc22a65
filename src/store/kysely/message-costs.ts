import { sql, type AliasedRawBuilder } from 'kysely'
import { DAY_MS } from '../../domain/index.js'
import type { CostColumn, CostGrouping, CostSum, MessageFilter } from '../store.js'
import type { Connection } from './connection.js'
import { matching } from './message-search.js'

/** Message costs, summed (MessageLedger). */

/** Each column costs are grouped by, as `messages` (and SQLite's `message_cost_days`) names it. */
export const COST_COLUMN_NAMES = {
  channel: 'channel_id',
  category: 'category',
  pricingModel: 'pricing_model',
  billingType: 'billing_type',
  market: 'market',
} as const satisfies Record<CostColumn, string>

export type CostPeriodFilter = MessageFilter & { readonly from: number; readonly to: number }

/** The costs of the messages `filter` matches, summed from the messages themselves. */
export async function sumMessages(
  c: Connection,
  filter: CostPeriodFilter,
  grouping: CostGrouping,
  limit: number,
): Promise<CostSum[]> {
  const keys: AliasedRawBuilder<unknown, string>[] = [
    ...(grouping.byDay ? [sql`at / ${sql.lit(DAY_MS)}`.as('day')] : []),
    ...grouping.columns.map((column) =>
      sql`${sql.ref(COST_COLUMN_NAMES[column])}`.as(COST_COLUMN_NAMES[column]),
    ),
    // A message without a price has no currency here, whatever its decision's card said.
    sql`case when price_micros is null then null else currency end`.as('priced_currency'),
  ]
  const grouped = matching(c.db.selectFrom('messages'), filter)
    .select([
      ...keys,
      sql<number>`count(*)`.as('messages'),
      sql<number>`coalesce(sum(price_micros), 0)`.as('amount_micros'),
    ])
    .groupBy(sql.raw(keys.map((_, index) => index + 1).join(', ')))
  // A LIMIT right on the aggregate makes PostgreSQL plan for the first rows: it sorts the month's messages (on
  // disk) to group them, 1.4–2.3 s for a million, where hashing them takes 0.5 s. A materialized CTE is planned
  // for all its rows; the limit then only bounds what is read back.
  const rows = await c.db
    .with(
      (name) => name('grouped').materialized(),
      () => grouped,
    )
    .selectFrom('grouped')
    .selectAll()
    .limit(limit)
    .execute()
  return rows.map((row) => costSumOf(row as CostRow, grouping))
}

/** A row of a cost query: the keys grouped by, `priced_currency`, `messages` and `amount_micros`. */
export type CostRow = Readonly<Record<string, string | number | null>>

/** A cost query's row as a {@link CostSum} (PostgreSQL's `count` and `sum` arrive as strings). */
export function costSumOf(row: CostRow, grouping: CostGrouping): CostSum {
  const text = (value: string | number | null | undefined): string | null =>
    value === null || value === undefined || value === '' ? null : String(value)
  const sum: Record<string, unknown> = {
    currency: text(row.priced_currency),
    messages: Number(row.messages),
    amountMicros: Number(row.amount_micros),
  }
  if (grouping.byDay) sum.day = Number(row.day)
  for (const column of grouping.columns) {
    const value = text(row[COST_COLUMN_NAMES[column]])
    sum[column === 'channel' ? 'channelId' : column] = value
  }
  return sum as unknown as CostSum
}
