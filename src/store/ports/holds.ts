import type { Instant } from '../../domain/index.js'

/** `releasing`: claimed for sending — no longer cancellable; a release interrupted by a crash finishes it. */
export type HoldStatus = 'held' | 'releasing' | 'released' | 'failed' | 'cancelled' | 'expired'

/** A free-form reply kept until the customer comes back. */
export interface HeldMessageRecord {
  readonly id: string
  readonly tenantId: string
  readonly channelId: string
  readonly contactId: string
  readonly body: string
  readonly status: HoldStatus
  readonly refusedMessageId: string
  readonly messageId: string | null
  readonly error: string | null
  readonly createdAt: Instant
  readonly expiresAt: Instant
  readonly releasedAt: Instant | null
}

export type HoldPatch = Partial<Pick<HeldMessageRecord, 'status' | 'messageId' | 'error' | 'releasedAt'>>

/**
 * Held replies: free-form messages refused outside the window and kept, at the business's request, until the
 * customer writes again (then sent) or they expire.
 */
export interface HoldStore {
  insertHold(record: HeldMessageRecord): Promise<void>
  getHold(id: string): Promise<HeldMessageRecord | undefined>
  /** A contact's holds, oldest first. */
  listHolds(channelId: string, contactId: string, status?: HoldStatus): Promise<HeldMessageRecord[]>
  /** Changes a hold; with `from`, only if it is still in that status (`false` otherwise). */
  updateHold(id: string, patch: HoldPatch, from?: HoldStatus): Promise<boolean>
}
