import type { ContactState, Instant } from '../../domain/index.js'
import type {
  Announcement,
  ContactRecord,
  CostGrouping,
  CostSum,
  LockedWindow,
  MessageFilter,
  MessageRecord,
  ScheduledJob,
  WindowRecord,
} from '../store.js'
import type { Connection } from './connection.js'

/**
 * The store methods each database does its own way: locking a window for a read-modify-write, the inbound path's
 * round trips, and summing message costs. SQLite's (sqlite/queries.ts) are mostly the
 * portable steps one after the other; PostgreSQL's (postgres/round-trips.ts) lock rows and fuse steps into one
 * statement.
 */
export interface DialectQueries {
  lockWindow(c: Connection, channelId: string, contactId: string): Promise<ContactState | undefined>
  lockContactWindow(c: Connection, contact: ContactRecord): Promise<LockedWindow>
  /** A customer's message stored and, when new, its contact's window locked (see ContactStore.insertInboundMessage). */
  insertInboundMessage(
    c: Connection,
    message: MessageRecord,
    contact: ContactRecord,
  ): Promise<LockedWindow | null>
  /** A decided send's message and its window's new state (see ContactStore.insertOutboundMessage). */
  insertOutboundMessage(c: Connection, message: MessageRecord, window: WindowRecord | null): Promise<void>
  saveWindowWithJobs(
    c: Connection,
    window: WindowRecord,
    jobs: readonly ScheduledJob[],
    now: Instant,
    announced?: Announcement,
  ): Promise<void>
  /** The costs of a period's messages (see MessageLedger.sumMessageCosts). */
  sumMessageCosts(
    c: Connection,
    filter: MessageFilter & { readonly from: Instant; readonly to: Instant },
    grouping: CostGrouping,
    limit: number,
  ): Promise<CostSum[]>
  /** Fills a tenant's daily cost totals of the days over by `now` (see MessageLedger.fillCostDays). */
  fillCostDays(c: Connection, tenantId: string, now: Instant): Promise<number>
}
