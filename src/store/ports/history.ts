import type { Instant } from '../../domain/index.js'
import type { MessageRecord } from './messages.js'

/** A notification `carewindow import` took from a file: the SHA-256 of its JSON, and the stored notification it became. */
export interface ImportedNotification {
  readonly digest: string
  readonly notificationId: number
}

/** Where a walk through a channel's messages continues: after this message (in contact, instant, id order). */
export interface HistoryCursor {
  readonly contactId: string
  readonly at: Instant
  readonly id: string
}

/**
 * History taken in from elsewhere: the notifications imported from files (so importing again changes nothing) and
 * a channel's messages contact by contact, oldest first, as a replay reads them.
 */
export interface HistoryStore {
  /** Of these digests, the ones imported already. */
  findImportedDigests(digests: readonly string[]): Promise<Set<string>>
  /** Records imported notifications; a digest recorded already fails the statement (the import tries again). */
  recordImportedNotifications(imported: readonly ImportedNotification[], at: Instant): Promise<void>
  /** A channel's messages in contact, instant and id order, after `after`, at most `limit`. */
  listChannelHistory(channelId: string, after: HistoryCursor | null, limit: number): Promise<MessageRecord[]>
}
