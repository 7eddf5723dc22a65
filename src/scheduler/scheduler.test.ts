import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { channel, tenant } from '../../test/store/records.js'
import { dropSchema, postgresUrl, uniqueSchemaName } from '../../test/support/postgres.js'
import { waitFor } from '../../test/support/wait.js'
import type { Instant } from '../domain/index.js'
import type { Clock } from '../shared/clock.js'
import { openPostgresStore } from '../store/postgres/postgres-store.js'
import { openSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { JobRecord, Store } from '../store/store.js'
import { Scheduler, type JobHandler, type JobOutcome, type SchedulerOptions } from './scheduler.js'

/** 2025-09-01 10:00 UTC. */
const T0: Instant = Date.parse('2025-09-01T10:00:00Z')
const HOUR_MS = 3_600_000
const LEASE_MS = 60_000
const CHANNEL_ID = 'channel-1'

type Dialect = 'sqlite' | 'postgres'

/** A database of its own: a SQLite file or a PostgreSQL schema, on which any number of stores can be opened. */
interface TestDatabase {
  open(): Promise<Store>
  destroy(): Promise<void>
}

async function createDatabase(dialect: Dialect): Promise<TestDatabase> {
  const stores: Store[] = []
  const track = async (opening: Promise<Store>): Promise<Store> => {
    const store = await opening
    stores.push(store)
    return store
  }
  const closeAll = () => Promise.all(stores.map((store) => store.close()))
  if (dialect === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-scheduler-'))
    const path = join(directory, 'carewindow.db')
    return {
      open: () => track(openSqliteStore({ path })),
      async destroy() {
        await closeAll()
        await rm(directory, { recursive: true, force: true })
      },
    }
  }
  const schema = uniqueSchemaName()
  return {
    open: () => track(openPostgresStore({ url: postgresUrl(), schema })),
    async destroy() {
      await closeAll()
      await dropSchema(schema)
    },
  }
}

/** A job of `kind` for the test channel (jobs belong to a channel: a foreign key). */
function job(id: string, dueAt: Instant, kind = 'work'): Parameters<Store['scheduleJob']>[0] {
  return { id, kind, channelId: CHANNEL_ID, contactId: '31612345678', dueAt, payload: { n: id } }
}

/** Schedules many jobs, a few at a time (PostgreSQL has a pool; SQLite serialises them anyway). */
async function scheduleMany(
  store: Store,
  jobs: readonly Parameters<Store['scheduleJob']>[0][],
): Promise<void> {
  for (let start = 0; start < jobs.length; start += 10)
    await Promise.all(jobs.slice(start, start + 10).map((each) => store.scheduleJob(each, T0)))
}

/** A promise the test resolves itself: a handler waits on it to stay "running". */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

async function status(store: Store, id: string): Promise<JobRecord> {
  const found = await store.getJob(id)
  if (found === undefined) throw new Error(`no job ${id}`)
  return found
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  // Generous limits for a loaded machine; a loop that misses a wake-up fails on waitFor's own timeout, with its message.
  describe(`the scheduler on ${dialect}`, { timeout: 60_000 }, () => {
    let database: TestDatabase
    let store: Store
    let now: Instant
    const clock: Clock = () => now
    /** Warnings and errors the schedulers logged. */
    let logged: string[]
    const schedulers: Scheduler[] = []

    const newScheduler = (
      handlers: Record<string, JobHandler>,
      options: Partial<SchedulerOptions> = {},
      on: Store = store,
    ): Scheduler => {
      const scheduler = new Scheduler(
        on,
        clock,
        handlers,
        pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }),
        { batchSize: 500, leaseMs: LEASE_MS, pollIntervalMs: HOUR_MS, concurrency: 8, ...options },
      )
      schedulers.push(scheduler)
      return scheduler
    }

    /** A handler that records the id of every job it ran, in order, and is done. */
    const recorder = (): { readonly ran: string[]; readonly handler: JobHandler } => {
      const ran: string[] = []
      return {
        ran,
        handler: (ranJob) => {
          ran.push(ranJob.id)
          return Promise.resolve({ done: true })
        },
      }
    }

    beforeEach(async () => {
      now = T0
      logged = []
      database = await createDatabase(dialect)
      store = await database.open()
      await store.upsertTenant(tenant())
      await store.upsertChannel(channel({ id: CHANNEL_ID }))
    })

    afterEach(async () => {
      for (const scheduler of schedulers.splice(0)) await scheduler.stop()
      await database.destroy()
    })

    describe('scheduling', () => {
      it('schedules several jobs in one write, moving the known ones, and says what each was before', async () => {
        await store.scheduleJob(job('known', T0), T0)
        await store.completeJobs([{ id: 'known', dueAt: T0 }], T0)
        await store.scheduleJob(job('waiting', T0 + 1_000), T0)

        const previous = await store.scheduleJobs(
          [
            job('new', T0 + 5_000),
            job('known', T0 + 6_000),
            { ...job('waiting', T0 + 7_000), payload: { n: 2 } },
          ],
          T0 + 10,
        )

        expect(previous).toEqual([null, 'done', 'pending'])
        expect(await status(store, 'new')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 5_000,
          payload: { n: 'new' },
        })
        expect(await status(store, 'known')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 6_000,
          attempts: 0,
        })
        expect(await status(store, 'waiting')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 7_000,
          payload: { n: 2 },
        })
        expect(await store.scheduleJobs([], T0)).toEqual([])
      })
    })

    describe('tick()', () => {
      it('runs a job at its due instant and not a millisecond before', async () => {
        const calls: { id: string; at: Instant }[] = []
        const scheduler = newScheduler({
          work: (ranJob, at) => {
            calls.push({ id: ranJob.id, at })
            return Promise.resolve({ done: true })
          },
        })
        await store.scheduleJob(job('j1', T0 + 1_000), T0)

        now = T0 + 999
        expect(await scheduler.tick()).toBe(0)
        expect(calls).toEqual([])
        expect(await status(store, 'j1')).toMatchObject({ status: 'pending', attempts: 0 })

        now = T0 + 1_000
        expect(await scheduler.tick()).toBe(1)
        expect(calls).toEqual([{ id: 'j1', at: T0 + 1_000 }])
        expect(await status(store, 'j1')).toMatchObject({ status: 'done', attempts: 0, lastError: null })

        now = T0 + HOUR_MS
        expect(await scheduler.tick()).toBe(0)
        expect(calls).toHaveLength(1)
        expect(logged).toEqual([])
      })

      it('hands the handler the job as stored: kind, channel, contact, due instant and payload', async () => {
        const seen: JobRecord[] = []
        const scheduler = newScheduler({
          work: (ranJob) => {
            seen.push(ranJob)
            return Promise.resolve({ done: true })
          },
        })
        await store.scheduleJob({ ...job('j1', T0), payload: { hold_id: 'hold_1', nested: [1, 'two'] } }, T0)
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
        const scheduler = newScheduler({ work: handler }, { batchSize: 2, concurrency: 1 })
        // Scheduled out of order; j0 is the oldest.
        for (const [id, offset] of [
          ['j3', 30],
          ['j0', 0],
          ['j4', 40],
          ['j2', 20],
          ['j1', 10],
        ] as const)
          await store.scheduleJob(job(id, T0 + offset), T0)
        now = T0 + 40

        expect(await scheduler.tick()).toBe(2)
        expect(ran).toEqual(['j0', 'j1'])
        expect(await store.countJobs('pending')).toBe(3)
        expect(await scheduler.tick()).toBe(2)
        expect(ran).toEqual(['j0', 'j1', 'j2', 'j3'])
        expect(await scheduler.tick()).toBe(1)
        expect(await scheduler.tick()).toBe(0)
        expect(ran).toEqual(['j0', 'j1', 'j2', 'j3', 'j4'])
        expect(await store.countJobs('done')).toBe(5)
      })

      it('runs the jobs of a round concurrently, at most `concurrency` at a time', async () => {
        let running = 0
        let mostAtOnce = 0
        const scheduler = newScheduler(
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
          store,
          Array.from({ length: 10 }, (_, i) => job(`j${i}`, T0)),
        )
        expect(await scheduler.tick()).toBe(10)
        expect(mostAtOnce).toBe(3)
        expect(await store.countJobs('done')).toBe(10)
      })
    })

    describe('runDue()', () => {
      it('drains every job due now in rounds, and leaves the ones due later', async () => {
        const { ran, handler } = recorder()
        const scheduler = newScheduler({ work: handler }, { batchSize: 3 })
        await scheduleMany(store, [
          ...Array.from({ length: 7 }, (_, i) => job(`due-${i}`, T0 - i * 1_000)),
          job('later', T0 + 1),
        ])

        expect(await scheduler.runDue()).toBe(7)
        expect([...ran].sort()).toEqual(Array.from({ length: 7 }, (_, i) => `due-${i}`))
        expect(await status(store, 'later')).toMatchObject({ status: 'pending' })
        expect(await scheduler.runDue()).toBe(0)
      })
    })

    describe('a job that is not done yet', () => {
      it('runs again at the instant its handler asked for, and not before', async () => {
        const calls: Instant[] = []
        const scheduler = newScheduler({
          work: (_job, at) => {
            calls.push(at)
            return Promise.resolve(calls.length === 1 ? { done: false, runAt: T0 + HOUR_MS } : { done: true })
          },
        })
        await store.scheduleJob(job('j1', T0), T0)

        expect(await scheduler.runDue()).toBe(1)
        expect(await status(store, 'j1')).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })

        now = T0 + HOUR_MS - 1
        expect(await scheduler.runDue()).toBe(0)
        now = T0 + HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(calls).toEqual([T0, T0 + HOUR_MS])
        expect(await status(store, 'j1')).toMatchObject({ status: 'done', dueAt: T0 + HOUR_MS })
      })

      it('moved (scheduled again) while it was running is not marked done by the stale run', async () => {
        const running = gate()
        const release = gate()
        const calls: Instant[] = []
        const scheduler = newScheduler({
          work: async (_job, at) => {
            calls.push(at)
            if (calls.length === 1) {
              running.open()
              await release.opened
            }
            return { done: true }
          },
        })
        await store.scheduleJob(job('j1', T0), T0)

        const round = scheduler.tick()
        await running.opened
        // The customer wrote meanwhile: the job moves to the new window's instant.
        expect(await store.scheduleJob(job('j1', T0 + HOUR_MS), T0)).toBe('pending')
        release.open()
        expect(await round).toBe(1)

        expect(await status(store, 'j1')).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })
        now = T0 + HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(calls).toEqual([T0, T0 + HOUR_MS])
        expect(await status(store, 'j1')).toMatchObject({ status: 'done' })
      })

      it('moved while its handler asked for a later run keeps the move, not the stale request', async () => {
        const running = gate()
        const release = gate()
        const scheduler = newScheduler({
          work: async () => {
            running.open()
            await release.opened
            return { done: false, runAt: T0 + 5 * HOUR_MS }
          },
        })
        await store.scheduleJob(job('j1', T0), T0)

        const round = scheduler.tick()
        await running.opened
        await store.scheduleJob(job('j1', T0 + HOUR_MS), T0)
        release.open()
        await round

        expect(await status(store, 'j1')).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })
      })

      it.each([
        ['done', { done: true }],
        ['to run again later', { done: false, runAt: T0 + HOUR_MS }],
      ] as const)(
        'cancelled while it was running stays cancelled when the stale run answers %s',
        async (_answer, outcome) => {
          const running = gate()
          const release = gate()
          const calls: Instant[] = []
          const scheduler = newScheduler({
            work: async (_job, at) => {
              calls.push(at)
              running.open()
              await release.opened
              return outcome
            },
          })
          await store.scheduleJob(job('j1', T0), T0)

          const round = scheduler.tick()
          await running.opened
          // The case was resolved meanwhile: its re-engagement is cancelled.
          await store.cancelJob('j1', T0)
          release.open()
          await round

          expect(await status(store, 'j1')).toMatchObject({ status: 'cancelled' })
          now = T0 + 2 * HOUR_MS
          expect(await scheduler.runDue()).toBe(0)
          expect(calls).toEqual([T0])
        },
      )
    })

    describe('a failing job', () => {
      it('is retried when its lease ends, not before, with the attempt and the error recorded', async () => {
        let calls = 0
        const scheduler = newScheduler({
          work: () => {
            calls++
            return calls === 1
              ? Promise.reject(new Error('upstream said no'))
              : Promise.resolve({ done: true })
          },
        })
        await store.scheduleJob(job('j1', T0), T0)

        expect(await scheduler.tick()).toBe(1)
        expect(await status(store, 'j1')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'upstream said no',
        })
        expect(logged.join('\n')).toContain('job failed')

        now = T0 + LEASE_MS - 1
        expect(await scheduler.runDue()).toBe(0)
        expect(calls).toBe(1)

        now = T0 + LEASE_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(calls).toBe(2)
        expect(await status(store, 'j1')).toMatchObject({ status: 'done', attempts: 1 })
      })

      it('does not hold up the other jobs of its round', async () => {
        const scheduler = newScheduler({
          work: (ranJob) =>
            ranJob.id === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve({ done: true }),
        })
        await scheduleMany(store, [job('a', T0), job('bad', T0), job('b', T0)])
        expect(await scheduler.runDue()).toBe(3)
        expect((await status(store, 'a')).status).toBe('done')
        expect((await status(store, 'b')).status).toBe('done')
        expect(await status(store, 'bad')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'boom',
        })
      })

      it('is taken over by another scheduler sharing the store once the lease has ended', async () => {
        const failing = newScheduler({ work: () => Promise.reject(new Error('this process is unwell')) })
        const { ran, handler } = recorder()
        const healthy = newScheduler({ work: handler }, {}, await database.open())
        await store.scheduleJob(job('j1', T0), T0)

        expect(await failing.tick()).toBe(1)
        // Still leased to the failing process.
        expect(await healthy.runDue()).toBe(0)
        now = T0 + LEASE_MS - 1
        expect(await healthy.runDue()).toBe(0)

        now = T0 + LEASE_MS
        expect(await healthy.runDue()).toBe(1)
        expect(ran).toEqual(['j1'])
        expect(await status(store, 'j1')).toMatchObject({
          status: 'done',
          attempts: 1,
          lastError: 'this process is unwell',
        })
      })

      it('of a kind without a handler is recorded as failed without stopping the round or the loop', async () => {
        const { ran, handler } = recorder()
        const scheduler = newScheduler({ work: handler }, { pollIntervalMs: 10 })
        await scheduleMany(store, [
          job('known-1', T0),
          job('unknown', T0, 'no-such-kind'),
          job('known-2', T0),
        ])

        expect(await scheduler.tick()).toBe(3)
        expect([...ran].sort()).toEqual(['known-1', 'known-2'])
        expect(await status(store, 'unknown')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'no handler for jobs of kind no-such-kind',
        })

        // The loop keeps going past it: a job due later still runs, and the orphan is tried again after its lease.
        scheduler.start()
        await store.scheduleJob(job('known-3', T0), T0)
        await waitFor('the loop to run the next job', () => ran.includes('known-3'))
        now = T0 + LEASE_MS
        await waitFor(
          'the orphan to be tried again',
          async () => (await status(store, 'unknown')).attempts === 2,
        )
        await scheduler.stop()
        expect(logged.join('\n')).toContain('no handler for jobs of kind no-such-kind')
      })
    })

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
        const scheduler = newScheduler({ work: handler }, { batchSize: 3 })
        await scheduleMany(store, [
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
        expect(await store.countJobs('done')).toBe(4)
        expect(await status(store, 'later')).toMatchObject({ status: 'pending', dueAt: T0 + 1 })

        now = T0 + 1
        expect(await scheduler.tick()).toBe(1)
        expect(batches.at(-1)).toEqual({ ids: ['later'], at: T0 + 1 })
        expect(singles).toEqual([])
        expect(await store.countJobs('done')).toBe(5)
        expect(logged).toEqual([])
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
        const scheduler = newScheduler({ work: handler })
        await scheduleMany(store, [job('a', T0 - 4), job('b', T0 - 3), job('c', T0 - 2), job('d', T0 - 1)])

        expect(await scheduler.tick()).toBe(4)
        expect(batches.map((call) => call.ids)).toEqual([['a', 'b', 'c', 'd']])
        expect(await status(store, 'a')).toMatchObject({ status: 'done', dueAt: T0 - 4 })
        expect(await status(store, 'b')).toMatchObject({
          status: 'pending',
          dueAt: T0 + HOUR_MS,
          attempts: 0,
        })
        expect(await status(store, 'c')).toMatchObject({
          status: 'pending',
          dueAt: T0 + 2 * HOUR_MS,
          attempts: 0,
        })
        expect(await status(store, 'd')).toMatchObject({ status: 'done', dueAt: T0 - 1 })

        now = T0 + HOUR_MS - 1
        expect(await scheduler.runDue()).toBe(0)
        now = T0 + HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(await status(store, 'b')).toMatchObject({ status: 'done' })
        expect(await status(store, 'c')).toMatchObject({ status: 'pending', dueAt: T0 + 2 * HOUR_MS })
        now = T0 + 2 * HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(batches.map((call) => call.ids)).toEqual([['a', 'b', 'c', 'd'], ['b'], ['c']])
        expect(await store.countJobs('done')).toBe(4)
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
          const scheduler = newScheduler({ work: handler })
          await scheduleMany(store, [job('a', T0 - 2), job('bad', T0 - 1), job('b', T0)])

          expect(await scheduler.tick()).toBe(3)
          expect(batches.map((call) => call.ids)).toEqual([['a', 'bad', 'b']])
          expect([...singles].sort()).toEqual(['a', 'b', 'bad'])
          expect(await status(store, 'a')).toMatchObject({ status: 'done', attempts: 0, lastError: null })
          expect(await status(store, 'b')).toMatchObject({ status: 'done', attempts: 0, lastError: null })
          // The single run's error is recorded, not the batch's.
          expect(await status(store, 'bad')).toMatchObject({
            status: 'pending',
            attempts: 1,
            lastError: 'boom',
          })
          expect(logged.join('\n')).toContain('a batch of jobs failed')
          expect(logged.join('\n')).toContain('job failed')

          // Still leased: not tried again until the lease ends.
          now = T0 + LEASE_MS - 1
          expect(await scheduler.runDue()).toBe(0)
          expect(badRuns).toBe(1)

          now = T0 + LEASE_MS
          expect(await scheduler.runDue()).toBe(1)
          expect(batches.map((call) => call.ids)).toEqual([['a', 'bad', 'b'], ['bad']])
          expect(badRuns).toBe(2)
          expect(await status(store, 'bad')).toMatchObject({ status: 'done', attempts: 1, lastError: 'boom' })
          expect(await store.countJobs('done')).toBe(3)
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
          const scheduler = newScheduler({ work: handler })
          await scheduleMany(store, [job('a', T0 - 2), job('b', T0 - 1), job('c', T0)])

          expect(await scheduler.tick()).toBe(3)
          expect([...singles].sort()).toEqual(['a', 'b', 'c'])
          expect(await status(store, 'a')).toMatchObject({ status: 'done', dueAt: T0 - 2 })
          expect(await status(store, 'b')).toMatchObject({ status: 'done', dueAt: T0 - 1 })
          expect(await status(store, 'c')).toMatchObject({ status: 'done', dueAt: T0 })
          expect(logged.join('\n')).toContain(`the work batch returned ${count} outcomes for 3 jobs`)
        },
      )

      it('runs kinds with and without a batch form in one round, each job by its own kind’s handler', async () => {
        const first = batching(allDone)
        const second = batching((jobs) =>
          Promise.resolve(jobs.map((): JobOutcome => ({ done: false, runAt: T0 + HOUR_MS }))),
        )
        const plain = recorder()
        const scheduler = newScheduler({ first: first.handler, second: second.handler, plain: plain.handler })
        // Interleaved by due instant, so grouping by kind is the scheduler's doing.
        await scheduleMany(store, [
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
          expect(await status(store, id)).toMatchObject({ status: 'done' })
        for (const id of ['s1', 's2'])
          expect(await status(store, id)).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })
        expect(await status(store, 'orphan')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'no handler for jobs of kind no-such-kind',
        })
      })

      it('falls back to single runs only for the kind whose batch failed', async () => {
        const broken = batching(() => Promise.reject(new Error('broken batch')))
        const sound = batching(allDone)
        const scheduler = newScheduler({ broken: broken.handler, sound: sound.handler })
        await scheduleMany(store, [
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
        expect(await store.countJobs('done')).toBe(4)
        expect(logged.join('\n')).toContain('broken batch')
      })
    })

    describe('catching up', () => {
      it('runs 1,200 overdue jobs in bounded batches of 500, oldest first', async () => {
        const { ran, handler } = recorder()
        const scheduler = newScheduler({ work: handler }, { batchSize: 500, concurrency: 1 })
        const dueOf = (i: number) => T0 - 2 * HOUR_MS + i * 1_000
        const ids = Array.from({ length: 1_200 }, (_, i) => `late-${String(i).padStart(4, '0')}`)
        // Scheduled in reverse, so insertion order does not happen to be due order.
        await scheduleMany(store, ids.map((id, i) => job(id, dueOf(i))).reverse())

        expect(await scheduler.tick()).toBe(500)
        expect(await scheduler.tick()).toBe(500)
        expect(await scheduler.tick()).toBe(200)
        expect(await scheduler.tick()).toBe(0)
        expect(ran).toEqual(ids)
        expect(await store.countJobs('done')).toBe(1_200)
        expect(await store.countJobs('pending')).toBe(0)
      })
    })

    describe('start() and stop()', () => {
      it('runs due jobs in the background once started', async () => {
        const { ran, handler } = recorder()
        const scheduler = newScheduler({ work: handler }, { pollIntervalMs: 10 })
        await store.scheduleJob(job('j1', T0), T0)
        scheduler.start()
        await waitFor('j1 to run', () => ran.includes('j1'))
        await store.scheduleJob(job('j2', T0), T0)
        await waitFor('j2 to run at a later poll', () => ran.includes('j2'))
        await scheduler.stop()
        expect(await store.countJobs('done')).toBe(2)
      })

      it('stop() waits for the running round to finish, results written', async () => {
        const running = gate()
        const release = gate()
        const scheduler = newScheduler(
          {
            work: async () => {
              running.open()
              await release.opened
              return { done: true }
            },
          },
          { pollIntervalMs: 10 },
        )
        await store.scheduleJob(job('j1', T0), T0)
        scheduler.start()
        await running.opened

        let hasStopped = false
        const stopping = scheduler.stop().then(() => {
          hasStopped = true
        })
        for (let i = 0; i < 20; i++) await yieldToEventLoop()
        // The handler has not returned yet, so stop() cannot have either.
        expect(hasStopped).toBe(false)
        release.open()
        await stopping
        expect(await status(store, 'j1')).toMatchObject({ status: 'done' })
      })

      it('can be started again after stop(), and stopped twice (or before any start) without harm', async () => {
        const { ran, handler } = recorder()
        const scheduler = newScheduler({ work: handler }, { pollIntervalMs: 10 })
        await scheduler.stop()

        scheduler.start()
        scheduler.start()
        await store.scheduleJob(job('first', T0), T0)
        await waitFor('the first job to run', () => ran.includes('first'))
        await Promise.all([scheduler.stop(), scheduler.stop()])
        await scheduler.stop()

        scheduler.start()
        await store.scheduleJob(job('second', T0), T0)
        await waitFor('the second job to run after a restart', () => ran.includes('second'))
        await scheduler.stop()
        expect(ran).toEqual(['first', 'second'])
      })

      it('runs one loop when start() comes before a stop() has finished: the stop resolves, rounds never overlap', async () => {
        const ran: string[] = []
        let running = 0
        let mostAtOnce = 0
        let open: () => void = () => undefined
        const gate = new Promise<void>((resolve) => {
          open = resolve
        })
        const handler: JobHandler = async (ranJob) => {
          running++
          mostAtOnce = Math.max(mostAtOnce, running)
          if (ranJob.id === 'slow') await gate
          ran.push(ranJob.id)
          running--
          return { done: true }
        }
        const scheduler = newScheduler({ work: handler }, { pollIntervalMs: 10, concurrency: 1 })
        await store.scheduleJob(job('slow', T0), T0)
        scheduler.start()
        await waitFor('the slow job to start', () => running === 1)

        const stopping = scheduler.stop()
        scheduler.start()
        await store.scheduleJob(job('next', T0), T0)
        open()
        await stopping
        await waitFor('the restarted loop to run the next job', () => ran.includes('next'))
        await scheduler.stop()

        expect(ran).toEqual(['slow', 'next'])
        expect(mostAtOnce).toBe(1)
      })

      it('stop() ends an idle loop at once, without waiting out the poll interval', async () => {
        const { handler } = recorder()
        // An hour-long poll: if stop() waited for it, the test would time out.
        const scheduler = newScheduler({ work: handler }, { pollIntervalMs: HOUR_MS })
        scheduler.start()
        await scheduler.stop()
        expect(await scheduler.tick()).toBe(0)
      })

      it('kick() wakes an idle loop to look at once', async () => {
        const { ran, handler } = recorder()
        // With an hour between polls, only the kick can make the loop look again within the test.
        const scheduler = newScheduler({ work: handler }, { pollIntervalMs: HOUR_MS })
        scheduler.start()
        // The loop's first round finds nothing; let it go idle.
        for (let i = 0; i < 20; i++) await yieldToEventLoop()
        await store.scheduleJob(job('j1', T0), T0)
        scheduler.kick()
        await waitFor('the kicked loop to run j1', () => ran.includes('j1'))
        await scheduler.stop()
      })

      it('does not lose a kick() that comes while a round is running', async () => {
        const running = gate()
        const release = gate()
        const ran: string[] = []
        const scheduler = newScheduler(
          {
            work: async (ranJob) => {
              ran.push(ranJob.id)
              if (ranJob.id === 'slow') {
                running.open()
                await release.opened
              }
              return { done: true }
            },
          },
          { pollIntervalMs: HOUR_MS },
        )
        await store.scheduleJob(job('slow', T0), T0)
        scheduler.start()
        await running.opened
        // Something becomes due while the round runs (a hold to release), and the loop is told so.
        await store.scheduleJob(job('urgent', T0), T0)
        scheduler.kick()
        release.open()
        await waitFor('the job kicked during the round to run', () => ran.includes('urgent'))
        await scheduler.stop()
      })
    })
  })
}

describe('two schedulers on one PostgreSQL database', () => {
  let database: TestDatabase
  beforeEach(async () => {
    database = await createDatabase('postgres')
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
