import pino from 'pino'
import { afterEach, beforeEach } from 'vitest'
import type { Instant } from '../../src/domain/index.js'
import { Scheduler, type JobHandler, type SchedulerOptions } from '../../src/scheduler/scheduler.js'
import type { Clock } from '../../src/shared/clock.js'
import type { JobRecord, Store } from '../../src/store/store.js'
import { channel, tenant } from '../store/records.js'
import type { TestDatabase, TestDialect } from '../store/test-databases.js'

/**
 * What the scheduler's tests (src/scheduler/scheduler-*.test.ts) share: jobs for one channel, a clock the test
 * moves, and schedulers on a database of their own, stopped after each test.
 */

/** 2025-09-01 10:00 UTC. */
export const T0: Instant = Date.parse('2025-09-01T10:00:00Z')
/** An hour, in milliseconds. */
export const HOUR_MS = 3_600_000
/** The lease the tests' schedulers take on a job they run. */
export const LEASE_MS = 60_000
/** The channel the tests' jobs belong to. */
export const CHANNEL_ID = 'channel-1'

/** A job of `kind` for the test channel (jobs belong to a channel: a foreign key). */
export function job(id: string, dueAt: Instant, kind = 'work'): Parameters<Store['scheduleJob']>[0] {
  return { id, kind, channelId: CHANNEL_ID, contactId: '31612345678', dueAt, payload: { n: id } }
}

/** Schedules many jobs, a few at a time (PostgreSQL has a pool; SQLite serialises them anyway). */
export async function scheduleMany(
  store: Store,
  jobs: readonly Parameters<Store['scheduleJob']>[0][],
): Promise<void> {
  for (let start = 0; start < jobs.length; start += 10)
    await Promise.all(jobs.slice(start, start + 10).map((each) => store.scheduleJob(each, T0)))
}

/** A promise the test resolves itself: a handler waits on it to stay "running". */
export function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/** The job `id` as stored; throws when there is none. */
export async function status(store: Store, id: string): Promise<JobRecord> {
  const found = await store.getJob(id)
  if (found === undefined) throw new Error(`no job ${id}`)
  return found
}

/** A handler that records the id of every job it ran, in order, and is done. */
export function recorder(): { readonly ran: string[]; readonly handler: JobHandler } {
  const ran: string[] = []
  return {
    ran,
    handler: (ranJob) => {
      ran.push(ranJob.id)
      return Promise.resolve({ done: true })
    },
  }
}

/** A test's database, store and clock, fresh for each test of the suite that made it. */
export interface SchedulerHarness {
  /** The test's database, on which more stores can be opened (another process's, say). */
  readonly database: TestDatabase
  /** A store on it, with the test channel (and its tenant) in place. */
  readonly store: Store
  /** The instant the schedulers' clock reads: T0 when a test starts; the test moves it. */
  now: Instant
  /** Warnings and errors the schedulers logged. */
  readonly logged: readonly string[]
  /** A scheduler on `on` (the test's store unless told) with the test's clock; stopped after the test. */
  newScheduler(
    handlers: Record<string, JobHandler>,
    options?: Partial<SchedulerOptions>,
    on?: Store,
  ): Scheduler
}

/**
 * Gives each test of the calling suite a database of its own on `dialect`, and deletes it afterwards: call it in a
 * `describe` block, outside the tests.
 */
export function schedulerHarness(dialect: TestDialect): SchedulerHarness {
  let database: TestDatabase
  let store: Store
  let now: Instant = T0
  let logged: string[] = []
  const clock: Clock = () => now
  const schedulers: Scheduler[] = []

  beforeEach(async () => {
    now = T0
    logged = []
    database = await dialect.createDatabase()
    store = await database.open()
    await store.upsertTenant(tenant())
    await store.upsertChannel(channel({ id: CHANNEL_ID }))
  })

  afterEach(async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.stop()
    await database.destroy()
  })

  return {
    get database() {
      return database
    },
    get store() {
      return store
    },
    get now() {
      return now
    },
    set now(at: Instant) {
      now = at
    },
    get logged() {
      return logged
    },
    newScheduler(handlers, options = {}, on = store) {
      const scheduler = new Scheduler(
        on,
        clock,
        handlers,
        pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }),
        { batchSize: 500, leaseMs: LEASE_MS, pollIntervalMs: HOUR_MS, concurrency: 8, ...options },
      )
      schedulers.push(scheduler)
      return scheduler
    },
  }
}
