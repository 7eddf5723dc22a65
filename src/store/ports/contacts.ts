import type { ContactState, Instant } from '../../domain/index.js'
import type { JobStatus, ScheduledJob } from './jobs.js'

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

export interface WindowQuery {
  readonly state?: 'open' | 'closed'
  /** The instant `state` is judged at. */
  readonly at: Instant
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
   * `ensureContact` then `lockWindow`, in that order: an inbound message's first two steps. On PostgreSQL, in a
   * transaction and with a profile name, one round trip instead of two.
   */
  ensureContactAndLockWindow(contact: ContactRecord): Promise<ContactState | undefined>
  saveWindow(window: WindowRecord): Promise<void>
  /**
   * `saveWindow` then `scheduleJobs`: a customer's message saves the contact's window and moves its timed work. On
   * PostgreSQL one round trip (call it with the window row locked, as after `ensureContactAndLockWindow`).
   */
  saveWindowAndScheduleJobs(
    window: WindowRecord,
    jobs: readonly ScheduledJob[],
    now: Instant,
  ): Promise<(JobStatus | null)[]>
  listWindows(channelId: string, query: WindowQuery): Promise<WindowRecord[]>
}
