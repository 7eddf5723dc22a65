import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/store/test-databases.js'
import {
  job,
  LEASE_MS,
  recorder,
  scheduleMany,
  schedulerHarness,
  status,
  T0,
} from '../../test/support/scheduler-harness.js'
import { waitFor } from '../../test/support/wait.js'

for (const dialect of DIALECTS) {
  // Generous limits for a loaded machine; a loop that misses a wake-up fails on waitFor's own timeout, with its message.
  describe(`the scheduler on ${dialect.name}`, { timeout: 60_000 }, () => {
    const harness = schedulerHarness(dialect)

    describe('a failing job', () => {
      it('is retried when its lease ends, not before, with the attempt and the error recorded', async () => {
        let calls = 0
        const scheduler = harness.newScheduler({
          work: () => {
            calls++
            return calls === 1
              ? Promise.reject(new Error('upstream said no'))
              : Promise.resolve({ done: true })
          },
        })
        await harness.store.scheduleJob(job('j1', T0), T0)

        expect(await scheduler.tick()).toBe(1)
        expect(await status(harness.store, 'j1')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'upstream said no',
        })
        expect(harness.logged.join('\n')).toContain('job failed')

        harness.now = T0 + LEASE_MS - 1
        expect(await scheduler.runDue()).toBe(0)
        expect(calls).toBe(1)

        harness.now = T0 + LEASE_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(calls).toBe(2)
        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'done', attempts: 1 })
      })

      it('does not hold up the other jobs of its round', async () => {
        const scheduler = harness.newScheduler({
          work: (ranJob) =>
            ranJob.id === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve({ done: true }),
        })
        await scheduleMany(harness.store, [job('a', T0), job('bad', T0), job('b', T0)])
        expect(await scheduler.runDue()).toBe(3)
        expect((await status(harness.store, 'a')).status).toBe('done')
        expect((await status(harness.store, 'b')).status).toBe('done')
        expect(await status(harness.store, 'bad')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'boom',
        })
      })

      it('is taken over by another scheduler sharing the store once the lease has ended', async () => {
        const failing = harness.newScheduler({
          work: () => Promise.reject(new Error('this process is unwell')),
        })
        const { ran, handler } = recorder()
        const healthy = harness.newScheduler({ work: handler }, {}, await harness.database.open())
        await harness.store.scheduleJob(job('j1', T0), T0)

        expect(await failing.tick()).toBe(1)
        // Still leased to the failing process.
        expect(await healthy.runDue()).toBe(0)
        harness.now = T0 + LEASE_MS - 1
        expect(await healthy.runDue()).toBe(0)

        harness.now = T0 + LEASE_MS
        expect(await healthy.runDue()).toBe(1)
        expect(ran).toEqual(['j1'])
        expect(await status(harness.store, 'j1')).toMatchObject({
          status: 'done',
          attempts: 1,
          lastError: 'this process is unwell',
        })
      })

      it('of a kind without a handler is recorded as failed without stopping the round or the loop', async () => {
        const { ran, handler } = recorder()
        const scheduler = harness.newScheduler({ work: handler }, { pollIntervalMs: 10 })
        await scheduleMany(harness.store, [
          job('known-1', T0),
          job('unknown', T0, 'no-such-kind'),
          job('known-2', T0),
        ])

        expect(await scheduler.tick()).toBe(3)
        expect([...ran].sort()).toEqual(['known-1', 'known-2'])
        expect(await status(harness.store, 'unknown')).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'no handler for jobs of kind no-such-kind',
        })

        // The loop keeps going past it: a job due later still runs, and the orphan is tried again after its lease.
        scheduler.start()
        await harness.store.scheduleJob(job('known-3', T0), T0)
        await waitFor('the loop to run the next job', () => ran.includes('known-3'))
        harness.now = T0 + LEASE_MS
        await waitFor(
          'the orphan to be tried again',
          async () => (await status(harness.store, 'unknown')).attempts === 2,
        )
        await scheduler.stop()
        expect(harness.logged.join('\n')).toContain('no handler for jobs of kind no-such-kind')
      })
    })
  })
}
