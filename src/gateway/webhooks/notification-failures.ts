import type { NotificationRecord, Store, UnappliedNotification } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'

/**
 * Times a notification is tried before it is kept as a dead letter. A failure can be passing (a deadlock, a
 * statement cancelled), so a notification is tried again later — after {@link RETRY_BASE_MS}, doubling — without holding
 * up the notifications behind it; decisions about what it concerns wait meanwhile, and are refused once it is dead.
 */
export const MAX_ATTEMPTS = 5
export const RETRY_BASE_MS = 1_000

/**
 * Records a notification's failed try: it is tried again after a pause that doubles each time, or — after
 * {@link MAX_ATTEMPTS} tries — kept as a dead letter that names what it concerns, read afresh from its body.
 * Resolves to whether it is dead.
 */
export async function recordFailure(
  store: Store,
  notification: NotificationRecord,
  error: unknown,
  now: number,
  subjectsOf: (notification: NotificationRecord) => readonly string[],
): Promise<boolean> {
  const attempts = notification.attempts + 1
  const isDead = attempts >= MAX_ATTEMPTS
  await store.recordNotificationFailure(notification.id, {
    attempts,
    error: error instanceof Error ? error.message : String(error),
    at: now,
    retryAt: isDead ? null : now + RETRY_BASE_MS * 2 ** (attempts - 1),
    ...(isDead ? { subjects: subjectsOf(notification) } : {}),
  })
  return isDead
}

/** A decision about what a dead letter concerns is refused: carewindow cannot know what it would have changed. */
export function stateUnknown(dead: UnappliedNotification): GatewayError {
  return new GatewayError(
    'CONTACT_STATE_UNKNOWN',
    `notification ${dead.id}, which can change this decision, could not be applied (${dead.error ?? 'no reason given'}); retry it with POST /v1/dead-letters/${dead.id}/retry, or discard it with POST /v1/dead-letters/${dead.id}/discard`,
  )
}

/**
 * A decision that cannot wait any longer for what concerns it (503 with `Retry-After`): the notifications were not all
 * applied within `waitMs`, or one of them waits for a retry due in `retryInMs`.
 */
export function statePending(
  unapplied: readonly UnappliedNotification[],
  retryInMs: number,
  waitMs: number,
): GatewayError {
  const failing = unapplied.find((notification) => notification.retryAt !== null)
  const count = `${unapplied.length}${unapplied.length >= 20 ? ' or more' : ''} notifications`
  return new GatewayError(
    'CONTACT_STATE_PENDING',
    failing !== undefined
      ? `notification ${failing.id} that can change this decision failed to apply (${failing.error ?? 'no reason given'}) and is tried again in ${Math.max(0, Math.ceil(retryInMs / 1000))} s`
      : `${unapplied.length === 0 ? 'the notifications' : count} that can change this decision were not applied within inbox.decision_wait_ms (${waitMs} ms)`,
    Math.max(1, Math.ceil(retryInMs / 1000)),
  )
}
