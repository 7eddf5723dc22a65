import { sql } from 'kysely'
import { DAY_MS, HOUR_MS } from '../../domain/index.js'
import { COST_DAY_KEY, costDayKeyOf } from '../migrations/0013-message-costs.js'
import type { CostGrouping, CostSum } from '../store.js'
import type { Connection } from '../kysely/connection.js'
import { mergedSums, sumDays } from '../kysely/cost-days.js'
import { sumMessages, type CostPeriodFilter } from '../kysely/message-costs.js'

/**
 * A day is filled once it has been over for this long: the sends of its last moments have their outcome (a price
 * cleared for a send Graph did not take) by then, so a filled day is seldom forgotten again.
 */
const SETTLED_MS = HOUR_MS

/**
 * PostgreSQL's cost sums: the UTC days of the period that are over from `message_cost_days`, filled the first time
 * a report reads them (see migrations/0013-message-costs.ts), the rest — a partial first or last day, today — from
 * the messages. Filters the totals do not keep (a contact, a delivery status), every tenant's messages at once, and
 * a report inside another transaction read the messages.
 */
export async function sumFilledDays(
  c: Connection,
  filter: CostPeriodFilter,
  grouping: CostGrouping,
  limit: number,
): Promise<CostSum[]> {
  const tenantId = filter.tenantId
  const firstDay = Math.ceil(filter.from / DAY_MS)
  const settledEnd = Math.min(Math.floor(filter.to / DAY_MS), Math.floor((Date.now() - SETTLED_MS) / DAY_MS))
  if (
    tenantId === null ||
    filter.contactIds !== undefined ||
    filter.statuses !== undefined ||
    c.db.isTransaction ||
    firstDay >= settledEnd
  )
    return sumMessages(c, filter, grouping, limit)
  await fillDays(c, tenantId, firstDay, settledEnd)
  // One snapshot for which days are filled, their totals and the messages of the others: a write committed
  // meanwhile is in neither, or its day is no longer filled and read from the messages.
  return c.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const tx: Connection = { db: trx, dialect: c.dialect, locks: c.locks }
      const filled = await filledDays(tx, tenantId, firstDay, settledEnd)
      const parts = [await sumDays(tx, filter, grouping, runsOf(filled), limit)]
      for (const [from, to] of gapsOf(filter.from, filter.to, filled))
        parts.push(await sumMessages(tx, { ...filter, from, to }, grouping, limit))
      return mergedSums(parts.flat()).slice(0, limit)
    })
}

/** The most days one fill covers in a transaction: a month's messages at most are counted at once. */
const FILL_CHUNK_DAYS = 31

/**
 * Fills the tenant's days that are over and settled by `now` and not filled yet, from its first message's day on, a
 * month at a time (each in a transaction of its own, so a write to another month never waits for it). A day a write
 * holds is left for later, as in a report. The number of days filled.
 */
export async function fillSettledDays(c: Connection, tenantId: string, now: number): Promise<number> {
  const end = Math.floor((now - SETTLED_MS) / DAY_MS)
  const earliest = await c.db
    .selectFrom('messages')
    .select((eb) => eb.fn.min('at').as('at'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  // No message: min() is null, whatever the row type says.
  const at = earliest?.at as unknown
  if (at === undefined || at === null) return 0
  let filled = 0
  for (let first = Math.floor(Number(at) / DAY_MS); first < end; first += FILL_CHUNK_DAYS)
    filled += await fillDays(c, tenantId, first, Math.min(end, first + FILL_CHUNK_DAYS))
  return filled
}

/** The tenant's days in `[first, end)` whose totals are filled, in order. */
async function filledDays(c: Connection, tenantId: string, first: number, end: number): Promise<number[]> {
  const rows = await c.db
    .selectFrom('message_cost_days_done')
    .select('day')
    .where('tenant_id', '=', tenantId)
    .where('day', '>=', first)
    .where('day', '<', end)
    .orderBy('day')
    .execute()
  return rows.map((row) => row.day)
}

/**
 * Fills the tenant's days in `[first, end)` that are not yet: each one whose advisory lock it gets alone (no write
 * to that day is under way, and none starts until this commits), from the messages as they are, with the day
 * marked filled. A day it cannot lock now is left for the next report.
 */
async function fillDays(c: Connection, tenantId: string, first: number, end: number): Promise<number> {
  const filled = new Set(await filledDays(c, tenantId, first, end))
  const missing = Array.from({ length: end - first }, (_, index) => first + index).filter(
    (day) => !filled.has(day),
  )
  if (missing.length === 0) return 0
  const key = COST_DAY_KEY.join(', ')
  return c.db.transaction().execute(async (trx) => {
    // The lock the trigger takes shared (costDayLock), tried: a day a write holds is not waited for.
    const locked = await sql<{ day: number }>`select day from unnest(${missing}::int[]) as day
      where pg_try_advisory_xact_lock(hashtextextended(${tenantId}::text, day::bigint)) order by day`.execute(
      trx,
    )
    const days = locked.rows.map((row) => row.day)
    if (days.length === 0) return 0
    const lowest = Math.min(...days)
    const highest = Math.max(...days)
    // Grouped by eleven columns, the planner guesses a million groups and sorts the month's messages on disk to
    // count them; they are a few thousand, which hashing counts in one pass.
    await sql`set local enable_sort = off`.execute(trx)
    await sql`delete from message_cost_days where tenant_id = ${tenantId} and day = any(${days}::int[])`.execute(
      trx,
    )
    await sql`${sql.raw(`insert into message_cost_days (${key}, messages, amount_micros) select`)}
        ${sql.raw(costDayKeyOf('messages').join(', '))}, count(*), coalesce(sum(price_micros), 0) from messages
      where tenant_id = ${tenantId} and at >= ${lowest * DAY_MS} and at < ${(highest + 1) * DAY_MS}
        and at / ${sql.lit(DAY_MS)} = any(${days}::int[])
      group by ${sql.raw(COST_DAY_KEY.map((_, index) => index + 1).join(', '))}`.execute(trx)
    await sql`insert into message_cost_days_done (tenant_id, day) select ${tenantId}, unnest(${days}::int[])
      on conflict do nothing`.execute(trx)
    return days.length
  })
}

/** Consecutive days as `[first, end)` runs. */
function runsOf(days: readonly number[]): [number, number][] {
  const runs: [number, number][] = []
  for (const day of days) {
    const last = runs[runs.length - 1]
    if (last !== undefined && last[1] === day) last[1] = day + 1
    else runs.push([day, day + 1])
  }
  return runs
}

/** The parts of `[from, to)` outside the filled days, as instant ranges. */
function gapsOf(from: number, to: number, filled: readonly number[]): [number, number][] {
  const gaps: [number, number][] = []
  let start = from
  for (const [first, end] of runsOf(filled)) {
    if (start < first * DAY_MS) gaps.push([start, first * DAY_MS])
    start = end * DAY_MS
  }
  if (start < to) gaps.push([start, to])
  return gaps
}
