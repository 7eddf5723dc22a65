import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/store/test-databases.js'
import {
  CHANNEL_ID,
  HOUR_MS,
  job,
  recorder,
  scheduleMany,
  schedulerHarness,
  status,
  T0,
} from '../../test/support/scheduler-harness.js'
import type { Instant } from '../domain/index.js'
import type { JobRecord } from '../store/store.js'

for (const dialect of DIALECTS) {
  // Generous limits for a loaded machine.
  describe(`the scheduler on ${dialect.name}`, { timeout: 60_000 }, () => {
    const harness = schedulerHarness(dialect)

    describe('scheduling', () => {
      it('schedules several jobs in one write, moving the known ones, and says what each was before', async () => {
        await harness.store.scheduleJob(job('known', T0), T0)
        await harness.store.completeJobs([{ id: 'known', dueAt: T0 }], T0)
        await harness.store.scheduleJob(job('waiting', T0 + 1_000), T0)

        const previous = await harness.store.scheduleJobs(
          [
            job('new', T0 + 5_000),
            job('known', T0 + 6_000),
            { ...job('waiting', T0 + 7_000), payload: { n: 2 } },
          ],
          T0 + 10,
        )

        expect(previous).toEqual([null, 'done', 'pending'])
        expect(await status(harness.store, 'new')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 5_000,
          payload: { n: 'new' },
        })
        expect(await status(harness.store, 'known')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 6_000,
          attempts: 0,
        })
        expect(await status(harness.store, 'waiting')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 7_000,
          payload: { n: 2 },
        })
        expect(await harness.store.scheduleJobs([], T0)).toEqual([])
      })
    })

    describe('tick()', () => {
      it('runs a job at its due instant and not a millisecond before', async () => {
        const calls: { id: string; at: Instant }[] = []
        const scheduler = harness.newScheduler({
          work: (ranJob, at) => {
            calls.push({ id: ranJob.id, at })
            return Promise.resolve({ done: true })
          },
        })
        await harness.store.scheduleJob(job('j1', T0 + 1_000), T0)

        harness.now = T0 + 999
        expect(await scheduler.tick()).toBe(0)
        expect(calls).toEqual([])
        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'pending', attempts: 0 })

        harness.now = T0 + 1_000
        expect(await scheduler.tick()).toBe(1)
        expect(calls).toEqual([{ id: 'j1', at: T0 + 1_000 }])
        expect(await status(harness.store, 'j1')).toMatchObject({
          status: 'done',
          attempts: 0,
          lastError: null,
        })

        harness.now = T0 + HOUR_MS
        expect(await scheduler.tick()).toBe(0)
        expect(calls).toHaveLength(1)
        expect(harness.logged).toEqual([])
      })

      it('hands the handler the job as stored: kind, channel, contact, due instant and payload', async () => {
        const seen: JobRecord[] = []
        const scheduler = harness.newScheduler({
          work: (ranJob) => {
            seen.push(ranJob)
            return Promise.resolve({ done: true })
          },
        })
        await harness.store.scheduleJob(
          { ...job('j1', T0), payload: { hold_id: 'hold_1', nested: [1, 'two'] } },
          T0,
        )
        await scheduler.tick()
        expect(seen).toEqual([
          expect.objectContaining({
            id: 'j1',
            kind: 'work',
            channelId: CHANNEL_ID,
            contactId: '31612345678',
            dueAt: T0,
            payload: { hold_id: 'hold_1', nested: [1, 'two'] },
          }),
        ])
      })

      it('runs one batch of at most batchSize per round, oldest due first', async () => {
        const { ran, handler } = recorder()
        const scheduler = harness.newScheduler({ work: handler }, { batchSize: 2, concurrency: 1 })
        // Scheduled out of order; j0 is the oldest.
        for (const [id, offset] of [
          ['j3', 30],
          ['j0', 0],
          ['j4', 40],
          ['j2', 20],
          ['j1', 10],
        ] as const)
          await harness.store.scheduleJob(job(id, T0 + offset), T0)
        harness.now = T0 + 40

        expect(await scheduler.tick()).toBe(2)
        expect(ran).toEqual(['j0', 'j1'])
        expect(await harness.store.countJobs('pending')).toBe(3)
        expect(await scheduler.tick()).toBe(2)
        expect(ran).toEqual(['j0', 'j1', 'j2', 'j3'])
        expect(await scheduler.tick()).toBe(1)
        expect(await scheduler.tick()).toBe(0)
        expect(ran).toEqual(['j0', 'j1', 'j2', 'j3', 'j4'])
        expect(await harness.store.countJobs('done')).toBe(5)
      })

      it('runs the jobs of a round concurrently, at most `concurrency` at a time', async () => {
        let running = 0
        let mostAtOnce = 0
        const scheduler = harness.newScheduler(
          {
            work: async () => {
              running++
              mostAtOnce = Math.max(mostAtOnce, running)
              // Yield, so that other workers of the round get to start meanwhile.
              for (let i = 0; i < 5; i++) await yieldToEventLoop()
              running--
              return { done: true }
            },
          },
          { concurrency: 3 },
        )
        await scheduleMany(
          harness.store,
          Array.from({ length: 10 }, (_, i) => job(`j${i}`, T0)),
        )
        expect(await scheduler.tick()).toBe(10)
        expect(mostAtOnce).toBe(3)
        expect(await harness.store.countJobs('done')).toBe(10)
      })
    })

    describe('runDue()', () => {
      it('drains every job due now in rounds, and leaves the ones due later', async () => {
        const { ran, handler } = recorder()
        const scheduler = harness.newScheduler({ work: handler }, { batchSize: 3 })
        await scheduleMany(harness.store, [
          ...Array.from({ length: 7 }, (_, i) => job(`due-${i}`, T0 - i * 1_000)),
          job('later', T0 + 1),
        ])

        expect(await scheduler.runDue()).toBe(7)
        expect([...ran].sort()).toEqual(Array.from({ length: 7 }, (_, i) => `due-${i}`))
        expect(await status(harness.store, 'later')).toMatchObject({ status: 'pending' })
        expect(await scheduler.runDue()).toBe(0)
      })
    })

    describe('catching up', () => {
      it('runs 1,200 overdue jobs in bounded batches of 500, oldest first', async () => {
        const { ran, handler } = recorder()
        const scheduler = harness.newScheduler({ work: handler }, { batchSize: 500, concurrency: 1 })
        const dueOf = (i: number) => T0 - 2 * HOUR_MS + i * 1_000
        const ids = Array.from({ length: 1_200 }, (_, i) => `late-${String(i).padStart(4, '0')}`)
        // Scheduled in reverse, so insertion order does not happen to be due order.
        await scheduleMany(harness.store, ids.map((id, i) => job(id, dueOf(i))).reverse())

        expect(await scheduler.tick()).toBe(500)
        expect(await scheduler.tick()).toBe(500)
        expect(await scheduler.tick()).toBe(200)
        expect(await scheduler.tick()).toBe(0)
        expect(ran).toEqual(ids)
        expect(await harness.store.countJobs('done')).toBe(1_200)
        expect(await harness.store.countJobs('pending')).toBe(0)
      })
    })
  })
}
