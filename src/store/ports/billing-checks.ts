import type { Instant } from '../../domain/index.js'
import type { MessageRecord } from './messages.js'

/** A message whose price carewindow and Meta disagree on, with what differs. */
export interface BillingMismatchRecord {
  readonly message: MessageRecord
  /** The mismatch's likely cause (domain/pricing/reconciliation.ts). */
  readonly cause: string
  /** The fields that differ, as JSON text (`PricingDifference[]`). */
  readonly differencesJson: string
}

export interface BillingMismatchQuery {
  readonly tenantId: string
  /** Messages sent from `from` (inclusive) to `to` (exclusive). */
  readonly from: Instant
  readonly to: Instant
  readonly channelId?: string | undefined
  readonly limit: number
  /** The page goes on after this message (newest first: sent earlier, or at the same instant with a smaller id). */
  readonly after?: { readonly at: Instant; readonly id: string } | undefined
}

/** How a period's checked messages came out: matched, and mismatched per likely cause. */
export interface BillingCheckCounts {
  readonly matched: number
  readonly mismatched: Readonly<Record<string, number>>
}

/**
 * Reconciliation with Meta: for each outbound message whose status notifications brought Meta's `pricing`, how it
 * compared with carewindow's own pricing — kept on the message, so the mismatches can be listed and counted.
 */
export interface BillingCheckStore {
  /** Records the comparison (`match`, or the likely cause with the differences). */
  recordBillingCheck(messageId: string, check: string, differencesJson: string | null): Promise<void>
  /** A tenant's mismatches in a period, newest first. */
  listBillingMismatches(query: BillingMismatchQuery): Promise<BillingMismatchRecord[]>
  countBillingChecks(
    tenantId: string,
    from: Instant,
    to: Instant,
    channelId?: string,
  ): Promise<BillingCheckCounts>
}
