import type { Instant } from '../../domain/index.js'

export type MessageDirection = 'outbound' | 'inbound'

/**
 * `refused`, `pending` (forwarded, no answer recorded yet), `unknown` (forwarded, and Graph's answer never came:
 * it may have been sent) and `throttled` (allowed, but above a throughput limit: never forwarded, not billed) are
 * carewindow's; the rest are Meta's statuses.
 */
export const MESSAGE_STATUSES = [
  'refused',
  'throttled',
  'pending',
  'unknown',
  'accepted',
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'received',
] as const

export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

export interface MessageRecord {
  readonly id: string
  readonly tenantId: string
  readonly channelId: string
  readonly contactId: string
  readonly direction: MessageDirection
  readonly externalId: string | null
  readonly at: Instant
  /** The request body (outbound) or the webhook message (inbound), as JSON text. */
  readonly bodyJson: string | null
  readonly allowed: boolean | null
  readonly reason: string | null
  /** carewindow's decision (with its billing), as JSON text. */
  readonly decisionJson: string | null
  readonly priceMicros: number | null
  readonly currency: string | null
  readonly status: MessageStatus
  readonly statusAt: Instant
  /** The `pricing` object of Meta's status webhook, kept for reconciliation. */
  readonly metaPricingJson: string | null
  readonly errorJson: string | null
  readonly createdAt: Instant
  /**
   * What the decision says of the price, in columns of their own to search and group by: Meta's pricing category in
   * the decision's era, the pricing model, the billing type (`regular`, or why it is free) and the market (the
   * contact's country). Read back always (null without a decision); a writer may leave them out, and they are then
   * read from `decisionJson`.
   */
  readonly category?: string | null
  readonly pricingModel?: string | null
  readonly billingType?: string | null
  readonly market?: string | null
}

export type MessagePatch = Partial<
  Pick<MessageRecord, 'externalId' | 'status' | 'statusAt' | 'metaPricingJson' | 'errorJson' | 'priceMicros'>
>

/** An outbound message still `pending`: forwarded (or about to be), with nothing recorded of what came of it. */
export interface StaleSend {
  readonly id: string
  readonly tenantId: string
  readonly createdAt: Instant
}

/**
 * Messages both ways: each outbound one with its decision, price and what Graph and Meta's status webhooks said of
 * it; each inbound one as Meta delivered it.
 */
export interface MessageStore {
  /** Inserts a message; `false` (and nothing written) when one with the same channel, direction and external id exists. */
  insertMessage(message: MessageRecord): Promise<boolean>
  updateMessage(id: string, patch: MessagePatch): Promise<void>
  getMessage(id: string): Promise<MessageRecord | undefined>
  findMessageByExternalId(
    channelId: string,
    direction: MessageDirection,
    externalId: string,
  ): Promise<MessageRecord | undefined>
  /** Outbound messages still `pending` that were recorded before `createdBefore`, oldest first. */
  listStaleSends(createdBefore: Instant, limit: number): Promise<StaleSend[]>
}
