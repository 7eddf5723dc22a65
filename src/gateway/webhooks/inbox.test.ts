import { describe, expect, it } from 'vitest'
import { AT, inboxHarness } from '../../../test/support/inbox-harness.js'
import { GatewayError } from '../../shared/errors.js'
import type { NotificationRecord } from '../../store/store.js'
import type { Inbox } from './inbox.js'
import { MAX_ATTEMPTS, RETRY_BASE_MS, type NotificationHandler } from './inbox.js'

describe('the inbox of stored webhook notifications', () => {
  const harness = inboxHarness()
  const { receive, stored, inboxWith, counting, poll } = harness

  it('lets the event loop take turns while it works off a backlog (requests are answered meanwhile)', async () => {
    await receive(Array.from({ length: 1_000 }, (_, index) => `n${index}`))
    let processed = 0
    const processedAtTurns: number[] = []
    const inbox = inboxWith(counting(() => processed++))
    // Stands for a request waiting on the loop: at each turn it gets, it notes how far the inbox had come.
    let isWatching = true
    const watch = (): void => {
      processedAtTurns.push(processed)
      if (isWatching) setImmediate(watch)
    }
    setImmediate(watch)
    await poll(inbox, 1)
    isWatching = false
    expect(processed).toBe(1_000)
    // On SQLite a batch never waits on I/O; without a turn between batches, the first turn came after all of them.
    expect(processedAtTurns.some((count) => count > 0 && count < 1_000)).toBe(true)
  })

  it('drains what was stored before the call, not the notifications that keep arriving after it', async () => {
    const [first, second] = await receive(['before-1', 'before-2'])
    let isStreaming = true
    let arrived = 0
    // Each notification processed brings another one, as a steady webhook stream would: the inbox is never empty.
    const inbox: Inbox = inboxWith(async (tx, notification) => {
      if (!isStreaming) return
      arrived++
      inbox.kick()
      await tx.insertNotifications([
        {
          platform: 'whatsapp',
          body: `after-${notification.id}`,
          signature: 's',
          receivedAt: AT,
          subjects: [],
        },
      ])
    })
    const pending = (): number[] =>
      stored()
        .filter((notification) => !notification.processed)
        .map((notification) => notification.id)

    await inbox.drain()
    const left = pending()
    isStreaming = false
    expect(left).not.toContain(first)
    expect(left).not.toContain(second)
    expect(arrived).toBeGreaterThanOrEqual(2)
    await inbox.stop()
  })

  it('stops after the batch in progress, leaving the backlog stored for the next start', async () => {
    await receive(Array.from({ length: 1_000 }, (_, index) => `n${index}`))
    const seen: string[] = []
    const handler: NotificationHandler = (_tx, notification) =>
      Promise.resolve(void seen.push(notification.body))
    const first = inboxWith(handler)
    first.kick()
    while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve))
    await first.stop()
    const left = stored().filter((notification) => !notification.processed).length
    expect(left).toBeGreaterThan(0)
    expect(seen).toHaveLength(1_000 - left)

    const next = inboxWith(handler)
    await poll(next, 1)
    expect(seen).toEqual(Array.from({ length: 1_000 }, (_, index) => `n${index}`))
    expect(stored().every((notification) => notification.processed)).toBe(true)
  })

  it('answers a drain asked for while it stops once it has stopped, with everything before it applied', async () => {
    await receive(Array.from({ length: 1_000 }, (_, index) => `n${index}`))
    let processed = 0
    const inbox = inboxWith(counting(() => processed++))
    inbox.kick()
    while (processed === 0) await new Promise((resolve) => setImmediate(resolve))
    const stopped = inbox.stop()
    const drained = inbox.drain()
    await stopped
    await drained
    expect(processed).toBe(1_000)
    expect(stored().every((notification) => notification.processed)).toBe(true)
  })

  it('processes first what a decision about one contact waits for, and answers it without the rest', async () => {
    const notification = (body: string, subjects: readonly string[] | null) => ({
      platform: 'whatsapp' as const,
      body,
      signature: 'sha256=00',
      receivedAt: AT,
      subjects,
    })
    await harness.store.insertNotifications([
      ...Array.from({ length: 500 }, (_, index) => notification(`kim-${index}`, ['whatsapp:1:kim'])),
      notification('unscoped', null),
      notification('kim-and-sam', ['whatsapp:1:kim', 'whatsapp:1:sam']),
      ...Array.from({ length: 500 }, (_, index) => notification(`kim-${500 + index}`, ['whatsapp:1:kim'])),
      notification('sam', ['whatsapp:1:sam']),
    ])
    const seen: string[] = []
    const inbox = inboxWith((_tx, stored) => Promise.resolve(void seen.push(stored.body)))
    await inbox.drain(['whatsapp:1:sam'])
    // Sam's notifications, and the unscoped one before them (it could change any decision), came before Kim's backlog.
    expect(seen.slice(0, 3)).toEqual(['unscoped', 'kim-and-sam', 'sam'])
    await inbox.stop()
    await poll(inbox, 1)
    expect(seen).toHaveLength(1_003)
    expect(new Set(seen).size).toBe(1_003)
  })

  it('processes every notification once, in arrival order', async () => {
    await receive(['a', 'b', 'c'])
    const seen: string[] = []
    const inbox = inboxWith((_tx, notification) => Promise.resolve(void seen.push(notification.body)))
    await poll(inbox, 3)
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(stored().every((notification) => notification.processed && notification.error === null)).toBe(true)
  })

  it('sets a notification that fails for a moment aside, goes on with the others, and applies it once its retry is due', async () => {
    await receive(['a', 'flaky', 'c'])
    const seen: string[] = []
    let flakyFailures = 2
    const handler: NotificationHandler = (_tx, notification: NotificationRecord) => {
      if (notification.body === 'flaky' && flakyFailures-- > 0)
        return Promise.reject(new Error('deadlock detected'))
      seen.push(notification.body)
      return Promise.resolve()
    }
    const inbox = inboxWith(handler)
    await poll(inbox, 1)
    // 'a' ran twice: first in the batch the failure rolled back, then on its own; 'c' did not wait for 'flaky'.
    expect(seen).toEqual(['a', 'a', 'c'])
    expect(stored().map((notification) => notification.processed)).toEqual([true, false, true])
    // Its first retry is due a second later.
    harness.now += RETRY_BASE_MS - 1
    await poll(inbox, 1)
    expect(seen).toEqual(['a', 'a', 'c'])
    harness.now += 1
    await poll(inbox, 1)
    expect(seen).toEqual(['a', 'a', 'c', 'flaky'])
    expect(stored()).toEqual([
      { id: 1, processed: true, error: null, isDead: false },
      { id: 2, processed: true, error: null, isDead: false },
      { id: 3, processed: true, error: null, isDead: false },
    ])
  })

  it(`keeps a notification that never applies as a dead letter after ${MAX_ATTEMPTS} tries; the others are processed`, async () => {
    await receive(['a', 'poison', 'c'])
    let poisonTries = 0
    const handler: NotificationHandler = (_tx, notification) => {
      if (notification.body !== 'poison') return Promise.resolve()
      poisonTries++
      return Promise.reject(new Error('unexpected notification shape'))
    }
    const inbox = inboxWith(handler)
    await poll(inbox, 1)
    expect(stored().map((notification) => notification.processed)).toEqual([true, false, true])
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      harness.now += RETRY_BASE_MS * 2 ** (attempt - 1)
      await poll(inbox, 1)
    }
    expect(stored()).toEqual([
      { id: 1, processed: true, error: null, isDead: false },
      { id: 2, processed: false, error: 'unexpected notification shape', isDead: true },
      { id: 3, processed: true, error: null, isDead: false },
    ])
    const tries = poisonTries
    harness.now += 3_600_000
    await poll(inbox, 3)
    expect(poisonTries).toBe(tries)
  })

  it('does not count a failure of the database itself against a notification', async () => {
    await receive(['a'])
    let isDown = true
    const inbox = inboxWith(
      () => (isDown ? Promise.reject(new Error('connection terminated')) : Promise.resolve()),
      { isPassing: (error) => error instanceof Error && error.message === 'connection terminated' },
    )
    await poll(inbox, 2 * MAX_ATTEMPTS)
    expect(stored()).toEqual([{ id: 1, processed: false, error: null, isDead: false }])
    isDown = false
    await poll(inbox, 1)
    expect(stored()).toEqual([{ id: 1, processed: true, error: null, isDead: false }])
  })

  describe('a decision that waits for notifications about its subjects', () => {
    const SAM = 'whatsapp:1:sam'

    const refusal = async (waiting: Promise<void>): Promise<GatewayError> => {
      const error: unknown = await waiting.then(
        () => new Error('the decision went ahead'),
        (problem: unknown) => problem,
      )
      if (!(error instanceof GatewayError)) throw error
      return error
    }

    it('goes ahead once they are applied, at once when there are none', async () => {
      await receive(['sam'], [SAM])
      const seen: string[] = []
      const inbox = inboxWith((_tx, notification) => Promise.resolve(void seen.push(notification.body)))
      await inbox.drain([SAM])
      expect(seen).toEqual(['sam'])
      await inbox.drain(['whatsapp:1:nobody'])
    })

    it('is refused, naming the notification and how to fix it, while one of them is a dead letter', async () => {
      const [first, poison] = await receive(['first', 'poison'], [SAM])
      let isPoisoned = true
      const inbox = inboxWith(
        (_tx, notification) =>
          isPoisoned && notification.body === 'poison'
            ? Promise.reject(new Error('bad shape'))
            : Promise.resolve(),
        { subjectsOf: () => [SAM] },
      )
      await poll(inbox, 1)
      for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
        harness.now += RETRY_BASE_MS * 2 ** (attempt - 1)
        await poll(inbox, 1)
      }

      const error = await refusal(inbox.drain([SAM]))
      expect(error.key).toBe('CONTACT_STATE_UNKNOWN')
      expect(error.details).toContain(
        `notification ${poison}, which can change this decision, could not be applied (bad shape)`,
      )
      expect(error.details).toContain(`POST /v1/dead-letters/${poison}/retry`)
      // Decisions about other contacts go ahead.
      await inbox.drain(['whatsapp:1:kim'])

      isPoisoned = false
      expect(await harness.store.retryDeadNotification(poison!)).toBe(true)
      await inbox.drain([SAM])
      expect(stored().map((notification) => notification.processed)).toEqual([true, true])
      expect(first).toBe(1)
    })

    it('is refused with Retry-After when one of them waits for a retry later than the decision may wait', async () => {
      await receive(['flaky'], [SAM])
      const inbox = inboxWith(() => Promise.reject(new Error('deadlock detected')), { decisionWaitMs: 100 })
      await poll(inbox, 1)

      const error = await refusal(inbox.drain([SAM]))
      expect(error.key).toBe('CONTACT_STATE_PENDING')
      expect(error.details).toMatch(/failed to apply \(deadlock detected\) and is tried again in 1 s/)
      expect(error.retryAfterSeconds).toBe(1)
    })

    it('is refused with Retry-After, not kept waiting, when they are not applied within decisionWaitMs', async () => {
      await receive(['slow'], [SAM])
      let release = (): void => undefined
      const inbox = inboxWith(() => new Promise<void>((resolve) => (release = resolve)), {
        decisionWaitMs: 50,
      })

      const error = await refusal(inbox.drain([SAM]))
      expect(error.key).toBe('CONTACT_STATE_PENDING')
      expect(error.details).toMatch(/not applied within inbox\.decision_wait_ms \(50 ms\)/)
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1)
      release()
      await inbox.stop()
    })
  })

  it('rolls back what a failed notification wrote, so a retry does not apply it twice', async () => {
    await receive(['flaky'])
    let failures = 1
    const handler: NotificationHandler = async (tx) => {
      await tx.upsertTenant({
        id: `tenant-${failures}`,
        name: 'Acme',
        webhookUrl: null,
        webhookSecret: null,
        createdAt: AT,
      })
      if (failures-- > 0) throw new Error('deadlock detected')
    }
    const inbox = inboxWith(handler)
    await poll(inbox, 3)
    expect(await harness.store.getTenant('tenant-1')).toBeUndefined()
    expect(await harness.store.getTenant('tenant-0')).toBeDefined()
  })
})
