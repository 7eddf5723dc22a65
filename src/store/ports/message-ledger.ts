import type { Instant } from '../../domain/index.js'
import type { MessageDirection, MessageRecord, MessageStatus } from './messages.js'

/**
 * Which messages: every condition given must hold (a list: any of its values). Instants are `[from, to)`. A list
 * given empty matches nothing.
 */
export interface MessageFilter {
  /** The tenant whose messages these are; `null` for every tenant's (an operator at the command line). */
  readonly tenantId: string | null
  readonly from?: Instant
  readonly to?: Instant
  /** Internal channel ids. */
  readonly channelIds?: readonly string[]
  readonly contactIds?: readonly string[]
  readonly direction?: MessageDirection
  readonly allowed?: boolean
  readonly reasons?: readonly string[]
  readonly categories?: readonly string[]
  readonly pricingModels?: readonly string[]
  readonly billingTypes?: readonly string[]
  readonly markets?: readonly string[]
  /** Delivery statuses: what the message is now. */
  readonly statuses?: readonly MessageStatus[]
}

/** Where a page of messages, newest first, ends: the next page starts after it. */
export interface MessageCursor {
  readonly at: Instant
  readonly id: string
}

/**
 * A page of a search: at most `limit` messages, newest first and those after `before` when given; or, with
 * `oldestFirst`, oldest first (`at`, then `id`, ascending) and those after `after` (a what-if walks a period so).
 */
export interface MessagePage {
  readonly limit: number
  readonly before?: MessageCursor
  readonly oldestFirst?: boolean
  readonly after?: MessageCursor
}

/** The columns besides the currency (always) and the UTC day (when asked) that message costs are summed by. */
export const COST_COLUMNS = ['channel', 'category', 'pricingModel', 'billingType', 'market'] as const
export type CostColumn = (typeof COST_COLUMNS)[number]

/** How to sum: by UTC day or over the whole period, and by which columns. */
export interface CostGrouping {
  readonly byDay: boolean
  readonly columns: readonly CostColumn[]
}

/**
 * The messages of one group and what they cost. A column not grouped by is `undefined`; one grouped by is `null`
 * for messages without it (no decision, no country). `currency` is `null` for messages without a price (refused,
 * inbound, held back by a throughput limit, or decided without a rate card), whose `amountMicros` is 0.
 */
export interface CostSum {
  /** UTC days since the epoch, when summed by day. */
  readonly day?: number
  readonly channelId?: string
  readonly category?: string | null
  readonly pricingModel?: string | null
  readonly billingType?: string | null
  readonly market?: string | null
  readonly currency: string | null
  readonly messages: number
  readonly amountMicros: number
}

/** Stored messages, read many at a time: searched a page at a time, and their costs summed. */
export interface MessageLedger {
  /** Messages matching `filter`, newest first (`at`, then `id`, descending) or oldest first, as `page` asks. */
  searchMessages(filter: MessageFilter, page: MessagePage): Promise<MessageRecord[]>
  /**
   * The messages matching `filter` in `[from, to)`, counted and their prices summed per currency and group, at
   * most `limit` groups (a caller asks one more than it shows to know there were more), in no particular order.
   */
  sumMessageCosts(
    filter: MessageFilter & { readonly from: Instant; readonly to: Instant },
    grouping: CostGrouping,
    limit: number,
  ): Promise<CostSum[]>
  /**
   * Fills the tenant's daily cost totals of the UTC days that are over (and settled) by `now` and not yet filled,
   * so that reports read them rather than the messages; the number of days filled. PostgreSQL fills a day when a
   * report first reads it, or when this is called (a scheduled job does, nightly and at start); SQLite keeps every
   * day's totals as messages are written, and fills none.
   */
  fillCostDays(tenantId: string, now: Instant): Promise<number>
}
