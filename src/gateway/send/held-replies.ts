import {
  CARE_WINDOW_MS,
  HOUR_MS,
  type ContactState,
  type Decision,
  type Instant,
  type Intent,
} from '../../domain/index.js'
import { scheduleReengagement } from '../automations/automations.js'
import { JOB_KINDS } from '../../scheduler/jobs.js'
import type { ChannelRecord, HeldMessageRecord, Store } from '../../store/store.js'
import { randomToken } from '../../shared/ids.js'

/**
 * Held replies (a channel option): a free-form WhatsApp message refused only because the window is closed is kept
 * instead of failing. carewindow sends the channel's re-engagement template (CCW-7) and releases the held messages,
 * in order, the moment the customer replies; unreleased ones expire.
 */
export function isHoldable(channel: ChannelRecord, intent: Intent, decision: Decision): boolean {
  return (
    channel.automations.hold_replies.enabled &&
    channel.platform === 'whatsapp' &&
    intent.platform === 'whatsapp' &&
    intent.kind === 'session' &&
    !decision.allowed &&
    decision.reason === 'WINDOW_CLOSED' &&
    // A contact who never wrote has no conversation to come back to.
    decision.window.lastUserMessageAt !== null &&
    // Refused for revoked consent too (decide names the closed window first): no invitation may go out.
    decision.consent.revokedAllAt === null
  )
}

/** Keeps the refused message, schedules its expiry and the re-engagement. Inside the send's transaction. */
export async function holdReply(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  rawBody: string,
  refusedMessageId: string,
  state: ContactState,
  now: Instant,
): Promise<HeldMessageRecord> {
  const hold: HeldMessageRecord = {
    id: newHoldId(now),
    tenantId: channel.tenantId,
    channelId: channel.id,
    contactId,
    body: rawBody,
    status: 'held',
    refusedMessageId,
    messageId: null,
    error: null,
    createdAt: now,
    expiresAt: now + channel.automations.hold_replies.expire_after_hours * HOUR_MS,
    releasedAt: null,
  }
  await tx.insertHold(hold)
  await tx.scheduleJob(
    {
      id: `${JOB_KINDS.holdExpiry}:${hold.id}`,
      kind: JOB_KINDS.holdExpiry,
      channelId: channel.id,
      contactId,
      dueAt: hold.expiresAt,
      payload: { hold_id: hold.id },
    },
    now,
  )
  // The window's last expiry names the closed window: one invitation per closed window, however many replies wait.
  const expiresAt = (state.lastUserMessageAt ?? now) + CARE_WINDOW_MS
  await scheduleReengagement(tx, channel, contactId, now, 'held', expiresAt, now)
  return hold
}

let holdSequence = 0

/**
 * `hold_` + the instant (9 base-36 digits) + a sequence (6) + 64 random bits. Holds are released oldest first,
 * ordered by creation instant and then id: replies held in the same millisecond must sort in the order they came.
 */
function newHoldId(now: Instant): string {
  holdSequence = (holdSequence + 1) % 36 ** 6
  return `hold_${now.toString(36).padStart(9, '0')}${holdSequence.toString(36).padStart(6, '0')}${randomToken(8, 'hex')}`
}
