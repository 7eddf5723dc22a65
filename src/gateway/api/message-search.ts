import { messageSummaryJson } from '../../representations/message-summary-json.js'
import { storedJsonOrNull } from '../../representations/stored-json.js'
import type { MessageCursor, Store } from '../../store/store.js'
import type { Inbox } from '../webhooks/inbox.js'
import { messageFilterOf, type MessageFilterInput } from './message-filter.js'
import { decodePosition, encodePosition } from '../../shared/position-cursor.js'

/** The most messages one page of a search holds. */
export const MAX_SEARCH_PAGE = 500
export const DEFAULT_SEARCH_PAGE = 50

/**
 * A page of the tenant's messages matching `input`, newest first (by `at`, then id, so messages of the same
 * millisecond keep one order across pages), each with its decision's summary, carewindow's price and Meta's
 * pricing; `next_cursor` continues after the page, `null` on the last one.
 */
export async function searchTenantMessages(
  deps: { readonly store: Store; readonly inbox: Pick<Inbox, 'drain'> },
  tenantId: string,
  input: MessageFilterInput,
  page: {
    readonly limit: number
    readonly before?: MessageCursor
    /** Each message with its body (`include=body`). */
    readonly withBodies?: boolean
  },
): Promise<{ data: Record<string, unknown>[]; paging: { next_cursor: string | null } }> {
  const { filter, channels } = await messageFilterOf(deps.store, tenantId, input)
  // Statuses and Meta's pricing arrive by webhook: include every one already acknowledged.
  await deps.inbox.drain()
  const limit = Math.min(Math.max(1, page.limit), MAX_SEARCH_PAGE)
  // One more than the page tells whether there is a next one.
  const found = await deps.store.searchMessages(filter, {
    limit: limit + 1,
    ...(page.before === undefined ? {} : { before: page.before }),
  })
  const messages = found.slice(0, limit)
  const byId = new Map(channels.map((channel) => [channel.id, channel]))
  const last = messages[messages.length - 1]
  return {
    data: messages.map((message) => {
      const summary = messageSummaryJson(message, byId.get(message.channelId) ?? null)
      return page.withBodies === true ? { ...summary, body: storedJsonOrNull(message.bodyJson) } : summary
    }),
    paging: { next_cursor: found.length > limit && last !== undefined ? encodeMessageCursor(last) : null },
  }
}

/** An opaque cursor: base64url of `[at, id]` of the page's last message. */
export function encodeMessageCursor(message: MessageCursor): string {
  return encodePosition(message)
}

/** The position a cursor names, or `undefined` when it is not one carewindow gave out. */
export function decodeMessageCursor(cursor: string): MessageCursor | undefined {
  return decodePosition(cursor)
}
