import { admittedWaitUs, refusedRetryAfterUs, toleranceUs } from '../../shared/gcra.js'
import type { Slot, SlotRequest } from '../store.js'
import { statement, type Statement } from '../sql-statement.js'
import { run, type Connection } from './connection.js'

/**
 * Throughput limits (RateLimitStore): shared/gcra.ts's `takeSlot` as one `insert … on conflict do update …
 * returning`. The row is locked for that one statement only, so instances contend for a key no longer than it
 * takes; the `admitted` flag written with the state says what was decided (the wait or the retry-after follows
 * from the state and the request).
 */

function takeSlotStatement(greatest: 'greatest' | 'max'): string {
  // Parameters: key, first tat; then (at, tau, at, maxWait) for `admitted`, the same for `tat_us`, then at, interval.
  const start = `${greatest}(rate_limits.tat_us, cast(? as bigint))`
  const fits = `${start} - cast(? as bigint) - cast(? as bigint) <= cast(? as bigint)`
  return `insert into rate_limits (key, tat_us, admitted) values (?, cast(? as bigint), 1)
    on conflict (key) do update set
      admitted = case when ${fits} then 1 else 0 end,
      tat_us = case when ${fits} then ${greatest}(rate_limits.tat_us, cast(? as bigint)) + cast(? as bigint)
        else rate_limits.tat_us end
    returning tat_us, admitted`
}

const TAKE_SLOT: Statement = {
  sqlite: statement(takeSlotStatement('max')).sqlite,
  postgres: statement(takeSlotStatement('greatest')).postgres,
}

const RETURN_SLOT = statement('update rate_limits set tat_us = tat_us - cast(? as bigint) where key = ?')

export async function takeRateSlot(c: Connection, key: string, request: SlotRequest): Promise<Slot> {
  const { atUs, intervalUs, maxWaitUs } = request
  const tau = toleranceUs(request)
  const fits = [atUs, tau, atUs, maxWaitUs]
  const result = await run<{ tat_us: number | string; admitted: number | string }>(c, TAKE_SLOT, [
    key,
    // A bucket never used admits its first send at once (the wait is 0, never more than maxWait).
    atUs + intervalUs,
    ...fits,
    ...fits,
    atUs,
    intervalUs,
  ])
  const row = result.rows[0]
  if (row === undefined) throw new Error(`the rate limit ${key} returned no row`)
  // PostgreSQL's bigint arrives as text.
  const tatUs = Number(row.tat_us)
  return Number(row.admitted) === 1
    ? { admitted: true, waitUs: admittedWaitUs(tatUs, request) }
    : { admitted: false, retryAfterUs: refusedRetryAfterUs(tatUs, request) }
}

export async function returnRateSlot(c: Connection, key: string, intervalUs: number): Promise<void> {
  await run(c, RETURN_SLOT, [intervalUs, key])
}
