import type { Kysely, Selectable } from 'kysely'
import type { CasesTable, Database, HeldMessagesTable, JobsTable } from './schema.js'
import type {
  CasePatch,
  CaseRecord,
  CaseStatus,
  HeldMessageRecord,
  HoldPatch,
  HoldStatus,
  JobRecord,
  JobStatus,
} from './store.js'

/**
 * The automations part of the Kysely store (jobs, cases, held replies), as functions of a Kysely instance —
 * `KyselyStore` delegates to them. `locks` is true inside a PostgreSQL transaction, where claims use
 * `FOR UPDATE SKIP LOCKED`.
 */

export async function getJob(db: Kysely<Database>, id: string): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
  return row && jobOf(row)
}

export async function claimDueJobs(
  db: Kysely<Database>,
  postgres: boolean,
  now: number,
  limit: number,
  leaseUntil: number,
): Promise<JobRecord[]> {
  let due = db
    .selectFrom('jobs')
    .select('id')
    .where('status', '=', 'pending')
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy('due_at')
    .limit(limit)
  if (postgres) due = due.forUpdate().skipLocked()
  const rows = await db
    .updateTable('jobs')
    .set({ locked_until: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  return rows.map(jobOf).sort((a, b) => a.dueAt - b.dueAt)
}

export async function completeJobs(
  db: Kysely<Database>,
  jobs: readonly { readonly id: string; readonly dueAt: number }[],
  at: number,
): Promise<void> {
  // In slices: SQLite limits the number of bound parameters in one statement.
  for (let start = 0; start < jobs.length; start += 200) {
    const slice = jobs.slice(start, start + 200)
    await db
      .updateTable('jobs')
      .set({ status: 'done', locked_until: null, updated_at: at })
      // Only a pending job: one cancelled while it ran stays cancelled. The status is tested in every term, not
      // once beside them: a lone `status = ?` has SQLite (no statistics) walk the (status, due_at) index over all
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
  db: Kysely<Database>,
  id: string,
  fromDueAt: number,
  dueAt: number,
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ due_at: dueAt, locked_until: null, status: 'pending' })
    .where('id', '=', id)
    .where('due_at', '=', fromDueAt)
    // A job cancelled while it ran is not brought back to life by the run's "again later".
    .where('status', '=', 'pending')
    .execute()
}

export async function failJob(db: Kysely<Database>, id: string, error: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error }))
    .where('id', '=', id)
    .execute()
}

export async function cancelJob(db: Kysely<Database>, id: string, at: number): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ status: 'cancelled', locked_until: null, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute()
}

export async function countJobs(db: Kysely<Database>, status: JobStatus): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', status)
    .executeTakeFirstOrThrow()
  return row.count
}

export async function insertCase(db: Kysely<Database>, record: CaseRecord): Promise<void> {
  await db
    .insertInto('cases')
    .values({
      id: record.id,
      tenant_id: record.tenantId,
      channel_id: record.channelId,
      contact_id: record.contactId,
      external_id: record.externalId,
      status: record.status,
      subject: record.subject,
      language: record.language,
      parameters_json: JSON.stringify(record.parameters),
      last_reengaged_at: record.lastReengagedAt,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    })
    .execute()
}

export async function getCase(db: Kysely<Database>, id: string): Promise<CaseRecord | undefined> {
  const row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()
  return row && caseOf(row)
}

export async function findCaseByExternalId(
  db: Kysely<Database>,
  channelId: string,
  externalId: string,
): Promise<CaseRecord | undefined> {
  const row = await db
    .selectFrom('cases')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('external_id', '=', externalId)
    .executeTakeFirst()
  return row && caseOf(row)
}

export async function listCases(
  db: Kysely<Database>,
  channelId: string,
  filter: {
    readonly contactId?: string
    readonly status?: CaseStatus
    readonly limit: number
    readonly afterId?: string
  },
): Promise<CaseRecord[]> {
  let query = db.selectFrom('cases').selectAll().where('channel_id', '=', channelId)
  if (filter.contactId !== undefined) query = query.where('contact_id', '=', filter.contactId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId)
  return (await query.orderBy('id').limit(filter.limit).execute()).map(caseOf)
}

export async function updateCase(
  db: Kysely<Database>,
  id: string,
  patch: CasePatch,
): Promise<CaseRecord | undefined> {
  await db
    .updateTable('cases')
    .set({
      updated_at: patch.updatedAt,
      ...(patch.status === undefined ? {} : { status: patch.status }),
      ...(patch.subject === undefined ? {} : { subject: patch.subject }),
      ...(patch.language === undefined ? {} : { language: patch.language }),
      ...(patch.externalId === undefined ? {} : { external_id: patch.externalId }),
      ...(patch.parameters === undefined ? {} : { parameters_json: JSON.stringify(patch.parameters) }),
    })
    .where('id', '=', id)
    .execute()
  return getCase(db, id)
}

export async function claimReengagement(
  db: Kysely<Database>,
  caseId: string,
  at: number,
  notAfter: number,
): Promise<boolean> {
  const result = await db
    .updateTable('cases')
    .set({ last_reengaged_at: at })
    .where('id', '=', caseId)
    .where((eb) => eb.or([eb('last_reengaged_at', 'is', null), eb('last_reengaged_at', '<=', notAfter)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function insertHold(db: Kysely<Database>, record: HeldMessageRecord): Promise<void> {
  await db
    .insertInto('held_messages')
    .values({
      id: record.id,
      tenant_id: record.tenantId,
      channel_id: record.channelId,
      contact_id: record.contactId,
      body: record.body,
      status: record.status,
      refused_message_id: record.refusedMessageId,
      message_id: record.messageId,
      error: record.error,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
      released_at: record.releasedAt,
    })
    .execute()
}

export async function getHold(db: Kysely<Database>, id: string): Promise<HeldMessageRecord | undefined> {
  const row = await db.selectFrom('held_messages').selectAll().where('id', '=', id).executeTakeFirst()
  return row && holdOf(row)
}

export async function listHolds(
  db: Kysely<Database>,
  channelId: string,
  contactId: string,
  status?: HoldStatus,
): Promise<HeldMessageRecord[]> {
  let query = db
    .selectFrom('held_messages')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('contact_id', '=', contactId)
  if (status !== undefined) query = query.where('status', '=', status)
  return (await query.orderBy('created_at').orderBy('id').execute()).map(holdOf)
}

export async function updateHold(
  db: Kysely<Database>,
  id: string,
  patch: HoldPatch,
  from?: HoldStatus,
): Promise<boolean> {
  let query = db
    .updateTable('held_messages')
    .set({
      ...(patch.status === undefined ? {} : { status: patch.status }),
      ...(patch.messageId === undefined ? {} : { message_id: patch.messageId }),
      ...(patch.error === undefined ? {} : { error: patch.error }),
      ...(patch.releasedAt === undefined ? {} : { released_at: patch.releasedAt }),
    })
    .where('id', '=', id)
  if (from !== undefined) query = query.where('status', '=', from)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

function jobOf(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    channelId: row.channel_id,
    contactId: row.contact_id,
    dueAt: row.due_at,
    payload: JSON.parse(row.payload_json) as Record<string, unknown>,
    status: row.status as JobStatus,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
  }
}

function caseOf(row: Selectable<CasesTable>): CaseRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    externalId: row.external_id,
    status: row.status as CaseStatus,
    subject: row.subject,
    language: row.language,
    parameters: JSON.parse(row.parameters_json) as Record<string, string>,
    lastReengagedAt: row.last_reengaged_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function holdOf(row: Selectable<HeldMessagesTable>): HeldMessageRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    body: row.body,
    status: row.status as HoldStatus,
    refusedMessageId: row.refused_message_id,
    messageId: row.message_id,
    error: row.error,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    releasedAt: row.released_at,
  }
}
