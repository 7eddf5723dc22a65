import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { channel, tenant } from '../../test/store/records.js'
import { DIALECTS, type TestDatabase } from '../../test/store/test-databases.js'
import { CHANNEL_ID, HOUR_MS, job, LEASE_MS, scheduleMany, T0 } from '../../test/support/scheduler-harness.js'
import type { Clock } from '../shared/clock.js'
import { Scheduler, type JobHandler } from './scheduler.js'

const postgres = DIALECTS.find((dialect) => dialect.name === 'postgres')!

describe('two schedulers on one PostgreSQL database', () => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await postgres.createDatabase()
  })
  afterEach(async () => {
    await database.destroy()
  })

  it(
    'run each of 2,000 jobs exactly once when they tick at the same time',
    { timeout: 120_000 },
    async () => {
      const first = await database.open()
      const second = await database.open()
      await first.upsertTenant(tenant())
      await first.upsertChannel(channel({ id: CHANNEL_ID }))
      const ids = Array.from({ length: 2_000 }, (_, i) => `job-${i}`)
      await scheduleMany(
        first,
        ids.map((id, i) => job(id, T0 - (i % 97) * 1_000)),
      )

      const runs = new Map<string, number>()
      const ranBy = { first: 0, second: 0 }
      const handlerOf =
        (name: keyof typeof ranBy): JobHandler =>
        async (ranJob) => {
          runs.set(ranJob.id, (runs.get(ranJob.id) ?? 0) + 1)
          ranBy[name]++
          // Give the other scheduler's claims a chance to interleave with this round.
          await yieldToEventLoop()
          return { done: true }
        }
      const clock: Clock = () => T0
      const logger = pino({ level: 'silent' })
      const options = { batchSize: 50, leaseMs: LEASE_MS, pollIntervalMs: HOUR_MS, concurrency: 8 }
      const schedulers = [
        new Scheduler(first, clock, { work: handlerOf('first') }, logger, options),
        new Scheduler(second, clock, { work: handlerOf('second') }, logger, options),
      ]

      const drained = await Promise.all(schedulers.map((scheduler) => scheduler.runDue()))

      expect(drained[0]! + drained[1]!).toBe(2_000)
      const notOnce = ids
        .filter((id) => runs.get(id) !== 1)
        .map((id) => `${id} ran ${runs.get(id) ?? 0} times`)
      expect(notOnce).toEqual([])
      expect(runs.size).toBe(2_000)
      // Both really took part: the claims raced.
      expect(ranBy.first).toBeGreaterThan(0)
      expect(ranBy.second).toBeGreaterThan(0)
      expect(await first.countJobs('done')).toBe(2_000)
      expect(await second.countJobs('pending')).toBe(0)
    },
  )
})
