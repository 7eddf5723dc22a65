import { NEW_CONTACT, windowAt } from '../../domain/index.js'
import { windowJson } from '../../representations/decision-json.js'
import type { ChannelRecord, WindowQuery, WindowRecord } from '../../store/store.js'
import type { NativeApiDependencies } from './channels.js'
import { decisionSubjects } from '../webhooks/notification-subjects.js'

/**
 * A contact's window now, from its stored state. A contact never heard from has a closed window with no instants
 * (CCW-1): that is an answer, not a missing resource.
 */
export async function contactWindow(
  deps: NativeApiDependencies,
  channel: ChannelRecord,
  contactId: string,
): Promise<Record<string, unknown>> {
  // Windows reflect every notification about the contact already acknowledged to Meta.
  await deps.inbox.drain(decisionSubjects(channel, contactId))
  const now = deps.clock()
  const { settings } = deps.directory.policyOf(channel)
  const stored = await deps.store.getWindow(channel.id, contactId)
  return {
    contact_id: contactId,
    channel_id: channel.externalId,
    platform: channel.platform,
    ...windowJson(windowAt(channel.platform, stored?.state ?? NEW_CONTACT, now, settings), now),
  }
}

/** Where a page of contacts ends: the last row's stored expiry and contact id. */
export interface WindowCursor {
  readonly expiresAt: number | null
  readonly contactId: string
}

export interface ContactWindowListQuery {
  readonly state?: 'open' | 'closed'
  /** Only windows open now that close within this many seconds. */
  readonly expiresWithinSeconds?: number
  /** Contact id prefix or profile name text. */
  readonly search?: string
  readonly optedOut?: boolean
  readonly hasOpenCase?: boolean
  readonly hasHeldReply?: boolean
  readonly sort: WindowQuery['sort']
  readonly limit: number
  readonly after?: WindowCursor
}

/**
 * A page of the channel's contacts with their windows now, soonest expiry (or contact id) first; `next_cursor`
 * continues after the page, `null` on the last one. Keyset paging: every contact appears once however the
 * windows change between pages.
 */
export async function listContactWindows(
  deps: NativeApiDependencies,
  channel: ChannelRecord,
  query: ContactWindowListQuery,
): Promise<{ data: Record<string, unknown>[]; paging: { next_cursor: string | null } }> {
  await deps.inbox.drain()
  const now = deps.clock()
  const { settings } = deps.directory.policyOf(channel)
  // One row more than asked tells whether another page follows, so the last page never ends in an empty one.
  const rows = await deps.store.listWindows(channel.id, {
    at: now,
    sort: query.sort,
    limit: query.limit + 1,
    ...(query.state === undefined ? {} : { state: query.state }),
    ...(query.expiresWithinSeconds === undefined
      ? {}
      : { expiresBefore: now + query.expiresWithinSeconds * 1000 }),
    ...(query.search === undefined ? {} : { search: query.search }),
    ...(query.optedOut === true ? { optedOut: true } : {}),
    ...(query.hasOpenCase === true ? { hasOpenCase: true } : {}),
    ...(query.hasHeldReply === true ? { hasHeldReply: true } : {}),
    ...(query.after === undefined ? {} : { after: query.after }),
  })
  const page = rows.slice(0, query.limit)
  const contacts = new Map(
    (
      await deps.store.getContacts(
        channel.id,
        page.map((row) => row.contactId),
      )
    ).map((contact) => [contact.contactId, contact]),
  )
  const last = page.at(-1)
  return {
    data: page.map((row) => ({
      contact_id: row.contactId,
      country: contacts.get(row.contactId)?.country ?? null,
      profile_name: contacts.get(row.contactId)?.profileName ?? null,
      window: windowJson(windowAt(channel.platform, row.state, now, settings), now),
    })),
    paging: { next_cursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null },
  }
}

/** An opaque cursor: base64url of `[expires_at, contact_id]`. */
export function encodeCursor(row: Pick<WindowRecord, 'expiresAt' | 'contactId'>): string {
  return Buffer.from(JSON.stringify([row.expiresAt, row.contactId])).toString('base64url')
}

/** The position a cursor names, or `undefined` when it is not one of ours. */
export function decodeCursor(cursor: string): WindowCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined
  const [expiresAt, contactId] = value as unknown[]
  if (expiresAt !== null && !Number.isSafeInteger(expiresAt)) return undefined
  if (typeof contactId !== 'string' || contactId === '') return undefined
  return { expiresAt: expiresAt as number | null, contactId }
}
