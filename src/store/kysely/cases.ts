import type { CaseFilter, CasePatch, CaseRecord } from '../store.js'
import type { Connection } from './connection.js'
import { caseOf } from './rows.js'

/** Cases (CaseStore). */

export async function insertCase(c: Connection, record: CaseRecord): Promise<void> {
  await c.db
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

export async function getCase(c: Connection, id: string): Promise<CaseRecord | undefined> {
  const row = await c.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()
  return row && caseOf(row)
}

export async function findCaseByExternalId(
  c: Connection,
  channelId: string,
  externalId: string,
): Promise<CaseRecord | undefined> {
  const row = await c.db
    .selectFrom('cases')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('external_id', '=', externalId)
    .executeTakeFirst()
  return row && caseOf(row)
}

export async function listCases(c: Connection, channelId: string, filter: CaseFilter): Promise<CaseRecord[]> {
  let query = c.db.selectFrom('cases').selectAll().where('channel_id', '=', channelId)
  if (filter.contactId !== undefined) query = query.where('contact_id', '=', filter.contactId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId)
  return (await query.orderBy('id').limit(filter.limit).execute()).map(caseOf)
}

export async function updateCase(
  c: Connection,
  id: string,
  patch: CasePatch,
): Promise<CaseRecord | undefined> {
  await c.db
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
  return getCase(c, id)
}

export async function claimReengagement(
  c: Connection,
  caseId: string,
  at: number,
  notAfter: number,
): Promise<boolean> {
  const result = await c.db
    .updateTable('cases')
    .set({ last_reengaged_at: at })
    .where('id', '=', caseId)
    .where((eb) => eb.or([eb('last_reengaged_at', 'is', null), eb('last_reengaged_at', '<=', notAfter)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
