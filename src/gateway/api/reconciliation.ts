import {
  formatInstant,
  formatMicros,
  MISMATCH_CAUSE_CODES,
  MISMATCH_CAUSES,
  type Instant,
  type MismatchCause,
} from '../../domain/index.js'
import { decodePosition, encodePosition } from '../../shared/position-cursor.js'
import { storedJson } from '../../representations/stored-json.js'
import type { BillingMismatchRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'

export interface ReconciliationQuery {
  readonly from: Instant
  readonly to: Instant
  /** carewindow's id of the channel (its record's, not the phone number id). */
  readonly channelId?: string | undefined
  readonly limit: number
  readonly after?: { readonly at: Instant; readonly id: string } | undefined
}

/**
 * The messages of a period that Meta billed differently from how carewindow priced them, newest first, each with
 * both sides, what differs and the likely cause; and how the period's checked messages came out. Messages are
 * checked when a status notification brings Meta's `pricing` (gateway/webhooks/billing-reconciliation.ts).
 */
export async function listReconciliation(
  deps: Pick<NativeApiDependencies, 'store' | 'inbox'>,
  tenantId: string,
  query: ReconciliationQuery,
): Promise<Record<string, unknown>> {
  // Meta's pricing arrives in status notifications: include every one already acknowledged.
  await deps.inbox.drain()
  const rows = await deps.store.listBillingMismatches({ tenantId, ...query, limit: query.limit + 1 })
  const page = rows.slice(0, query.limit)
  const counts = await deps.store.countBillingChecks(tenantId, query.from, query.to, query.channelId)
  const mismatched = Object.values(counts.mismatched).reduce((sum, count) => sum + count, 0)
  const last = page[page.length - 1]
  const channels = new Map(
    (await deps.store.listChannels({ tenantId })).map((channel) => [
      channel.id,
      { platform: channel.platform, id: channel.externalId },
    ]),
  )
  return {
    from: formatInstant(query.from),
    to: formatInstant(query.to),
    summary: {
      checked: counts.matched + mismatched,
      matched: counts.matched,
      mismatched,
      by_cause: counts.mismatched,
    },
    data: page.map((row) => mismatchJson(row, channels.get(row.message.channelId) ?? null)),
    paging: {
      next_cursor:
        rows.length > query.limit && last !== undefined
          ? encodePosition({ at: last.message.at, id: last.message.id })
          : null,
    },
  }
}

function mismatchJson(
  row: BillingMismatchRecord,
  channel: { readonly platform: string; readonly id: string } | null,
): Record<string, unknown> {
  const { message } = row
  const decision =
    message.decisionJson === null ? null : (storedJson(message.decisionJson) as { billing?: unknown })
  // A cause written by a later version that this one does not know reads as `other`.
  const cause: MismatchCause = (MISMATCH_CAUSE_CODES as readonly string[]).includes(row.cause)
    ? (row.cause as MismatchCause)
    : 'other'
  return {
    message_id: message.id,
    wamid: message.externalId,
    channel,
    contact_id: message.contactId,
    at: formatInstant(message.at),
    cause,
    explanation: MISMATCH_CAUSES[cause],
    differences: storedJson(row.differencesJson),
    carewindow: {
      billing: decision?.billing ?? null,
      price:
        message.priceMicros === null
          ? null
          : {
              amount: formatMicros(message.priceMicros),
              amount_micros: message.priceMicros,
              currency: message.currency,
            },
    },
    meta: message.metaPricingJson === null ? null : storedJson(message.metaPricingJson),
  }
}

/** The position a cursor names; a 400 for anything carewindow did not give out. */
export function decodeReconciliationCursor(cursor: string): { at: Instant; id: string } {
  const position = decodePosition(cursor)
  if (position !== undefined) return position
  throw new GatewayError(
    'INVALID_REQUEST',
    'cursor: not a cursor carewindow gave out; pass paging.next_cursor of the previous page as it is',
  )
}
