import type { ContactState, Instant } from '../../domain/index.js'
import type { ScheduledJob } from './jobs.js'
import type { MessageRecord } from './messages.js'

export interface ContactRecord {
  readonly channelId: string
  readonly contactId: string
  readonly country: string | null
  readonly profileName: string | null
  readonly createdAt: Instant
}

/** A contact's folded state, as stored, with the instants lists filter and sort on. */
export interface WindowRecord {
  readonly channelId: string
  readonly contactId: string
  readonly state: ContactState
  readonly lastUserMessageAt: Instant | null
  readonly expiresAt: Instant | null
  readonly updatedAt: Instant
}

/** What the business was last told of a contact's window: that it opened, or closed, and with which expiry. */
export interface Announcement {
  readonly state: 'open' | 'closed'
  readonly expiresAt: Instant
}

/** Spent close records `pruneSpentCloses` removes per call at most. */
export const CLOSES_PRUNED_PER_CALL = 5_000

/** A window whose close is to be announced: the contact, and the expiry it closed at. */
export interface ClosedAnnouncement {
  readonly channelId: string
  readonly contactId: string
  readonly expiresAt: Instant
}

/** A contact's window locked for a read-modify-write: its state (none for a new contact) and what was announced. */
export interface LockedWindow {
  readonly state: ContactState | undefined
  readonly announced: Announcement | null
}

export interface WindowQuery {
  readonly state?: 'open' | 'closed'
  /** The instant `state` is judged at. */
  readonly at: Instant
  /** Only windows open at `at` that expire before this instant (closing soon). */
  readonly expiresBefore?: Instant
  /** Only contacts whose id starts with these digits or whose profile name contains this text (any case). */
  readonly search?: string
  /** Only contacts with an opt-out not withdrawn by a later opt-in of the same scope. */
  readonly optedOut?: boolean
  /** Only contacts with a case not resolved (open or pending). */
  readonly hasOpenCase?: boolean
  /** Only contacts with a held reply still waiting (status held). */
  readonly hasHeldReply?: boolean
  readonly limit: number
  /** Sort by expiry (soonest first) or by contact id. */
  readonly sort: 'expires_at' | 'contact_id'
  /** Continue after this row (the previous page's last `[expires_at, contact_id]`). */
  readonly after?: { readonly expiresAt: Instant | null; readonly contactId: string }
}

/**
 * Contacts and their windows: who a channel talks to, and each contact's folded state (its window, the
 * Messenger +1, …) that every decision reads. A window changes by read-modify-write under a lock.
 */
export interface ContactStore {
  /** Creates the contact if it is new; returns the stored one. */
  ensureContact(contact: ContactRecord): Promise<ContactRecord>
  getContact(channelId: string, contactId: string): Promise<ContactRecord | undefined>
  /** The stored ones of these contacts, each once, in no particular order (one query for a page of a list). */
  getContacts(channelId: string, contactIds: readonly string[]): Promise<ContactRecord[]>
  getWindow(channelId: string, contactId: string): Promise<WindowRecord | undefined>
  /** The stored windows of several contacts of a channel, each once (the scheduler's rounds); contacts without one are left out. */
  getWindows(channelId: string, contactIds: readonly string[]): Promise<WindowRecord[]>
  /**
   * The contact's state for a read-modify-write: inside a transaction the row stays locked until it ends
   * (PostgreSQL `FOR UPDATE`; SQLite has a single writer), so concurrent writers never lose an update.
   */
  lockWindow(channelId: string, contactId: string): Promise<ContactState | undefined>
  /**
   * The contact stored if it is new, then its window locked as `lockWindow` does, with what was last announced of
   * it: a customer's message's first step. (On PostgreSQL, in a transaction and with a profile name, one round trip.)
   */
  lockContactWindow(contact: ContactRecord): Promise<LockedWindow>
  /**
   * A customer's message stored and, when it is new, its contact's window locked as `lockContactWindow` does: a
   * customer's message's first step. `null`, with nothing else written, when the channel has the message already
   * (Meta retries notifications). On PostgreSQL, in a transaction and with a profile name, one round trip.
   */
  insertInboundMessage(message: MessageRecord, contact: ContactRecord): Promise<LockedWindow | null>
  /**
   * A decided send stored: its message and, when the send was allowed (`window` not null), its window's new state —
   * the window locked before (`lockWindow`). A send's last write before its commit; on PostgreSQL, in a
   * transaction, one round trip.
   */
  insertOutboundMessage(message: MessageRecord, window: WindowRecord | null): Promise<void>
  /** Saves a window's state; what was announced of it is left as it is. */
  saveWindow(window: WindowRecord): Promise<void>
  /**
   * Saves a window's state and (re)schedules the timed work that follows from it (see `JobStore.scheduleJobs`), in
   * one write: a customer's message moves its window's expiry and its jobs together. With `announced`, records in
   * the same write what the business is told of the window. Call it with the window locked.
   */
  saveWindowWithJobs(
    window: WindowRecord,
    jobs: readonly ScheduledJob[],
    now: Instant,
    announced?: Announcement,
  ): Promise<void>
  /**
   * Records that the business is told the window closed at `expiresAt` — only if it was last told the window was
   * open, with an expiry at or before that one (a window announced open may have been extended since). `false`
   * otherwise: another path announced the close already, or the customer's next message opened a new window.
   */
  claimClosedAnnouncement(channelId: string, contactId: string, expiresAt: Instant): Promise<boolean>
  /** {@link claimClosedAnnouncement} for several windows (distinct contacts) in one statement; which were claimed. */
  claimClosedAnnouncements(claims: readonly ClosedAnnouncement[]): Promise<boolean[]>
  /**
   * Removes up to {@link CLOSES_PRUNED_PER_CALL} of the channel's spent close records — of windows announced open
   * again since — whose window closed before `closedBefore`; resolves to how many it removed (fewer: none are left).
   */
  pruneSpentCloses(channelId: string, closedBefore: Instant): Promise<number>
  listWindows(channelId: string, query: WindowQuery): Promise<WindowRecord[]>
}
