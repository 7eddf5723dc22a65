import { sql, type Selectable } from 'kysely'
import type { ContactState } from '../../domain/index.js'
import type { ContactsTable } from '../schema.js'
import type { Announcement, ClosedAnnouncement, ContactRecord, WindowQuery, WindowRecord } from '../store.js'
import { statement, type Statement } from '../sql-statement.js'
import { inSlices, run, type Connection } from './connection.js'
import { HOT } from './hot.js'
import { contactOf, stateOf, windowOf, windowParameters, type LockedWindowRow } from './rows.js'

/**
 * Contacts and windows (ContactStore). Locking a window for a read-modify-write is the database's own business:
 * SQLite has a single writer and only reads here; PostgreSQL's ways are in postgres/contact-locks.ts.
 */

export async function ensureContact(c: Connection, contact: ContactRecord): Promise<ContactRecord> {
  const values = [
    contact.channelId,
    contact.contactId,
    contact.country,
    contact.profileName,
    contact.createdAt,
  ]
  // With a profile name: insert, or update the name, in one statement. Without: insert if new, else read it.
  const { rows } = await run<Selectable<ContactsTable>>(
    c,
    contact.profileName === null ? HOT.insertContact : HOT.upsertContactName,
    values,
  )
  const row = rows[0]
  return row === undefined
    ? ((await getContact(c, contact.channelId, contact.contactId)) as ContactRecord)
    : contactOf(row)
}

export async function getContact(
  c: Connection,
  channelId: string,
  contactId: string,
): Promise<ContactRecord | undefined> {
  const { rows } = await run<Selectable<ContactsTable>>(c, HOT.getContact, [channelId, contactId])
  const row = rows[0]
  return row && contactOf(row)
}

export function getContacts(
  c: Connection,
  channelId: string,
  contactIds: readonly string[],
): Promise<ContactRecord[]> {
  return inSlices(contactIds, async (slice) =>
    (
      await c.db
        .selectFrom('contacts')
        .selectAll()
        .where('channel_id', '=', channelId)
        .where('contact_id', 'in', slice)
        .execute()
    ).map(contactOf),
  )
}

export async function getWindow(
  c: Connection,
  channelId: string,
  contactId: string,
): Promise<WindowRecord | undefined> {
  const row = await c.db
    .selectFrom('windows')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('contact_id', '=', contactId)
    // The row `lockWindow` creates to lock on holds no state until a window is saved.
    .where('state_json', '!=', 'null')
    .executeTakeFirst()
  return row && windowOf(row)
}

export function getWindows(
  c: Connection,
  channelId: string,
  contactIds: readonly string[],
): Promise<WindowRecord[]> {
  return inSlices(contactIds, async (slice) =>
    (
      await c.db
        .selectFrom('windows')
        .selectAll()
        .where('channel_id', '=', channelId)
        .where('contact_id', 'in', slice)
        // The row `lockWindow` creates to lock on holds no state until a window is saved.
        .where('state_json', '!=', 'null')
        .execute()
    ).map(windowOf),
  )
}

/** The window's state as it is: SQLite's single writer is the lock; a plain read outside a transaction. */
export async function readWindowState(
  c: Connection,
  channelId: string,
  contactId: string,
): Promise<ContactState | undefined> {
  const { rows } = await run<LockedWindowRow>(c, HOT.readWindowState, [channelId, contactId])
  return stateOf(rows[0])
}

/** Claims per statement: three parameters each, well within SQLite's limit. */
const CLAIMS_PER_STATEMENT = 300

/**
 * A claim statement per number of windows, made once per count: `build` is given the `values` rows, one per window
 * (channel, contact, expiry cast for PostgreSQL), for a table `claim (channel_id, contact_id, expires_at)`; the
 * statement returns the channel and contact of each window it claimed.
 */
export function claimStatements(build: (values: string) => string): (count: number) => Statement {
  const known = new Map<number, Statement>()
  return (count) => {
    let made = known.get(count)
    if (made === undefined) {
      made = statement(build(Array.from({ length: count }, () => '(?, ?, cast(? as bigint))').join(', ')))
      known.set(count, made)
    }
    return made
  }
}

/**
 * Runs a claim statement over the windows in slices, one statement per slice: a scheduler round announces hundreds
 * of closes at once, and a round trip per window took PostgreSQL's `npm run bench -- scheduler` from 4,776 to 2,833
 * events/s. Resolves to which windows were claimed, in order.
 */
export async function claimInSlices(
  c: Connection,
  claims: readonly ClosedAnnouncement[],
  claimStatement: (count: number) => Statement,
): Promise<boolean[]> {
  const claimed = new Set<string>()
  for (let start = 0; start < claims.length; start += CLAIMS_PER_STATEMENT) {
    const slice = claims.slice(start, start + CLAIMS_PER_STATEMENT)
    const parameters = slice.flatMap((claim) => [claim.channelId, claim.contactId, claim.expiresAt])
    const { rows } = await run<{ channel_id: string; contact_id: string }>(
      c,
      claimStatement(slice.length),
      parameters,
    )
    for (const row of rows) claimed.add(`${row.channel_id}\n${row.contact_id}`)
  }
  return claims.map((claim) => claimed.has(`${claim.channelId}\n${claim.contactId}`))
}

/** Saves the window, and with `announced` what the business is told of it, in one statement. */
export async function saveWindow(
  c: Connection,
  window: WindowRecord,
  announced?: Announcement,
): Promise<void> {
  if (announced === undefined) await run(c, HOT.saveWindow, windowParameters(window))
  else
    await run(c, HOT.saveAnnouncedWindow, [...windowParameters(window), announced.state, announced.expiresAt])
}

/** Text matched literally by LIKE: its own `%`, `_` and `\` escaped. */
function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`)
}

export async function listWindows(
  c: Connection,
  channelId: string,
  query: WindowQuery,
): Promise<WindowRecord[]> {
  let select = c.db
    .selectFrom('windows')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('state_json', '!=', 'null')
  if (query.state === 'open') select = select.where('expires_at', '>', query.at)
  if (query.state === 'closed')
    select = select.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '<=', query.at)]))
  if (query.expiresBefore !== undefined)
    select = select.where('expires_at', '>', query.at).where('expires_at', '<', query.expiresBefore)
  const search = query.search
  if (search !== undefined && search !== '') {
    const pattern = likePattern(search.toLowerCase())
    select = select.where((eb) =>
      eb.or([
        eb('contact_id', 'like', sql<string>`${`${likePattern(search)}%`} escape '\\'`),
        eb(
          'contact_id',
          'in',
          eb
            .selectFrom('contacts')
            .select('contacts.contact_id')
            .where('contacts.channel_id', '=', channelId)
            .where(
              sql<string>`lower(contacts.profile_name)`,
              'like',
              sql<string>`${`%${pattern}%`} escape '\\'`,
            ),
        ),
      ]),
    )
  }
  if (query.optedOut === true)
    select = select.where('contact_id', 'in', (eb) =>
      eb
        .selectFrom('consent_events as o')
        .select('o.contact_id')
        .where('o.channel_id', '=', channelId)
        .where('o.kind', '=', 'opt_out')
        .where((inner) =>
          inner.not(
            inner.exists(
              inner
                .selectFrom('consent_events as i')
                .select(sql.lit(1).as('one'))
                .whereRef('i.channel_id', '=', 'o.channel_id')
                .whereRef('i.contact_id', '=', 'o.contact_id')
                .whereRef('i.scope', '=', 'o.scope')
                .where('i.kind', '=', 'opt_in')
                .whereRef('i.at', '>', 'o.at'),
            ),
          ),
        ),
    )
  if (query.hasOpenCase === true)
    select = select.where('contact_id', 'in', (eb) =>
      eb
        .selectFrom('cases')
        .select('cases.contact_id')
        .where('cases.channel_id', '=', channelId)
        .where('cases.status', '!=', 'resolved'),
    )
  if (query.hasHeldReply === true)
    select = select.where('contact_id', 'in', (eb) =>
      eb
        .selectFrom('held_messages')
        .select('held_messages.contact_id')
        .where('held_messages.channel_id', '=', channelId)
        .where('held_messages.status', '=', 'held'),
    )
  const after = query.after
  if (query.sort === 'contact_id') {
    if (after !== undefined) select = select.where('contact_id', '>', after.contactId)
    select = select.orderBy('contact_id')
  } else {
    // Soonest expiry first, contacts without a window last (NULL expiry sorts as a sentinel), ties by id.
    const expiry = sql<number>`coalesce(expires_at, ${sql.lit(Number.MAX_SAFE_INTEGER)})`
    if (after !== undefined) {
      const afterExpiry = after.expiresAt ?? Number.MAX_SAFE_INTEGER
      select = select.where((eb) =>
        eb.or([
          eb(expiry, '>', afterExpiry),
          eb.and([eb(expiry, '=', afterExpiry), eb('contact_id', '>', after.contactId)]),
        ]),
      )
    }
    select = select.orderBy(expiry).orderBy('contact_id')
  }
  return (await select.limit(query.limit).execute()).map(windowOf)
}
