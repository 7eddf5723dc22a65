import type { ContactState, Instant } from '../../domain/index.js'
import { run, type Connection } from '../kysely/connection.js'
import { SAVE_WINDOW } from '../kysely/hot.js'
import { ensureContact, readWindowState, saveWindow } from '../kysely/contacts.js'
import { inOrderOf, jobParameters, jobStatements, type PreviousStatus } from '../kysely/job-statements.js'
import { stateOf, windowParameters } from '../kysely/rows.js'
import { statement, type Statement } from '../sql-statement.js'
import type { DialectQueries } from '../kysely/dialect-queries.js'
import type { ContactRecord, JobStatus, ScheduledJob, WindowRecord } from '../store.js'

/**
 * What PostgreSQL does its own way. Locks: many instances write at once, so a read-modify-write of a contact's
 * window locks its row — created first when missing, or two first writers would both read "no state". Round
 * trips: an inbound message's steps fused into fewer statements (each one saved about a fifth of a notification's
 * cost in the inbox benchmark, where round trips dominate), with the portable steps kept beside them in kysely/.
 */

const STATEMENTS = {
  // One round trip that creates the row to lock if it is missing and locks it either way (the conflict path takes
  // the row lock an UPDATE takes, as FOR UPDATE does) and returns the state it holds.
  lockWindowState: statement(
    'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
      "values (?, ?, 'null', null, null, 0) on conflict (channel_id, contact_id) " +
      'do update set state_json = windows.state_json returning state_json',
  ),
  // The contact upsert and the window lock in one round trip. The window row is inserted from the contact upsert's
  // output, so the contact row is written (and locked) before the window row is locked, the order of the two
  // statements it replaces (and of a send's).
  upsertContactNameLockWindowState: statement(
    'with contact as (' +
      'insert into contacts (channel_id, contact_id, country, profile_name, created_at) values (?, ?, ?, ?, ?) ' +
      'on conflict (channel_id, contact_id) do update set profile_name = excluded.profile_name ' +
      'returning channel_id, contact_id) ' +
      'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
      "select channel_id, contact_id, 'null', null, null, 0 from contact on conflict (channel_id, contact_id) " +
      'do update set state_json = windows.state_json returning state_json',
  ),
} as const

/** The window's state, its row locked until the transaction ends (outside one, a plain read). */
export async function lockWindow(
  c: Connection,
  channelId: string,
  contactId: string,
): Promise<ContactState | undefined> {
  if (!c.locks) return readWindowState(c, channelId, contactId)
  const { rows } = await run<{ state_json: string }>(c, STATEMENTS.lockWindowState, [channelId, contactId])
  return stateOf(rows[0])
}

/** The contact stored and its window locked in one round trip (in a transaction, with a profile name). */
export async function ensureContactAndLockWindow(
  c: Connection,
  contact: ContactRecord,
): Promise<ContactState | undefined> {
  if (!c.locks || contact.profileName === null) {
    await ensureContact(c, contact)
    return lockWindow(c, contact.channelId, contact.contactId)
  }
  const { rows } = await run<{ state_json: string }>(c, STATEMENTS.upsertContactNameLockWindowState, [
    contact.channelId,
    contact.contactId,
    contact.country,
    contact.profileName,
    contact.createdAt,
  ])
  return stateOf(rows[0])
}

/** Statements that read the jobs' statuses before the upsert in the same round trip, per job count. */
const fusedByCount = new Map<number, { readonly upsert: Statement; readonly savingWindow: Statement }>()

function fusedStatements(count: number) {
  let known = fusedByCount.get(count)
  if (known === undefined) {
    const { statusesText, upsertText } = jobStatements(count)
    // Every part of a statement reads the snapshot it started with, as the separate read would; no status for a
    // new job.
    const returning = 'returning jobs.id, (select status from previous where previous.id = jobs.id) as status'
    known = {
      upsert: statement(`with previous as (${statusesText}) ${upsertText} ${returning}`),
      // The contact's window saved in the same round trip (its row is already locked).
      savingWindow: statement(
        `with saved as (${SAVE_WINDOW}), previous as (${statusesText}) ${upsertText} ${returning}`,
      ),
    }
    fusedByCount.set(count, known)
  }
  return known
}

/** Jobs scheduled, and their previous statuses read, in one round trip. */
export async function scheduleJobs(
  c: Connection,
  jobs: readonly ScheduledJob[],
  now: Instant,
): Promise<(JobStatus | null)[]> {
  if (jobs.length === 0) return []
  const ids = jobs.map((job) => job.id)
  const { rows } = await run<PreviousStatus>(c, fusedStatements(jobs.length).upsert, [
    ...ids,
    ...jobParameters(jobs, now),
  ])
  return inOrderOf(ids, rows)
}

/** The window saved and its jobs scheduled in one round trip; none to schedule: only the save. */
export async function saveWindowAndScheduleJobs(
  c: Connection,
  window: WindowRecord,
  jobs: readonly ScheduledJob[],
  now: Instant,
): Promise<(JobStatus | null)[]> {
  if (jobs.length === 0) {
    await saveWindow(c, window)
    return []
  }
  const ids = jobs.map((job) => job.id)
  const { rows } = await run<PreviousStatus>(c, fusedStatements(jobs.length).savingWindow, [
    ...windowParameters(window),
    ...ids,
    ...jobParameters(jobs, now),
  ])
  return inOrderOf(ids, rows)
}

/** PostgreSQL's own ways, for the Kysely store. */
export const postgresQueries: DialectQueries = {
  lockWindow,
  ensureContactAndLockWindow,
  scheduleJobs,
  saveWindowAndScheduleJobs,
}
