import { sql } from 'kysely'
import type { JobRecord, JobStatus, ScheduledJob } from '../store.js'
import { run, type Connection } from './connection.js'
import { jobStatements, inOrderOf, jobParameters, type PreviousStatus } from './job-statements.js'
import { jobOf } from './rows.js'

/** Timed work (JobStore). Scheduling is SQL text (job-statements.ts); the rest typed queries. */

/** The statuses before, then the upsert: two statements. */
export async function scheduleJobs(
  c: Connection,
  jobs: readonly ScheduledJob[],
  now: number,
): Promise<(JobStatus | null)[]> {
  if (jobs.length === 0) return []
  const ids = jobs.map((job) => job.id)
  const statements = jobStatements(jobs.length)
  const before = (await run<PreviousStatus>(c, statements.statuses, ids)).rows
  await run(c, statements.upsert, jobParameters(jobs, now))
  return inOrderOf(ids, before)
}

export async function getJob(c: Connection, id: string): Promise<JobRecord | undefined> {
  const row = await c.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
  return row && jobOf(row)
}

export async function claimDueJobs(
  c: Connection,
  now: number,
  limit: number,
  leaseUntil: number,
): Promise<JobRecord[]> {
  let due = c.db
    .selectFrom('jobs')
    .select('id')
    // A literal, not a parameter: PostgreSQL's planner then knows its partial index `jobs_pending_due` applies.
    .where('status', '=', sql.lit('pending'))
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy('due_at')
    .limit(limit)
  if (c.dialect === 'postgres') due = due.forUpdate().skipLocked()
  const rows = await c.db
    .updateTable('jobs')
    .set({ locked_until: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  return rows.map(jobOf).sort((a, b) => a.dueAt - b.dueAt)
}

export async function completeJobs(
  c: Connection,
  jobs: readonly { readonly id: string; readonly dueAt: number }[],
  at: number,
): Promise<void> {
  // In slices: SQLite limits the number of bound parameters in one statement.
  for (let start = 0; start < jobs.length; start += 200) {
    const slice = jobs.slice(start, start + 200)
    await c.db
      .updateTable('jobs')
      .set({ status: 'done', locked_until: null, updated_at: at })
      // Only a pending job: one cancelled while it ran stays cancelled. The status is tested in every term, not
      // once beside them: a lone `status = ?` had SQLite (no statistics) walk an index on the status over all
      // pending jobs instead of looking each id up — 0.8 s per slice with 200,000 jobs pending.
      .where((eb) =>
        eb.or(
          slice.map((job) =>
            eb.and([eb('id', '=', job.id), eb('due_at', '=', job.dueAt), eb('status', '=', 'pending')]),
          ),
        ),
      )
      .execute()
  }
}

export async function rescheduleJob(
  c: Connection,
  id: string,
  fromDueAt: number,
  dueAt: number,
): Promise<void> {
  await c.db
    .updateTable('jobs')
    .set({ due_at: dueAt, locked_until: null, status: 'pending' })
    .where('id', '=', id)
    .where('due_at', '=', fromDueAt)
    // A job cancelled while it ran is not brought back to life by the run's "again later".
    .where('status', '=', 'pending')
    .execute()
}

export async function failJob(c: Connection, id: string, error: string): Promise<void> {
  await c.db
    .updateTable('jobs')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error }))
    .where('id', '=', id)
    .execute()
}

export async function cancelJob(c: Connection, id: string, at: number): Promise<void> {
  await c.db
    .updateTable('jobs')
    .set({ status: 'cancelled', locked_until: null, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute()
}

export async function countJobs(c: Connection, status: JobStatus): Promise<number> {
  const row = await c.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', status)
    .executeTakeFirstOrThrow()
  return row.count
}

/** Schedules (or moves) jobs without reading what they were. */
export async function upsertJobs(c: Connection, jobs: readonly ScheduledJob[], now: number): Promise<void> {
  if (jobs.length > 0) await run(c, jobStatements(jobs.length).upsert, jobParameters(jobs, now))
}
