import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AT, inboxHarness } from '../../../test/support/inbox-harness.js'
import { Inbox, type InboxPacing, type NotificationHandler } from './inbox.js'

describe('the inbox of stored webhook notifications', () => {
  const harness = inboxHarness()
  const { receive, stored, counting } = harness

  describe('while requests keep coming (pacing)', () => {
    const MINUTE = 60_000
    let answered = 0
    let processed = 0
    // Every notification processed stands for a request answered meanwhile: the loop is busy serving.
    const busyHandler: NotificationHandler = () => {
      processed++
      answered++
      return Promise.resolve()
    }
    const pacing: InboxPacing = { answered: () => answered, minShare: 0.1, fullSpeedLagMs: MINUTE }

    beforeEach(() => {
      answered = 0
      processed = 0
      // Only rests use setTimeout; turns of the loop (setImmediate) stay real.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    })

    afterEach(() => {
      vi.useRealTimers()
    })

    const turns = async (count: number): Promise<void> => {
      for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve))
    }

    /** Lets the loop turn until `isDone` holds, or gives up after many turns. */
    const until = async (isDone: () => boolean): Promise<void> => {
      for (let turn = 0; turn < 10_000 && !isDone(); turn++) await turns(1)
    }

    const pacedInbox = (
      at: number,
      handler: NotificationHandler = busyHandler,
      paced: InboxPacing = pacing,
    ): Inbox => new Inbox(harness.store, () => at, handler, pino({ level: 'silent' }), { pacing: paced })

    const BACKLOG = 250
    const storeBacklog = () => receive(Array.from({ length: BACKLOG }, (_, index) => `n${index}`))

    /** Works off the backlog without a single rest (no timer is ever set), then stops. */
    const expectNoRest = async (inbox: Inbox): Promise<void> => {
      inbox.kick()
      await until(() => processed === BACKLOG)
      expect(processed).toBe(BACKLOG)
      expect(vi.getTimerCount()).toBe(0)
      await inbox.stop()
    }

    it('rests after a batch while requests were answered during it, and goes on when the rest is over', async () => {
      await storeBacklog()
      const inbox = pacedInbox(AT + 1_000)
      inbox.kick()
      await until(() => processed >= 100)
      await turns(50)
      expect(processed).toBe(100)
      expect(vi.getTimerCount()).toBe(1)
      await vi.advanceTimersToNextTimerAsync()
      await until(() => processed >= 200)
      await turns(50)
      expect(processed).toBe(200)
      await inbox.stop()
      expect(processed).toBe(250)
    })

    it('keeps resting while requests keep coming, and ends the rest a slice after they stop', async () => {
      await storeBacklog()
      // A slow first batch (2 ms a notification) earns a rest of several slices.
      const inbox = pacedInbox(AT + 1_000, () => {
        const spinUntil = performance.now() + (processed < 100 ? 2 : 0)
        while (performance.now() < spinUntil);
        processed++
        answered++
        return Promise.resolve()
      })
      inbox.kick()
      await until(() => processed >= 100)
      await turns(50)
      expect(vi.getTimerCount()).toBe(1)
      // Requests keep coming during the rest: it goes on, slice after slice.
      for (let slice = 0; slice < 3; slice++) {
        answered++
        await vi.advanceTimersToNextTimerAsync()
        await turns(50)
        expect(processed).toBe(100)
        expect(vi.getTimerCount()).toBe(1)
      }
      // A slice without a request: the storm has passed, and processing goes on at once.
      await vi.advanceTimersToNextTimerAsync()
      await until(() => processed >= 200)
      expect(processed).toBeGreaterThanOrEqual(200)
      await inbox.stop()
    })

    it('does not rest when no request was answered during the batch', async () => {
      await storeBacklog()
      await expectNoRest(
        pacedInbox(
          AT + 1_000,
          counting(() => processed++),
        ),
      )
    })

    it('takes the whole loop once the backlog is as old as fullSpeedLagMs, so a storm cannot grow it for ever', async () => {
      await storeBacklog()
      await expectNoRest(pacedInbox(AT + MINUTE))
    })

    it('never rests when the lag allowed is 0 (inbox.max_lag_ms: 0)', async () => {
      await storeBacklog()
      await expectNoRest(pacedInbox(AT, busyHandler, { ...pacing, fullSpeedLagMs: 0 }))
    })

    it('ends its rest when a decision drains the inbox, and goes at full speed until the drain is answered', async () => {
      await storeBacklog()
      const inbox = pacedInbox(AT + 1_000)
      inbox.kick()
      await until(() => processed >= 100)
      await turns(10)
      expect(vi.getTimerCount()).toBe(1)
      // No timer is advanced: the drain alone has to get the other 150 processed.
      await inbox.drain()
      expect(processed).toBe(250)
      expect(stored().every((notification) => notification.processed)).toBe(true)
      await inbox.stop()
    })
  })
})
