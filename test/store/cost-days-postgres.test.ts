import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS } from '../../src/domain/index.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import type { CostGrouping, Store } from '../../src/store/store.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'
import { channel, message, T0, tenant, TENANT_ID } from './records.js'

const DAY0 = Math.floor(T0 / DAY_MS) * DAY_MS
const PERIOD = { tenantId: TENANT_ID, from: DAY0, to: DAY0 + 3 * DAY_MS }
const TOTALS: CostGrouping = { byDay: false, columns: [] }

/**
 * PostgreSQL fills a day's cost totals when a report first reads it (see migrations/0013-message-costs.ts). A write
 * under way to a day holds that day's lock shared, so a report meanwhile reads the day from the messages and does
 * not fill it; once the write commits, the next report sees it.
 */
describe('PostgreSQL’s daily cost totals', () => {
  const schema = uniqueSchemaName()
  let store: Store
  /** Another carewindow on the same database, as a second process would be. */
  let reader: Store

  beforeAll(async () => {
    store = await openPostgresStore({ url: postgresUrl(), schema })
    reader = await openPostgresStore({ url: postgresUrl(), schema, migrate: false })
    await store.upsertTenant(tenant())
    await store.upsertChannel(channel())
    for (const [index, day] of [0, 1, 2].entries())
      await store.insertMessage(
        message(`m${index}`, 'channel-1', {
          at: DAY0 + day * DAY_MS + 1,
          priceMicros: 1_000,
          currency: 'USD',
        }),
      )
  })
  afterAll(async () => {
    await reader.close()
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

  it('fills the days a report reads, and does not fill a day while a write to it is under way', async () => {
    let duringWrite: unknown
    await store.transaction(async (tx) => {
      await tx.insertMessage(
        message('late', 'channel-1', { at: DAY0 + DAY_MS + 2, priceMicros: 5_000, currency: 'USD' }),
      )
      // Another carewindow reports while this write is open: its day is read from the messages, without it.
      duringWrite = await reader.sumMessageCosts(PERIOD, TOTALS, 100)
    })

    expect(duringWrite).toEqual([{ currency: 'USD', messages: 3, amountMicros: 3_000 }])
    expect(await filledDays()).toEqual([DAY0 / DAY_MS, DAY0 / DAY_MS + 2])
    expect(await store.sumMessageCosts(PERIOD, TOTALS, 100)).toEqual([
      { currency: 'USD', messages: 4, amountMicros: 8_000 },
    ])
    expect(await filledDays()).toEqual([DAY0 / DAY_MS, DAY0 / DAY_MS + 1, DAY0 / DAY_MS + 2])
  })

  it('forgets a filled day when one of its messages is written, and fills it anew', async () => {
    await store.sumMessageCosts(PERIOD, TOTALS, 100)
    await store.updateMessage('m2', { priceMicros: null })

    expect(await filledDays()).toEqual([DAY0 / DAY_MS, DAY0 / DAY_MS + 1])
    expect(byCurrency(await store.sumMessageCosts(PERIOD, TOTALS, 100))).toEqual([
      { currency: 'USD', messages: 3, amountMicros: 7_000 },
      { currency: null, messages: 1, amountMicros: 0 },
    ])
    expect(await filledDays()).toEqual([DAY0 / DAY_MS, DAY0 / DAY_MS + 1, DAY0 / DAY_MS + 2])
  })
})

function byCurrency<T extends { currency: string | null }>(sums: readonly T[]): T[] {
  return [...sums].sort((a, b) =>
    a.currency === null ? 1 : b.currency === null ? -1 : a.currency.localeCompare(b.currency),
  )
}
