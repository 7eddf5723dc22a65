import { DAY_MS, formatInstant, type Instant } from '../../domain/index.js'
import type { Store } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import {
  costGroupingFor,
  groupCosts,
  totalsOf,
  type CostDimension,
  type CostGroup,
  type CostTotal,
} from '../costs/cost-groups.js'
import { messageFilterOf, type MessageFilterInput } from './message-filter.js'

/** The longest period one report covers: a year, with a leap day. */
export const MAX_REPORT_DAYS = 366
/** The most rows a report has; past it the caller groups by less or asks for a shorter period. */
export const MAX_REPORT_ROWS = 50_000
/** The most sums the store hands back for one report (per day when grouped by a period, then folded). */
const MAX_STORED_SUMS = 200_000

/** A cost report's question: which messages (the same filter as a search, with the period required), grouped how. */
export interface CostReportQuery extends MessageFilterInput {
  readonly from: Instant
  readonly to: Instant
  readonly dimensions: readonly CostDimension[]
}

/** What the messages of a period cost, per group and currency, and in all. */
export interface CostReport {
  /** The period, `[from, to)`; groups by day, ISO week and month are UTC. */
  readonly from: Instant
  readonly to: Instant
  readonly dimensions: readonly CostDimension[]
  readonly groups: readonly CostGroup[]
  /** Per currency; `null` is the messages without a price. */
  readonly totals: readonly CostTotal[]
  /** Every message the report counts. */
  readonly messages: number
}

/**
 * The costs of the tenant's (or, with `tenantId` null, every tenant's) messages in `[from, to)` that the filter
 * matches: counted and their prices summed per currency and group. The totals are the sums over exactly the messages
 * a search with the same filter lists.
 */
export async function costReport(
  deps: { readonly store: Store },
  tenantId: string | null,
  query: CostReportQuery,
): Promise<CostReport> {
  const problem = periodProblem(query.from, query.to)
  if (problem !== null) throw new GatewayError('INVALID_REQUEST', problem)
  const { filter, channels } = await messageFilterOf(deps.store, tenantId, query)
  const sums = await deps.store.sumMessageCosts(
    { ...filter, from: query.from, to: query.to },
    costGroupingFor(query.dimensions),
    MAX_STORED_SUMS + 1,
  )
  const labels = new Map(channels.map((channel) => [channel.id, channel.externalId]))
  const groups = groupCosts(sums, query.dimensions, (channelId) => labels.get(channelId) ?? channelId)
  if (sums.length > MAX_STORED_SUMS || groups.length > MAX_REPORT_ROWS)
    throw new GatewayError(
      'INVALID_REQUEST',
      `the report would have more than ${MAX_REPORT_ROWS.toLocaleString('en-US')} rows: group by fewer of ` +
        `${query.dimensions.join(', ')}, by week or month rather than day, or ask for a shorter period`,
    )
  const totals = totalsOf(groups)
  return {
    from: query.from,
    to: query.to,
    dimensions: query.dimensions,
    groups,
    totals,
    messages: totals.reduce((sum, total) => sum + total.messages, 0),
  }
}

/** Why `[from, to)` cannot be a report's period, or `null`. */
export function periodProblem(from: Instant, to: Instant): string | null {
  if (from >= to) return `from (${formatInstant(from)}) must be before to (${formatInstant(to)})`
  if (to - from > MAX_REPORT_DAYS * DAY_MS)
    return `a report covers at most ${MAX_REPORT_DAYS} days; from ${formatInstant(from)} to ${formatInstant(to)} is longer: ask for one year at a time`
  return null
}
