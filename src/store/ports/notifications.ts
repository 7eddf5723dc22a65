import type { Instant, Platform } from '../../domain/index.js'

/** A webhook notification to store, exactly as received. */
export interface NewNotification {
  readonly platform: Platform
  /** The request body exactly as received. */
  readonly body: string
  /** The `X-Hub-Signature-256` header it came with (`sha256=…`). */
  readonly signature: string
  readonly receivedAt: Instant
  /**
   * The decisions it can change, as the gateway names them (a contact's, a template's): those of the subjects
   * listed, none (`[]`), or — `null` — any. A decision waits for the notifications that concern its subjects, and is
   * refused while one of them is a dead letter.
   */
  readonly subjects: readonly string[] | null
}

/** A stored notification the inbox has taken to apply. */
export interface NotificationRecord {
  readonly id: number
  readonly platform: Platform
  readonly body: string
  readonly signature: string
  readonly receivedAt: Instant
  /** Failed tries so far. */
  readonly attempts: number
}

/** A failed try at applying a notification. */
export interface NotificationFailure {
  /** Failed tries, this one included. */
  readonly attempts: number
  readonly error: string
  readonly at: Instant
  /** When to try again; `null` gives up: the notification becomes a dead letter. */
  readonly retryAt: Instant | null
  /** For a dead letter, what it concerns as read now (notifications stored before subjects were kept named none). */
  readonly subjects?: readonly string[]
}

/** A notification that could not be applied after its last try, kept until an operator retries or discards it. */
export interface DeadNotificationRecord extends NotificationRecord {
  readonly deadAt: Instant
  readonly error: string
}

/** A stored notification not applied yet, as a decision waiting for it sees it. */
export interface UnappliedNotification {
  readonly id: number
  /** When it is tried again after failing; `null` while it waits its turn. */
  readonly retryAt: Instant | null
  /** When it was given up (a dead letter), or `null`. */
  readonly deadAt: Instant | null
  /** Why its last try failed. */
  readonly error: string | null
}

/**
 * The inbox: Meta's webhook notifications stored exactly as received before they are acknowledged, then applied
 * in order; one that keeps failing becomes a dead letter, and decisions about what it concerns wait or refuse.
 */
export interface NotificationStore {
  /** Stores webhook bodies exactly as received, with what they concern, atomically. Returns their ids in order. */
  insertNotifications(notifications: readonly NewNotification[]): Promise<number[]>
  /**
   * Unprocessed notifications the inbox may take at `now` (not dead, and not waiting for a retry), oldest first; inside
   * a transaction they stay claimed (`SKIP LOCKED`) until it ends. With subjects, only those that concern them:
   * notifications about any of them, and the unscoped ones.
   */
  claimNotifications(limit: number, now: Instant, subjects?: readonly string[]): Promise<NotificationRecord[]>
  /** Marks the notifications a batch processed, in one write. */
  markNotificationsProcessed(ids: readonly number[], at: Instant): Promise<void>
  /** Records a failed try: the notification is tried again at `retryAt`, or becomes a dead letter. */
  recordNotificationFailure(id: number, failure: NotificationFailure): Promise<void>
  /** A dead letter is tried again, as if new; `false` when it is not a dead letter (any more). */
  retryDeadNotification(id: number): Promise<boolean>
  /** A dead letter is set aside for good (processed, with the reason); `false` when it is not one. */
  discardDeadNotification(id: number, at: Instant, reason: string): Promise<boolean>
  /** Dead letters after `afterId`, in id order. */
  listDeadNotifications(afterId: number, limit: number): Promise<DeadNotificationRecord[]>
  /** Notifications not processed yet, dead letters excepted. */
  countPendingNotifications(): Promise<number>
  countDeadNotifications(): Promise<number>
  /** Whether a notification not processed yet has failed at least once (waiting for its retry, or dead). */
  hasFailingNotifications(): Promise<boolean>
  /** The id of the newest notification stored (by any instance), or 0 when there is none. */
  lastNotificationId(): Promise<number>
  /**
   * The id of the oldest notification the inbox may take at `now` — also one being processed right now — or `null`. Dead
   * letters and notifications waiting for a retry are not counted.
   */
  oldestPendingNotificationId(now: Instant): Promise<number | null>
  /**
   * What a decision about these subjects must wait for or refuse on: the unprocessed notifications that concern them up
   * to `throughId` (waiting, or failed and due again later), and dead letters whatever their id; oldest first, the
   * first few.
   */
  unappliedNotifications(subjects: readonly string[], throughId: number): Promise<UnappliedNotification[]>
}
