import { claimInSlices, claimStatements } from './contacts.js'
import { run, type Connection } from './connection.js'
import { lockedWindowOf, type LockedWindowRow } from './rows.js'
import { statement } from '../sql-statement.js'
import { CLOSES_PRUNED_PER_CALL } from '../ports/contacts.js'
import type { ClosedAnnouncement, LockedWindow } from '../store.js'
import type { Instant } from '../../domain/index.js'

/**
 * The record of the window closes announced: a row in `window_closes` (migration 0021) filed under the expiry the
 * window was announced open at, rather than `announced = 'closed'` written onto the window row. A scheduler round
 * claims hundreds of closes; their rows land together at the end of the table's key, where marking the window rows
 * wrote one page per close at a random place in a table of every contact.
 *
 * Measured with `npm run bench -- scheduler` (1 M open windows, backlog phase, alternating runs): marking the rows
 * wrote 31.2 KB per event on SQLite and 5.5–5.6 KB of PostgreSQL write-ahead log; filing the closes writes
 * 27.2–27.7 KB and 3.2–4.5 KB, as much as before the lifecycle kept any record (26.9–27.5 KB and 2.7–4.7 KB).
 *
 * A window with a close filed under its announced expiry reads as announced closed. A claim is one insert that
 * does nothing on conflict, so when the scheduler, another instance's scheduler and the customer's next message
 * race for a close, the key lets exactly one of them file it. Once the window is announced open again the filed
 * close is spent: SQLite (one writer) removes it then, and a daily job prunes the spent ones on either database.
 */

/** Files each close under the window's announced-open expiry, if it was announced open at or before it. */
export const fileClose = claimStatements(
  (values) =>
    `with claim (channel_id, contact_id, expires_at) as (values ${values}) ` +
    'insert into window_closes (announced_expires_at, channel_id, contact_id, expires_at) ' +
    'select w.announced_expires_at, w.channel_id, w.contact_id, claim.expires_at ' +
    // CROSS JOIN keeps SQLite's loop over the claims, each window found by its key.
    'from claim cross join windows w ' +
    'where w.channel_id = claim.channel_id and w.contact_id = claim.contact_id ' +
    "and w.announced = 'open' and w.announced_expires_at <= claim.expires_at " +
    'on conflict do nothing returning channel_id, contact_id',
)

export function claimClosedAnnouncements(
  c: Connection,
  claims: readonly ClosedAnnouncement[],
): Promise<boolean[]> {
  return claimInSlices(c, claims, fileClose)
}

/** What was announced of a window, from its row (`w` or a CTE named so) and its filed close (`k`). */
export const ANNOUNCED_COLUMNS =
  "case when k.expires_at is null then w.announced else 'closed' end as announced, " +
  'coalesce(k.expires_at, w.announced_expires_at) as announced_expires_at'

/** Joins a window row `w` to the close filed under its announced expiry, if any. */
export const FILED_CLOSE_JOIN =
  'left join window_closes k on k.announced_expires_at = w.announced_expires_at ' +
  'and k.channel_id = w.channel_id and k.contact_id = w.contact_id'

const STATEMENTS = {
  readWindow: statement(
    `select w.state_json, ${ANNOUNCED_COLUMNS} from windows w ${FILED_CLOSE_JOIN} ` +
      'where w.channel_id = ? and w.contact_id = ?',
  ),
  forgetClose: statement(
    'delete from window_closes where channel_id = ? and contact_id = ? and announced_expires_at = ' +
      '(select announced_expires_at from windows where channel_id = ? and contact_id = ?)',
  ),
  pruneSpent: statement(
    'delete from window_closes where (announced_expires_at, channel_id, contact_id) in (' +
      'select k.announced_expires_at, k.channel_id, k.contact_id from window_closes k ' +
      'where k.channel_id = ? and k.expires_at < ? and not exists (select 1 from windows w ' +
      'where w.channel_id = k.channel_id and w.contact_id = k.contact_id ' +
      'and w.announced_expires_at = k.announced_expires_at) limit ?)',
  ),
} as const

/** The window's state and what was announced of it, a filed close included. */
export async function readWindow(c: Connection, channelId: string, contactId: string): Promise<LockedWindow> {
  const { rows } = await run<LockedWindowRow>(c, STATEMENTS.readWindow, [channelId, contactId])
  return lockedWindowOf(rows[0])
}

/**
 * SQLite: removes the window's filed close before what is announced of the window is written anew. Only with a
 * single writer: on PostgreSQL a scheduler's claim that read the window before this transaction committed could
 * file the same close again once its row is gone.
 */
export async function forgetClose(c: Connection, channelId: string, contactId: string): Promise<void> {
  await run(c, STATEMENTS.forgetClose, [channelId, contactId, channelId, contactId])
}

/**
 * Removes up to {@link CLOSES_PRUNED_PER_CALL} of the channel's spent closes — filed under an expiry its window has since
 * moved past — that closed before `closedBefore` (a day ago: long after any claim of them could still be running).
 * Resolves to how many it removed.
 */
export async function pruneSpentCloses(
  c: Connection,
  channelId: string,
  closedBefore: Instant,
): Promise<number> {
  const result = await run(c, STATEMENTS.pruneSpent, [channelId, closedBefore, CLOSES_PRUNED_PER_CALL])
  return Number(result.numAffectedRows ?? 0)
}
