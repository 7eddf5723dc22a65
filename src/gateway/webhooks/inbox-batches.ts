import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.js'
import type { NotificationRecord, Store } from '../../store/store.js'
import { recordFailure } from './notification-failures.js'
import type { WaitingDecisions } from './waiting-decisions.js'

/** Processes one stored notification inside the transaction that marks it processed. */
export type NotificationHandler = (tx: Store, notification: NotificationRecord) => Promise<void>

/** Notifications processed per transaction. */
export const BATCH = 100

/** What a batch of the inbox works with (inbox.ts). */
export interface BatchContext {
  readonly store: Store
  readonly clock: Clock
  readonly handler: NotificationHandler
  readonly logger: Logger
  /** The subjects decisions are waiting for: their notifications go first. */
  readonly waiting: WaitingDecisions
  /** Whether a failure is the database's, not the notification's (see InboxOptions). */
  readonly isPassing: (error: unknown) => boolean
  /** What a notification concerns, read from its body. */
  readonly subjectsOf: (notification: NotificationRecord) => readonly string[]
  /** A notification's try failed: it is tried again later, or (`isDead`) kept as a dead letter. */
  readonly onSetAside: (isDead: boolean) => void
}

/** What a batch did. */
export interface BatchOutcome {
  readonly processed: number
  /** When the oldest notification of the batch was received (null when the batch does not say). */
  readonly oldestReceivedAt: number | null
  /**
   * Claimed for a decision's subjects, or ended early for a decision that started waiting: either way a short batch
   * says nothing about the rest of the inbox.
   */
  readonly isPartial: boolean
}

/**
 * One batch: the notifications a waiting decision needs first (one subject list per batch, in turn), otherwise the
 * oldest. A batch for subjects says nothing about the rest of the inbox, so the run goes on after it.
 */
export async function processBatch(c: BatchContext): Promise<BatchOutcome> {
  const subjects = c.waiting.next()
  try {
    return await c.store.transaction(async (tx) => {
      const notifications = await tx.claimNotifications(BATCH, c.clock(), subjects)
      const processed: number[] = []
      let hasYielded = false
      for (const notification of notifications) {
        // A decision started waiting: what this batch holds is committed now and the rest released, so the
        // notifications it waits for are never stuck behind a long batch (on PostgreSQL one takes seconds in a storm).
        if (subjects === undefined && processed.length > 0 && c.waiting.isAnyWaiting) {
          hasYielded = true
          break
        }
        await c.handler(tx, notification)
        processed.push(notification.id)
      }
      await tx.markNotificationsProcessed(processed, c.clock())
      // Nothing left for the subjects (or held by another worker): the next batch takes the oldest instead.
      if (subjects !== undefined && notifications.length === 0) c.waiting.skipNext()
      return {
        processed: processed.length,
        oldestReceivedAt: notifications[0]?.receivedAt ?? null,
        isPartial: subjects !== undefined || hasYielded,
      }
    })
  } catch (error) {
    if (c.isPassing(error)) throw error
    c.logger.warn({ err: error }, 'a batch of webhook notifications failed; processing them one by one')
    return { processed: await processOneByOne(c), oldestReceivedAt: null, isPartial: false }
  }
}

/**
 * After a batch failed: the notifications the inbox may take, each in a transaction of its own that claims it as a
 * batch does — notifications another worker holds are left to it. One that fails is set aside (tried again later,
 * after a pause that doubles each time, or kept as a dead letter after {@link MAX_ATTEMPTS} tries) and the
 * others go on: a bad notification never holds up the ones behind it. A failure that is the database's own
 * ends the pass instead; nothing is counted against the notifications, and the next poll tries again.
 */
async function processOneByOne(c: BatchContext): Promise<number> {
  let processed = 0
  while (processed < BATCH) {
    let claimed: NotificationRecord | undefined
    try {
      const isDone = await c.store.transaction(async (tx) => {
        const [notification] = await tx.claimNotifications(1, c.clock())
        if (notification === undefined) return true
        claimed = notification
        await c.handler(tx, notification)
        await tx.markNotificationsProcessed([notification.id], c.clock())
        return false
      })
      if (isDone) break
    } catch (error) {
      if (claimed === undefined || c.isPassing(error)) throw error
      await setAside(c, claimed, error)
    }
    processed++
  }
  return processed
}

/** Records a notification's failed try: it is tried again later, or kept as a dead letter after its last try. */
async function setAside(c: BatchContext, notification: NotificationRecord, error: unknown): Promise<void> {
  const isDead = await recordFailure(c.store, notification, error, c.clock(), c.subjectsOf)
  c.onSetAside(isDead)
  const fields = { err: error, notification: notification.id, attempts: notification.attempts + 1 }
  if (isDead)
    c.logger.error(
      fields,
      'webhook notification could not be applied; kept as a dead letter (GET /v1/dead-letters), and decisions it concerns are refused until it is retried or discarded',
    )
  else c.logger.warn(fields, 'webhook notification could not be applied; it will be tried again')
}
