import type { ContactState, Instant } from '../../domain/index.js'
import { run, type Connection } from '../kysely/connection.js'
import { ensureContact, readWindowState, saveWindow } from '../kysely/contacts.js'
import { ANNOUNCED_COLUMNS, FILED_CLOSE_JOIN, readWindow } from '../kysely/window-closes.js'
import type { DialectQueries } from '../kysely/dialect-queries.js'
import { INSERT_MESSAGE, SAVE_ANNOUNCED_WINDOW, SAVE_WINDOW } from '../kysely/hot.js'
import { jobParameters, jobStatements } from '../kysely/job-statements.js'
import { upsertJobs } from '../kysely/jobs.js'
import { insertMessageThenLock, insertMessageThenSave, messageParameters } from '../kysely/messages.js'
import { fillSettledDays, sumFilledDays } from './cost-days.js'
import { lockedWindowOf, stateOf, windowParameters, type LockedWindowRow } from '../kysely/rows.js'
import { statement, type Statement } from '../sql-statement.js'
import type {
  Announcement,
  ContactRecord,
  LockedWindow,
  MessageRecord,
  ScheduledJob,
  WindowRecord,
} from '../store.js'

/**
 * What PostgreSQL does its own way. Locks: many instances write at once, so a read-modify-write of a contact's
 * window locks its row — created first when missing, or two first writers would both read "no state". Round
 * trips: a customer's message's steps fused into fewer statements, the portable steps kept beside them in
 * kysely/. Fusing the contact with the lock and the window with its jobs took an inbound message from five round
 * trips to three and the inbox's drain from 1,566 to 1,855 notifications/s (`npm run bench -- http`); storing the
 * message in the same statement as the lock took it to two. With the inbox's claim of migration 0023, the two took
 * the server's CPU per message applied from 678 to 573 µs (two alternating runs each).
 */

/** A window row inserted or locked as the CTE `w`, returned with what was announced of it (its filed close). */
function lockedWith(upsert: string): string {
  return (
    `w as (${upsert} returning channel_id, contact_id, state_json, announced, announced_expires_at) ` +
    `select w.state_json, ${ANNOUNCED_COLUMNS} from w ${FILED_CLOSE_JOIN}`
  )
}

/**
 * The contact upserted with its profile name from `source` (a VALUES list or a SELECT of the five columns), then its
 * window row inserted or locked from the contact upsert's output — so the contact row is written (and locked) before
 * the window row is locked, the order of the two statements it replaces (and of a send's).
 */
function contactThenWindow(source: string): string {
  return (
    'contact as (' +
    `insert into contacts (channel_id, contact_id, country, profile_name, created_at) ${source} ` +
    'on conflict (channel_id, contact_id) do update set profile_name = excluded.profile_name ' +
    'returning channel_id, contact_id), ' +
    lockedWith(
      'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
        "select channel_id, contact_id, 'null', null, null, 0 from contact on conflict (channel_id, contact_id) " +
        'do update set state_json = windows.state_json',
    )
  )
}

// Creates the row to lock if it is missing and locks it either way (the conflict path takes the row lock an UPDATE
// takes, as FOR UPDATE does).
const UPSERT_LOCK =
  'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
  "values (?, ?, 'null', null, null, 0) on conflict (channel_id, contact_id) " +
  'do update set state_json = windows.state_json'

const STATEMENTS = {
  // One round trip: the row locked and its state returned (a send's lock: what was announced is not needed).
  lockWindow: statement(`${UPSERT_LOCK} returning state_json`),
  // The same, with what was announced of the window (a customer's message).
  lockAnnouncedWindow: statement(`with ${lockedWith(UPSERT_LOCK)}`),
  // The contact upsert and the window lock in one round trip.
  upsertContactNameLockWindow: statement(`with ${contactThenWindow('values (?, ?, ?, ?, ?)')}`),
  // A customer's message, then — only when it is new: the contact is inserted from the message's output — the
  // contact and its window as above, in one round trip.
  insertMessageLockWindow: statement(
    `with message as (${INSERT_MESSAGE} returning id), ` +
      contactThenWindow(
        'select ?::text, ?::text, ?::text, ?::text, ?::bigint where exists (select 1 from message)',
      ),
  ),
  // A decided send's message and its window's new state in one round trip (both always run: a data-modifying
  // WITH runs whether or not the statement reads it).
  insertMessageSaveWindow: statement(`with message as (${INSERT_MESSAGE}) ${SAVE_WINDOW}`),
} as const

async function lockedWindow(c: Connection, channelId: string, contactId: string): Promise<LockedWindow> {
  if (!c.locks) return readWindow(c, channelId, contactId)
  const { rows } = await run<LockedWindowRow>(c, STATEMENTS.lockAnnouncedWindow, [channelId, contactId])
  return lockedWindowOf(rows[0])
}

/** The window's state, its row locked until the transaction ends (outside one, a plain read). */
async function lockWindow(
  c: Connection,
  channelId: string,
  contactId: string,
): Promise<ContactState | undefined> {
  if (!c.locks) return readWindowState(c, channelId, contactId)
  const { rows } = await run<{ state_json: string }>(c, STATEMENTS.lockWindow, [channelId, contactId])
  return stateOf(rows[0])
}

/** The contact stored and its window locked in one round trip (in a transaction, with a profile name). */
async function lockContactWindow(c: Connection, contact: ContactRecord): Promise<LockedWindow> {
  if (!c.locks || contact.profileName === null) {
    await ensureContact(c, contact)
    return lockedWindow(c, contact.channelId, contact.contactId)
  }
  const { rows } = await run<LockedWindowRow>(c, STATEMENTS.upsertContactNameLockWindow, [
    contact.channelId,
    contact.contactId,
    contact.country,
    contact.profileName,
    contact.createdAt,
  ])
  return lockedWindowOf(rows[0])
}

/**
 * A customer's message stored and, when new, the contact stored and its window locked: one round trip in a
 * transaction with a profile name (WhatsApp's messages carry one), otherwise the portable steps.
 */
async function insertInboundMessage(
  c: Connection,
  message: MessageRecord,
  contact: ContactRecord,
): Promise<LockedWindow | null> {
  if (!c.locks || contact.profileName === null)
    return insertMessageThenLock(c, message, contact, lockContactWindow)
  const { rows } = await run<LockedWindowRow>(c, STATEMENTS.insertMessageLockWindow, [
    ...messageParameters(message),
    contact.channelId,
    contact.contactId,
    contact.country,
    contact.profileName,
    contact.createdAt,
  ])
  // No row: the message was stored before, so nothing else was written.
  return rows[0] === undefined ? null : lockedWindowOf(rows[0])
}

/** A decided send's message and, when it was allowed, its window: one round trip in a transaction. */
async function insertOutboundMessage(
  c: Connection,
  message: MessageRecord,
  window: WindowRecord | null,
): Promise<void> {
  if (!c.locks || window === null) return insertMessageThenSave(c, message, window)
  await run(c, STATEMENTS.insertMessageSaveWindow, [
    ...messageParameters(message),
    ...windowParameters(window),
  ])
}

/** The window saved (with or without what was announced) and its jobs upserted in one statement, per job count. */
const savingWindowByCount = new Map<string, Statement>()

async function saveWindowWithJobs(
  c: Connection,
  window: WindowRecord,
  jobs: readonly ScheduledJob[],
  now: Instant,
  announced?: Announcement,
): Promise<void> {
  if (jobs.length === 0) return saveWindow(c, window, announced)
  if (!c.locks) {
    await saveWindow(c, window, announced)
    return upsertJobs(c, jobs, now)
  }
  const key = `${announced === undefined ? 'saving' : 'announcing'}:${jobs.length}`
  let fused = savingWindowByCount.get(key)
  if (fused === undefined) {
    const save = announced === undefined ? SAVE_WINDOW : SAVE_ANNOUNCED_WINDOW
    fused = statement(`with saved as (${save}) ${jobStatements(jobs.length).upsertText}`)
    savingWindowByCount.set(key, fused)
  }
  const saved = windowParameters(window)
  if (announced !== undefined) saved.push(announced.state, announced.expiresAt)
  await run(c, fused, [...saved, ...jobParameters(jobs, now)])
}

/** PostgreSQL's own ways, for the Kysely store. */
/** Costs are summed from each day's totals, filled when a report first reads a day (cost-days.ts). */
export const postgresQueries: DialectQueries = {
  lockWindow,
  lockContactWindow,
  insertInboundMessage,
  insertOutboundMessage,
  saveWindowWithJobs,
  sumMessageCosts: sumFilledDays,
  fillCostDays: fillSettledDays,
}
