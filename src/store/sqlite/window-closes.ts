import { claimInSlices, claimStatements } from '../kysely/contacts.js'
import { run, type Connection } from '../kysely/connection.js'
import { lockedWindowOf, type LockedWindowRow } from '../kysely/rows.js'
import { statement } from '../sql-statement.js'
import type { ClosedAnnouncement, LockedWindow } from '../store.js'

/**
 * SQLite's record of the window closes the scheduler announced: a row in `window_closes` (migration 0021) filed
 * under the expiry the window was announced open at, instead of the portable `announced = 'closed'` on the window
 * row. A scheduler round claims hundreds of closes; their rows land together at the end of the table, where
 * marking the window rows wrote one page per close at a random place in a table of every contact.
 *
 * Measured with `npm run bench -- scheduler` (1 M open windows, SQLite): marking the rows wrote 31.2 KB and took
 * 105–162 µs of CPU per event, against 27 KB and 95–112 µs with no record at all (the job row's status, before
 * the lifecycle module). PostgreSQL keeps the row update: its row lock writes the page anyway.
 *
 * A window with such a row reads as announced closed. A customer's message that announces the window anew
 * removes it, so at most one row per window is ever kept.
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

const STATEMENTS = {
  readWindow: statement(
    'select w.state_json, ' +
      "case when k.expires_at is null then w.announced else 'closed' end as announced, " +
      'coalesce(k.expires_at, w.announced_expires_at) as announced_expires_at ' +
      'from windows w left join window_closes k on k.announced_expires_at = w.announced_expires_at ' +
      'and k.channel_id = w.channel_id and k.contact_id = w.contact_id ' +
      'where w.channel_id = ? and w.contact_id = ?',
  ),
  forgetClose: statement(
    'delete from window_closes where channel_id = ? and contact_id = ? and announced_expires_at = ' +
      '(select announced_expires_at from windows where channel_id = ? and contact_id = ?)',
  ),
} as const

/** The window's state and what was announced of it, a filed close included. */
export async function readWindow(c: Connection, channelId: string, contactId: string): Promise<LockedWindow> {
  const { rows } = await run<LockedWindowRow>(c, STATEMENTS.readWindow, [channelId, contactId])
  return lockedWindowOf(rows[0])
}

/** Removes the window's filed close, before what is announced of the window is written anew. */
export async function forgetClose(c: Connection, channelId: string, contactId: string): Promise<void> {
  await run(c, STATEMENTS.forgetClose, [channelId, contactId, channelId, contactId])
}
