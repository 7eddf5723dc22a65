import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/store/test-databases.js'
import {
  HOUR_MS,
  job,
  LEASE_MS,
  recorder,
  scheduleMany,
  schedulerHarness,
  status,
  T0,
} from '../../test/support/scheduler-harness.js'
import type { Instant } from '../domain/index.js'
import type { JobRecord } from '../store/store.js'
import type { JobHandler, JobOutcome } from './scheduler.js'

for (const dialect of DIALECTS) {
  // Generous limits for a loaded machine.
  describe(`the scheduler on ${dialect.name}`, { timeout: 60_000 }, () => {
    const harness = schedulerHarness(dialect)

    describe('a kind with a batch form', () => {
      /** Job ids and instants each call of the batch form was given, and ids the single form ran, in order. */
      interface Calls {
        readonly batches: { ids: string[]; at: Instant }[]
        readonly singles: string[]
      }

      /** A handler with a batch form: `runBatch` decides the batch's outcomes, `runOne` a single job's. */
      const batching = (
        runBatch: NonNullable<JobHandler['batch']>,
        runOne: JobHandler = () => Promise.resolve({ done: true }),
      ): Calls & { readonly handler: JobHandler } => {
        const calls: Calls = { batches: [], singles: [] }
        const handler: JobHandler = Object.assign(
          (ranJob: JobRecord, at: Instant) => {
            calls.singles.push(ranJob.id)
            return runOne(ranJob, at)
          },
          {
            batch: (jobs: readonly JobRecord[], at: Instant) => {
              calls.batches.push({ ids: jobs.map((each) => each.id), at })
              return runBatch(jobs, at)
            },
          },
        )
        return { ...calls, handler }
      }

      const allDone: NonNullable<JobHandler['batch']> = (jobs) =>
        Promise.resolve(jobs.map((): JobOutcome => ({ done: true })))

      it('runs all of a round’s due jobs of its kind in one call, oldest first, and not the single form', async () => {
        const { batches, singles, handler } = batching(allDone)
        const scheduler = harness.newScheduler({ work: handler }, { batchSize: 3 })
        await scheduleMany(harness.store, [
          job('j3', T0 - 10),
          job('j1', T0 - 30),
          job('later', T0 + 1),
          job('j4', T0),
          job('j2', T0 - 20),
        ])

        expect(await scheduler.tick()).toBe(3)
        expect(batches).toEqual([{ ids: ['j1', 'j2', 'j3'], at: T0 }])
        expect(await scheduler.tick()).toBe(1)
        // A round with nothing due calls no batch at all, not one with an empty list.
        expect(await scheduler.tick()).toBe(0)
        expect(batches).toEqual([
          { ids: ['j1', 'j2', 'j3'], at: T0 },
          { ids: ['j4'], at: T0 },
        ])
        expect(await harness.store.countJobs('done')).toBe(4)
        expect(await status(harness.store, 'later')).toMatchObject({ status: 'pending', dueAt: T0 + 1 })

        harness.now = T0 + 1
        expect(await scheduler.tick()).toBe(1)
        expect(batches.at(-1)).toEqual({ ids: ['later'], at: T0 + 1 })
        expect(singles).toEqual([])
        expect(await harness.store.countJobs('done')).toBe(5)
        expect(harness.logged).toEqual([])
      })

      it('applies each outcome to the job in its position: done is done, a later instant reschedules', async () => {
        // The windows of b and c moved: they are to run again then; a and d are done.
        const runAgainAt: Readonly<Record<string, Instant>> = { b: T0 + HOUR_MS, c: T0 + 2 * HOUR_MS }
        const { batches, singles, handler } = batching((jobs, at) =>
          Promise.resolve(
            jobs.map((each): JobOutcome => {
              const runAt = runAgainAt[each.id]
              return runAt !== undefined && at < runAt ? { done: false, runAt } : { done: true }
            }),
          ),
        )
        const scheduler = harness.newScheduler({ work: handler })
        await scheduleMany(harness.store, [
          job('a', T0 - 4),
          job('b', T0 - 3),
          job('c', T0 - 2),
          job('d', T0 - 1),
        ])

        expect(await scheduler.tick()).toBe(4)
        expect(batches.map((call) => call.ids)).toEqual([['a', 'b', 'c', 'd']])
        expect(await status(harness.store, 'a')).toMatchObject({ status: 'done', dueAt: T0 - 4 })
        expect(await status(harness.store, 'b')).toMatchObject({
          status: 'pending',
          dueAt: T0 + HOUR_MS,
          attempts: 0,
        })
        expect(await status(harness.store, 'c')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 2 * HOUR_MS,
          attempts: 0,
        })
        expect(await status(harness.store, 'd')).toMatchObject({ status: 'done', dueAt: T0 - 1 })

        harness.now = T0 + HOUR_MS - 1
        expect(await scheduler.runDue()).toBe(0)
        harness.now = T0 + HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(await status(harness.store, 'b')).toMatchObject({ status: 'done' })
        expect(await status(harness.store, 'c')).toMatchObject({ status: 'pending', dueAt: T0 + 2 * HOUR_MS })
        harness.now = T0 + 2 * HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(batches.map((call) => call.ids)).toEqual([['a', 'b', 'c', 'd'], ['b'], ['c']])
        expect(await harness.store.countJobs('done')).toBe(4)
        expect(singles).toEqual([])
      })

      it.each([
        ['rejects', () => Promise.reject(new Error('one row is bad'))],
        [
          'throws before returning a promise',
          () => {
            throw new Error('one row is bad')
          },
        ],
      ] as const)(
        'whose batch %s runs the jobs one by one: the bad one fails alone and is retried after its lease',
        async (_how, failingBatch) => {
          let badRuns = 0
          const { batches, singles, handler } = batching(failingBatch, (ranJob) => {
            if (ranJob.id !== 'bad') return Promise.resolve({ done: true })
            badRuns++
            return badRuns === 1 ? Promise.reject(new Error('boom')) : Promise.resolve({ done: true })
          })
          const scheduler = harness.newScheduler({ work: handler })
          await scheduleMany(harness.store, [job('a', T0 - 2), job('bad', T0 - 1), job('b', T0)])

          expect(await scheduler.tick()).toBe(3)
          expect(batches.map((call) => call.ids)).toEqual([['a', 'bad', 'b']])
          expect([...singles].sort()).toEqual(['a', 'b', 'bad'])
          expect(await status(harness.store, 'a')).toMatchObject({
            status: 'done',
            attempts: 0,
            lastError: null,
          })
          expect(await status(harness.store, 'b')).toMatchObject({
            status: 'done',
            attempts: 0,
            lastError: null,
          })
          // The single run's error is recorded, not the batch's.
          expect(await status(harness.store, 'bad')).toMatchObject({
            status: 'pending',
            attempts: 1,
            lastError: 'boom',
          })
          expect(harness.logged.join('\n')).toContain('a batch of jobs failed')
          expect(harness.logged.join('\n')).toContain('job failed')

          // Still leased: not tried again until the lease ends.
          harness.now = T0 + LEASE_MS - 1
          expect(await scheduler.runDue()).toBe(0)
          expect(badRuns).toBe(1)

          harness.now = T0 + LEASE_MS
          expect(await scheduler.runDue()).toBe(1)
          expect(batches.map((call) => call.ids)).toEqual([['a', 'bad', 'b'], ['bad']])
          expect(badRuns).toBe(2)
          expect(await status(harness.store, 'bad')).toMatchObject({
            status: 'done',
            attempts: 1,
            lastError: 'boom',
          })
          expect(await harness.store.countJobs('done')).toBe(3)
        },
      )

      it.each([
        ['fewer', 2, (jobs: readonly JobRecord[]) => jobs.slice(1)],
        ['more', 4, (jobs: readonly JobRecord[]) => [...jobs, ...jobs.slice(0, 1)]],
      ] as const)(
        'whose batch returns %s outcomes than jobs ignores them all and runs the jobs one by one',
        async (_which, count, outcomesFor) => {
          // Every outcome the batch returns asks for a later run; the single form says done.
          const { singles, handler } = batching((jobs) =>
            Promise.resolve(outcomesFor(jobs).map((): JobOutcome => ({ done: false, runAt: T0 + HOUR_MS }))),
          )
          const scheduler = harness.newScheduler({ work: handler })
          await scheduleMany(harness.store, [job('a', T0 - 2), job('b', T0 - 1), job('c', T0)])

          expect(await scheduler.tick()).toBe(3)
          expect([...singles].sort()).toEqual(['a', 'b', 'c'])
          expect(await status(harness.store, 'a')).toMatchObject({ status: 'done', dueAt: T0 - 2 })
          expect(await status(harness.store, 'b')).toMatchObject({ status: 'done', dueAt: T0 - 1 })
          expect(await status(harness.store, 'c')).toMatchObject({ status: 'done', dueAt: T0 })
          expect(harness.logged.join('\n')).toContain(`the work batch returned ${count} outcomes for 3 jobs`)
        },
      )

      it('runs kinds with and without a batch form in one round, each job by its own kind’s handler', async () => {
        const first = batching(allDone)
        const second = batching((jobs) =>
          Promise.resolve(jobs.map((): JobOutcome => ({ done: false, runAt: T0 + HOUR_MS }))),
        )
        const plain = recorder()
        const scheduler = harness.newScheduler({
          first: first.handler,
          second: second.handler,
          plain: plain.handler,
        })
        // Interleaved by due instant, so grouping by kind is the scheduler's doing.
        await scheduleMany(harness.store, [
          job('p1', T0 - 7, 'plain'),
          job('f1', T0 - 6, 'first'),
          job('s1', T0 - 5, 'second'),
          job('p2', T0 - 4, 'plain'),
          job('f2', T0 - 3, 'first'),
          job('orphan', T0 - 2, 'no-such-kind'),
          job('s2', T0 - 1, 'second'),
          job('f3', T0, 'first'),
        ])

        expect(await scheduler.tick()).toBe(8)
        expect(first.batches).toEqual([{ ids: ['f1', 'f2', 'f3'], at: T0 }])
        expect(second.batches).toEqual([{ ids: ['s1', 's2'], at: T0 }])
        expect([...plain.ran].sort()).toEqual(['p1', 'p2'])
        expect(first.singles).toEqual([])
        expect(second.singles).toEqual([])
        for (const id of ['f1', 'f2', 'f3', 'p1', 'p2'])
          expect(await status(harness.store, id)).toMatchObject({ status: 'done' })
        for (const id of ['s1', 's2'])
          expect(await status(harness.store, id)).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })
        expect(await status(harness.store, 'orphan')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'no handler for jobs of kind no-such-kind',
        })
      })

      it('falls back to single runs only for the kind whose batch failed', async () => {
        const broken = batching(() => Promise.reject(new Error('broken batch')))
        const sound = batching(allDone)
        const scheduler = harness.newScheduler({ broken: broken.handler, sound: sound.handler })
        await scheduleMany(harness.store, [
          job('b1', T0 - 3, 'broken'),
          job('s1', T0 - 2, 'sound'),
          job('b2', T0 - 1, 'broken'),
          job('s2', T0, 'sound'),
        ])

        expect(await scheduler.tick()).toBe(4)
        expect(broken.batches.map((call) => call.ids)).toEqual([['b1', 'b2']])
        expect([...broken.singles].sort()).toEqual(['b1', 'b2'])
        expect(sound.batches.map((call) => call.ids)).toEqual([['s1', 's2']])
        expect(sound.singles).toEqual([])
        expect(await harness.store.countJobs('done')).toBe(4)
        expect(harness.logged.join('\n')).toContain('broken batch')
      })
    })
  })
}
