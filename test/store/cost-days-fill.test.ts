import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/domain/index.js'
import {
  costDaysHandler,
  costDaysJobId,
  nextFillAt,
  scheduleCostDayFills,
} from '../../src/gateway/costs/cost-days-jobs.js'
import { createLogger } from '../../src/shared/logging.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { CostGrouping, JobRecord, Store } from '../../src/store/store.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'
import { channel, message, T0, tenant, TENANT_ID } from './records.js'

const DAY0 = Math.floor(T0 / DAY_MS) * DAY_MS
const FIRST_DAY = DAY0 / DAY_MS
/** Four days after the messages, at noon: the three days of messages and the one after are over. */
const NOW = DAY0 + 4 * DAY_MS + 12 * HOUR_MS
const PERIOD = { tenantId: TENANT_ID, from: DAY0, to: DAY0 + 3 * DAY_MS }
const TOTALS: CostGrouping = { byDay: false, columns: [] }
const NIGHTLY = { onStart: true, intervalMs: DAY_MS }

async function seed(store: Store): Promise<void> {
  await store.upsertTenant(tenant())
  await store.upsertChannel(channel())
  for (const day of [0, 1, 2])
    await store.insertMessage(
      message(`m${String(day)}`, 'channel-1', {
        at: DAY0 + day * DAY_MS + 1,
        priceMicros: 1_000,
        currency: 'USD',
      }),
    )
}

function jobOf(store: Store): Promise<JobRecord | undefined> {
  return store.getJob(costDaysJobId(TENANT_ID))
}

describe('nextFillAt', () => {
  it.each([
    ['00:30 UTC', 30 * MINUTE_MS, 65 * MINUTE_MS],
    ['01:05 UTC exactly', 65 * MINUTE_MS, DAY_MS + 65 * MINUTE_MS],
    ['noon', 12 * HOUR_MS, DAY_MS + 65 * MINUTE_MS],
  ])('runs a nightly fill at the next 01:05 UTC after %s', (_title, sinceMidnight, next) => {
    expect(nextFillAt(DAY0 + sinceMidnight, DAY_MS)).toBe(DAY0 + next)
  })

  it('runs an hourly fill at five past the next hour', () => {
    expect(nextFillAt(DAY0 + 12 * HOUR_MS, HOUR_MS)).toBe(DAY0 + 12 * HOUR_MS + 5 * MINUTE_MS)
  })
})

describe('the daily cost totals’ fill job on PostgreSQL', () => {
  const schema = uniqueSchemaName()
  let store: Store
  const logger = createLogger('silent')

  beforeAll(async () => {
    store = await openPostgresStore({ url: postgresUrl(), schema })
    await seed(store)
  })
  afterAll(async () => {
    await store.close()
    await dropSchema(schema)
  })

  const filledDays = () =>
    withPostgresClient(async (client) =>
      (
        await client.query<{ day: number }>(
          `select day from ${quoteSchema(schema)}.message_cost_days_done order by day`,
        )
      ).rows.map((row) => row.day),
    )

  it('is scheduled at start for each tenant with a channel, due at once', async () => {
    await scheduleCostDayFills({ store, clock: () => NOW, logger }, NIGHTLY)
    expect(await jobOf(store)).toMatchObject({
      kind: 'costs.fill-days',
      channelId: 'channel-1',
      dueAt: NOW,
      status: 'pending',
      payload: { tenant_id: TENANT_ID },
    })
  })

  it('fills every day that is over, from the first message’s on, and comes back the next night', async () => {
    expect(await filledDays()).toEqual([])
    const job = await jobOf(store)
    if (job === undefined) throw new Error('no job')

    const outcome = await costDaysHandler({ store, clock: () => NOW, logger }, NIGHTLY)(job, NOW)

    expect(outcome).toEqual({ done: false, runAt: DAY0 + 5 * DAY_MS + 65 * MINUTE_MS })
    // The three days of messages and the day after them (over and settled); not today.
    expect(await filledDays()).toEqual([FIRST_DAY, FIRST_DAY + 1, FIRST_DAY + 2, FIRST_DAY + 3])
  })

  it('leaves a report to read the filled days rather than the messages', async () => {
    // Changed behind the store's back (no trigger forgets it): only a report that reads the day's totals sees it.
    await withPostgresClient((client) =>
      client.query(
        `update ${quoteSchema(schema)}.message_cost_days set amount_micros = amount_micros + 7 where day = $1`,
        [FIRST_DAY + 1],
      ),
    )
    expect(await store.sumMessageCosts(PERIOD, TOTALS, 100)).toEqual([
      { currency: 'USD', messages: 3, amountMicros: 3_007 },
    ])
  })

  it('fills nothing again, and is done with a tenant that is gone', async () => {
    expect(await store.fillCostDays(TENANT_ID, NOW)).toBe(0)
    const job = await jobOf(store)
    if (job === undefined) throw new Error('no job')
    const gone = { ...job, payload: { tenant_id: 'tenant-gone' } }
    expect(await costDaysHandler({ store, clock: () => NOW, logger }, NIGHTLY)(gone, NOW)).toEqual({
      done: true,
    })
  })

  it('is scheduled for its next night by a later start that does not fill at start', async () => {
    const later = NOW + 2 * HOUR_MS
    await scheduleCostDayFills({ store, clock: () => later, logger }, { onStart: false, intervalMs: DAY_MS })
    expect((await jobOf(store))?.dueAt).toBe(DAY0 + 5 * DAY_MS + 65 * MINUTE_MS)
  })
})

describe('the daily cost totals’ fill job on SQLite', () => {
  let store: Store

  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' })
    await seed(store)
  })
  afterAll(async () => {
    await store.close()
  })

  it('has nothing to fill: triggers keep every day’s totals as messages are written', async () => {
    expect(await store.fillCostDays(TENANT_ID, NOW)).toBe(0)
    expect(await store.sumMessageCosts(PERIOD, TOTALS, 100)).toEqual([
      { currency: 'USD', messages: 3, amountMicros: 3_000 },
    ])
  })
})
