import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/store/test-databases.js'
import {
  gate,
  HOUR_MS,
  job,
  recorder,
  schedulerHarness,
  status,
  T0,
} from '../../test/support/scheduler-harness.js'
import { waitFor } from '../../test/support/wait.js'
import type { JobHandler } from './scheduler.js'

for (const dialect of DIALECTS) {
  // Generous limits for a loaded machine; a loop that misses a wake-up fails on waitFor's own timeout, with its message.
  describe(`the scheduler on ${dialect.name}`, { timeout: 60_000 }, () => {
    const harness = schedulerHarness(dialect)

    describe('start() and stop()', () => {
      it('runs due jobs in the background once started', async () => {
        const { ran, handler } = recorder()
        const scheduler = harness.newScheduler({ work: handler }, { pollIntervalMs: 10 })
        await harness.store.scheduleJob(job('j1', T0), T0)
        scheduler.start()
        await waitFor('j1 to run', () => ran.includes('j1'))
        await harness.store.scheduleJob(job('j2', T0), T0)
        await waitFor('j2 to run at a later poll', () => ran.includes('j2'))
        await scheduler.stop()
        expect(await harness.store.countJobs('done')).toBe(2)
      })

      it('stop() waits for the running round to finish, results written', async () => {
        const running = gate()
        const release = gate()
        const scheduler = harness.newScheduler(
          {
            work: async () => {
              running.open()
              await release.opened
              return { done: true }
            },
          },
          { pollIntervalMs: 10 },
        )
        await harness.store.scheduleJob(job('j1', T0), T0)
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
        expect(await status(harness.store, 'j1')).toMatchObject({ status: 'done' })
      })

      it('can be started again after stop(), and stopped twice (or before any start) without harm', async () => {
        const { ran, handler } = recorder()
        const scheduler = harness.newScheduler({ work: handler }, { pollIntervalMs: 10 })
        await scheduler.stop()

        scheduler.start()
        scheduler.start()
        await harness.store.scheduleJob(job('first', T0), T0)
        await waitFor('the first job to run', () => ran.includes('first'))
        await Promise.all([scheduler.stop(), scheduler.stop()])
        await scheduler.stop()

        scheduler.start()
        await harness.store.scheduleJob(job('second', T0), T0)
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
        const scheduler = harness.newScheduler({ work: handler }, { pollIntervalMs: 10, concurrency: 1 })
        await harness.store.scheduleJob(job('slow', T0), T0)
        scheduler.start()
        await waitFor('the slow job to start', () => running === 1)

        const stopping = scheduler.stop()
        scheduler.start()
        await harness.store.scheduleJob(job('next', T0), T0)
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
        const scheduler = harness.newScheduler({ work: handler }, { pollIntervalMs: HOUR_MS })
        scheduler.start()
        await scheduler.stop()
        expect(await scheduler.tick()).toBe(0)
      })

      it('kick() wakes an idle loop to look at once', async () => {
        const { ran, handler } = recorder()
        // With an hour between polls, only the kick can make the loop look again within the test.
        const scheduler = harness.newScheduler({ work: handler }, { pollIntervalMs: HOUR_MS })
        scheduler.start()
        // The loop's first round finds nothing; let it go idle.
        for (let i = 0; i < 20; i++) await yieldToEventLoop()
        await harness.store.scheduleJob(job('j1', T0), T0)
        scheduler.kick()
        await waitFor('the kicked loop to run j1', () => ran.includes('j1'))
        await scheduler.stop()
      })

      it('does not lose a kick() that comes while a round is running', async () => {
        const running = gate()
        const release = gate()
        const ran: string[] = []
        const scheduler = harness.newScheduler(
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
        await harness.store.scheduleJob(job('slow', T0), T0)
        scheduler.start()
        await running.opened
        // Something becomes due while the round runs (a hold to release), and the loop is told so.
        await harness.store.scheduleJob(job('urgent', T0), T0)
        scheduler.kick()
        release.open()
        await waitFor('the job kicked during the round to run', () => ran.includes('urgent'))
        await scheduler.stop()
      })
    })
  })
}
