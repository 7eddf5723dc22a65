import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/store/test-databases.js'
import { gate, HOUR_MS, job, schedulerHarness, status, T0 } from '../../test/support/scheduler-harness.js'
import type { Instant } from '../domain/index.js'

for (const dialect of DIALECTS) {
  // Generous limits for a loaded machine.
  describe(`the scheduler on ${dialect.name}`, { timeout: 60_000 }, () => {
    const harness = schedulerHarness(dialect)

    describe('a job that is not done yet', () => {
      it('runs again at the instant its handler asked for, and not before', async () => {
        const calls: Instant[] = []
        const scheduler = harness.newScheduler({
          work: (_job, at) => {
            calls.push(at)
            return Promise.resolve(calls.length === 1 ? { done: false, runAt: T0 + HOUR_MS } : { done: true })
          },
        })
        await harness.store.scheduleJob(job('j1', T0), T0)

        expect(await scheduler.runDue()).toBe(1)
        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })

        harness.now = T0 + HOUR_MS - 1
        expect(await scheduler.runDue()).toBe(0)
        harness.now = T0 + HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(calls).toEqual([T0, T0 + HOUR_MS])
        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'done', dueAt: T0 + HOUR_MS })
      })

      it('moved (scheduled again) while it was running is not marked done by the stale run', async () => {
        const running = gate()
        const release = gate()
        const calls: Instant[] = []
        const scheduler = harness.newScheduler({
          work: async (_job, at) => {
            calls.push(at)
            if (calls.length === 1) {
              running.open()
              await release.opened
            }
            return { done: true }
          },
        })
        await harness.store.scheduleJob(job('j1', T0), T0)

        const round = scheduler.tick()
        await running.opened
        // The customer wrote meanwhile: the job moves to the new window's instant.
        expect(await harness.store.scheduleJob(job('j1', T0 + HOUR_MS), T0)).toBe('pending')
        release.open()
        expect(await round).toBe(1)

        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })
        harness.now = T0 + HOUR_MS
        expect(await scheduler.runDue()).toBe(1)
        expect(calls).toEqual([T0, T0 + HOUR_MS])
        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'done' })
      })

      it('moved while its handler asked for a later run keeps the move, not the stale request', async () => {
        const running = gate()
        const release = gate()
        const scheduler = harness.newScheduler({
          work: async () => {
            running.open()
            await release.opened
            return { done: false, runAt: T0 + 5 * HOUR_MS }
          },
        })
        await harness.store.scheduleJob(job('j1', T0), T0)

        const round = scheduler.tick()
        await running.opened
        await harness.store.scheduleJob(job('j1', T0 + HOUR_MS), T0)
        release.open()
        await round

        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'pending', dueAt: T0 + HOUR_MS })
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
          const scheduler = harness.newScheduler({
            work: async (_job, at) => {
              calls.push(at)
              running.open()
              await release.opened
              return outcome
            },
          })
          await harness.store.scheduleJob(job('j1', T0), T0)

          const round = scheduler.tick()
          await running.opened
          // The case was resolved meanwhile: its re-engagement is cancelled.
          await harness.store.cancelJob('j1', T0)
          release.open()
          await round

          expect(await status(harness.store, 'j1')).toMatchObject({ status: 'cancelled' })
          harness.now = T0 + 2 * HOUR_MS
          expect(await scheduler.runDue()).toBe(0)
          expect(calls).toEqual([T0])
        },
      )
    })
  })
}
