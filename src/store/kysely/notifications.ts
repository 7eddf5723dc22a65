import type { Instant, Platform } from '../../domain/index.js'
import { run, type Connection } from './connection.js'
import { placeholders, statement, type SqlValue, type Statement } from '../sql-statement.js'
import type {
  NewNotification,
  NotificationFailure,
  NotificationRecord,
  UnappliedNotification,
} from '../store.js'

/**
 * How a notification's subjects are kept in its `subject` column: `-` for none, the subject itself when there is one,
 * `+` for several (listed in `notification_subjects`), and NULL — notifications stored before subjects were kept — for any.
 */
const NO_SUBJECT = '-'
const SEVERAL_SUBJECTS = '+'

function subjectColumn(subjects: readonly string[] | null): string | null {
  if (subjects === null) return null
  if (subjects.length === 0) return NO_SUBJECT
  return subjects.length === 1 ? (subjects[0] ?? null) : SEVERAL_SUBJECTS
}

/** Not processed and not dead: what the inbox may take (once a failed one is due again). */
const CLAIMABLE = 'processed_at is null and dead_at is null and (retry_at is null or retry_at <= ?)'

const NOTIFICATION_COLUMNS = 'id, platform, body, signature, received_at, attempts'

/**
 * The ids of the unprocessed notifications that concern `count` subjects, the first `limit` (three times) of each kind:
 * those whose one subject it is, those of any subject (NULL), and those that list it among several. Each kind is
 * looked up in its own index: with an `or`, SQLite walks the whole backlog in id order instead.
 */
function concerning(count: number): string {
  const subjects = placeholders(count)
  return (
    `select id from (select id from webhook_notifications where processed_at is null and subject in (${subjects}) ` +
    'order by id limit ?) as own ' +
    'union all ' +
    'select id from (select id from webhook_notifications where processed_at is null and subject is null ' +
    'order by id limit ?) as unscoped ' +
    'union all ' +
    'select id from (select shared.notification_id as id from notification_subjects as shared ' +
    'join webhook_notifications as notification on notification.id = shared.notification_id ' +
    `where shared.subject in (${subjects}) and notification.processed_at is null order by shared.notification_id limit ?) as listed`
  )
}

/** The oldest claimable notifications, unlocked (SQLite, whose single writer needs no lock). */
const CLAIM = `select ${NOTIFICATION_COLUMNS} from webhook_notifications where ${CLAIMABLE} order by id limit ?`

const STATEMENTS = {
  claim: statement(CLAIM),
  // PostgreSQL claims through a function that always plans along the unprocessed index (migration 0023).
  claimLocked: {
    sqlite: CLAIM,
    postgres: `select ${NOTIFICATION_COLUMNS} from claim_webhook_notifications($1, $2)`,
  },
  recordFailure: statement(
    'update webhook_notifications set attempts = ?, error = ?, retry_at = ?, dead_at = ? where id = ? and processed_at is null',
  ),
  lastId: statement('select max(id) as id from webhook_notifications'),
  // A failed notification waiting for its retry is not waited for: it is not being worked on.
  // PostgreSQL reads it through a function planned along the unprocessed index only (migration 0025).
  oldestPendingId: {
    sqlite: `select id from webhook_notifications where ${CLAIMABLE} order by id limit 1`,
    postgres: 'select id from (select oldest_pending_notification($1) as id) as oldest where id is not null',
  },
} as const

/** Statements that take a list of subjects, per list length (a decision names one or two). */
const bySubjectCount = new Map<
  number,
  { readonly claim: Statement; readonly claimLocked: Statement; readonly unapplied: Statement }
>()

function subjectStatements(count: number) {
  let known = bySubjectCount.get(count)
  if (known === undefined) {
    const claim = `select ${NOTIFICATION_COLUMNS} from webhook_notifications where ${CLAIMABLE} and id in (${concerning(count)}) order by id limit ?`
    known = {
      claim: statement(claim),
      claimLocked: statement(`${claim} for update skip locked`),
      unapplied: statement(
        'select id, retry_at, dead_at, error from webhook_notifications where processed_at is null ' +
          `and (id <= ? or dead_at is not null) and id in (${concerning(count)}) order by id limit ?`,
      ),
    }
    bySubjectCount.set(count, known)
  }
  return known
}

/** `insert into webhook_notifications` for `count` rows, per row count (a batch has at most a few hundred). */
const insertStatements = new Map<number, Statement>()

function insertStatement(count: number): Statement {
  let known = insertStatements.get(count)
  if (known === undefined) {
    known = statement(
      'insert into webhook_notifications (platform, body, signature, received_at, subject, processed_at, error) values ' +
        Array.from({ length: count }, () => '(?, ?, ?, ?, ?, null, null)').join(', ') +
        ' returning id',
    )
    insertStatements.set(count, known)
  }
  return known
}

/** Notifications a decision looks at, at most (it waits while any is there, so the first few are enough). */
const UNAPPLIED_LIMIT = 20

type NotificationRow = {
  readonly id: number | string
  readonly platform: string
  readonly body: string
  readonly signature: string
  readonly received_at: number
  readonly attempts: number
}

/**
 * The inbox's table (`webhook_notifications`, with `notification_subjects` for notifications about several subjects): storing,
 * claiming and settling notifications. Dead letters are read and revived in dead-notifications.ts.
 */

/** Whether storing these takes a transaction: a notification with several subjects lists them in a second statement. */
export function needsTransaction(notifications: readonly NewNotification[]): boolean {
  return notifications.some((notification) => (notification.subjects?.length ?? 0) > 1)
}

/** One statement for the notifications, and one more listing the subjects of those with several (see needsTransaction). */
export async function insert(c: Connection, notifications: readonly NewNotification[]): Promise<number[]> {
  if (notifications.length === 0) return []
  const ids = await insertRows(c, notifications)
  const listed = notifications.flatMap((notification, index) =>
    (notification.subjects?.length ?? 0) > 1
      ? (notification.subjects ?? []).map((subject) => ({ subject, notification_id: ids[index] ?? 0 }))
      : [],
  )
  if (listed.length > 0) await listSubjects(c, listed)
  return ids
}

async function insertRows(c: Connection, notifications: readonly NewNotification[]): Promise<number[]> {
  const parameters: SqlValue[] = []
  for (const notification of notifications)
    parameters.push(
      notification.platform,
      notification.body,
      notification.signature,
      notification.receivedAt,
      subjectColumn(notification.subjects),
    )
  const { rows } = await run<{ id: number | string }>(c, insertStatement(notifications.length), parameters)
  return rows.map((row) => Number(row.id))
}

async function listSubjects(
  c: Connection,
  rows: readonly { subject: string; notification_id: number }[],
): Promise<void> {
  // In slices: SQLite limits the number of bound parameters in one statement.
  for (let start = 0; start < rows.length; start += 400)
    await c.db
      .insertInto('notification_subjects')
      .values(rows.slice(start, start + 400))
      .onConflict((conflict) => conflict.doNothing())
      .execute()
}

export async function claim(
  c: Connection,
  limit: number,
  now: Instant,
  subjects?: readonly string[],
): Promise<NotificationRecord[]> {
  let rows: readonly NotificationRow[]
  if (subjects === undefined || subjects.length === 0) {
    rows = (await run<NotificationRow>(c, c.locks ? STATEMENTS.claimLocked : STATEMENTS.claim, [now, limit]))
      .rows
  } else {
    const statements = subjectStatements(subjects.length)
    rows = (
      await run<NotificationRow>(c, c.locks ? statements.claimLocked : statements.claim, [
        now,
        ...subjects,
        limit,
        limit,
        ...subjects,
        limit,
        limit,
      ])
    ).rows
  }
  return rows.map((row) => ({
    id: Number(row.id),
    platform: row.platform as Platform,
    body: row.body,
    signature: row.signature,
    receivedAt: row.received_at,
    attempts: row.attempts,
  }))
}

export async function markProcessed(c: Connection, ids: readonly number[], at: Instant): Promise<void> {
  if (ids.length === 0) return
  await c.db
    .updateTable('webhook_notifications')
    .set({ processed_at: at, error: null })
    .where('id', 'in', ids)
    .execute()
}

export async function recordFailure(c: Connection, id: number, failure: NotificationFailure): Promise<void> {
  const isDead = failure.retryAt === null
  await run(c, STATEMENTS.recordFailure, [
    failure.attempts,
    failure.error,
    failure.retryAt,
    isDead ? failure.at : null,
    id,
  ])
  // A dead letter keeps decisions about what it concerns refused: it must name exactly that.
  if (isDead && failure.subjects !== undefined) {
    await c.db
      .updateTable('webhook_notifications')
      .set({ subject: subjectColumn(failure.subjects) })
      .where('id', '=', id)
      .execute()
    await c.db.deleteFrom('notification_subjects').where('notification_id', '=', id).execute()
    if (failure.subjects.length > 1)
      await listSubjects(
        c,
        failure.subjects.map((subject) => ({ subject, notification_id: id })),
      )
  }
}

export async function lastId(c: Connection): Promise<number> {
  const { rows } = await run<{ id: number | string | null }>(c, STATEMENTS.lastId, [])
  return Number(rows[0]?.id ?? 0)
}

export async function oldestPendingId(c: Connection, now: Instant): Promise<number | null> {
  const { rows } = await run<{ id: number | string }>(c, STATEMENTS.oldestPendingId, [now])
  const id = rows[0]?.id
  return id === undefined ? null : Number(id)
}

export async function unapplied(
  c: Connection,
  subjects: readonly string[],
  throughId: number,
): Promise<UnappliedNotification[]> {
  if (subjects.length === 0) return []
  const { rows } = await run<{
    id: number | string
    retry_at: number | string | null
    dead_at: number | string | null
    error: string | null
  }>(c, subjectStatements(subjects.length).unapplied, [
    throughId,
    ...subjects,
    UNAPPLIED_LIMIT,
    UNAPPLIED_LIMIT,
    ...subjects,
    UNAPPLIED_LIMIT,
    UNAPPLIED_LIMIT,
  ])
  return rows.map((row) => ({
    id: Number(row.id),
    retryAt: row.retry_at === null ? null : Number(row.retry_at),
    deadAt: row.dead_at === null ? null : Number(row.dead_at),
    error: row.error,
  }))
}
