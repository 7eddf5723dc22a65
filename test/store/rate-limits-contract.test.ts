import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { takeSlot, type Slot, type SlotRequest } from '../../src/shared/gcra.js'
import type { Store } from '../../src/store/store.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const FIFTY_PER_SECOND = { intervalUs: 20_000, burst: 1 }
const T0_US = 1_780_000_000_000_000

/** The RateLimitStore's part of the Store contract: the database's GCRA is shared/gcra.ts's, shared by instances. */
for (const dialect of DIALECTS) {
  describe(`the ${dialect.name} store's rate limits`, () => {
    let database: TestDatabase | undefined
    let store: Store
    let other: Store

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
      other = await database.open()
    })
    afterAll(async () => {
      await database?.destroy()
    })
    beforeEach(async () => {
      await database?.empty()
    })

    it('decides every request exactly as the pure GCRA does', async () => {
      const requests: SlotRequest[] = [
        { ...FIFTY_PER_SECOND, atUs: T0_US, maxWaitUs: 0 },
        { ...FIFTY_PER_SECOND, atUs: T0_US + 19_999, maxWaitUs: 0 },
        { ...FIFTY_PER_SECOND, atUs: T0_US + 20_000, maxWaitUs: 0 },
        { ...FIFTY_PER_SECOND, atUs: T0_US + 20_001, maxWaitUs: 50_000 },
        { ...FIFTY_PER_SECOND, atUs: T0_US + 20_002, maxWaitUs: 50_000 },
        { ...FIFTY_PER_SECOND, atUs: T0_US + 20_003, maxWaitUs: 50_000 },
        { intervalUs: 12_500, burst: 8, atUs: T0_US + 5_000_000, maxWaitUs: 0 },
      ]
      let tat: number | null = null
      const expected: Slot[] = []
      for (const request of requests) {
        const next = takeSlot(tat, request)
        tat = next.tatUs
        expected.push(next.slot)
      }
      const slots: Slot[] = []
      for (const request of requests) slots.push(await store.takeRateSlot('number:1', request))

      expect(slots).toEqual(expected)
      expect(slots.map((slot) => slot.admitted)).toEqual([true, false, true, true, true, false, true])
    })

    it('keeps each key apart', async () => {
      const request = { ...FIFTY_PER_SECOND, atUs: T0_US, maxWaitUs: 0 }
      expect((await store.takeRateSlot('pair:1:a', request)).admitted).toBe(true)
      expect((await store.takeRateSlot('pair:1:b', request)).admitted).toBe(true)
      expect((await store.takeRateSlot('pair:1:a', request)).admitted).toBe(false)
    })

    it('gives a returned slot back to the next send', async () => {
      const request = { intervalUs: 6_000_000, burst: 1, atUs: T0_US, maxWaitUs: 0 }
      await store.takeRateSlot('pair:1:a', request)
      await store.returnRateSlot('pair:1:a', request.intervalUs)

      expect(await store.takeRateSlot('pair:1:a', { ...request, atUs: T0_US + 1 })).toEqual({
        admitted: true,
        waitUs: 0,
      })
    })

    it('never gives two instances the same slot when they ask at once', async () => {
      const asks = Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? store : other).takeRateSlot('number:1', {
          ...FIFTY_PER_SECOND,
          atUs: T0_US,
          maxWaitUs: 10_000_000,
        }),
      )
      const waits = (await Promise.all(asks)).map((slot) => (slot.admitted ? slot.waitUs : -1))

      expect([...waits].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, index) => index * 20_000),
      )
    })
  })
}
