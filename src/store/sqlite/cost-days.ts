import { DAY_MS } from '../../domain/index.js'
import type { CostGrouping, CostSum } from '../store.js'
import type { Connection } from '../kysely/connection.js'
import { mergedSums, sumDays } from '../kysely/cost-days.js'
import { sumMessages, type CostPeriodFilter } from '../kysely/message-costs.js'

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
  const parts = [await sumDays(c, filter, grouping, [[firstDay, endDay]], limit)]
  if (filter.from < firstDay * DAY_MS)
    parts.push(await sumMessages(c, { ...filter, to: firstDay * DAY_MS }, grouping, limit))
  if (endDay * DAY_MS < filter.to)
    parts.push(await sumMessages(c, { ...filter, from: endDay * DAY_MS }, grouping, limit))
  return parts.length === 1 ? (parts[0] ?? []) : mergedSums(parts.flat()).slice(0, limit)
}
