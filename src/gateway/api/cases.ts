import type { Instant } from '../../domain/index.js'
import { caseJson } from '../../representations/case-json.js'
import { contactJobId, JOB_KINDS } from '../../scheduler/jobs.js'
import type { CaseRecord, CaseStatus, ChannelRecord, Store } from '../../store/store.js'
import { ensureContact } from '../contacts/contacts.js'
import { GatewayError } from '../../shared/errors.js'
import { randomToken } from '../../shared/ids.js'
import type { NativeApiDependencies } from './channels.js'

type CaseDependencies = Pick<NativeApiDependencies, 'store' | 'clock'>

export interface NewCase {
  /** Normalised as carewindow keys contacts. */
  readonly contactId: string
  readonly externalId?: string
  readonly subject?: string
  readonly language?: string
  readonly parameters?: Readonly<Record<string, string>>
  readonly status: CaseStatus
}

/** What a PATCH may change; `null` clears a field. */
export interface CaseChanges {
  readonly status?: CaseStatus
  readonly subject?: string | null
  readonly language?: string | null
  readonly parameters?: Readonly<Record<string, string>>
  readonly externalId?: string | null
}

export interface CaseListQuery {
  readonly contactId?: string
  readonly status?: CaseStatus
  readonly externalId?: string
  readonly limit: number
  /** Continue after this case id (decoded from `paging.next_cursor`). */
  readonly afterId?: string
}

/**
 * Opens a case for a contact (created on first sight). `external_id` — the business's own ticket id — is unique
 * per channel: a second case with it is a 409 naming the first.
 */
export async function createCase(
  deps: CaseDependencies,
  channel: ChannelRecord,
  input: NewCase,
): Promise<Record<string, unknown>> {
  const record = await guardExternalId(deps.store, channel, input.externalId, undefined, () =>
    deps.store.transaction(async (tx) => {
      const now = deps.clock()
      if (input.externalId !== undefined) await requireFreeExternalId(tx, channel, input.externalId)
      await ensureContact(tx, channel, input.contactId, now)
      const record: CaseRecord = {
        id: newCaseId(now),
        tenantId: channel.tenantId,
        channelId: channel.id,
        contactId: input.contactId,
        externalId: input.externalId ?? null,
        status: input.status,
        subject: input.subject ?? null,
        language: input.language ?? null,
        parameters: input.parameters ?? {},
        lastReengagedAt: null,
        createdAt: now,
        updatedAt: now,
      }
      await tx.insertCase(record)
      return record
    }),
  )
  return caseJson(record, channel)
}

/**
 * A page of the channel's cases, oldest first (case ids begin with their creation instant); `next_cursor`
 * continues after the page, `null` on the last one. With `externalId` there is at most one.
 */
export async function listChannelCases(
  deps: CaseDependencies,
  channel: ChannelRecord,
  query: CaseListQuery,
): Promise<{ data: Record<string, unknown>[]; paging: { next_cursor: string | null } }> {
  if (query.externalId !== undefined) {
    const found = await deps.store.findCaseByExternalId(channel.id, query.externalId)
    const matches =
      found !== undefined &&
      (query.contactId === undefined || found.contactId === query.contactId) &&
      (query.status === undefined || found.status === query.status)
    return { data: matches ? [caseJson(found, channel)] : [], paging: { next_cursor: null } }
  }
  // One row more than asked tells whether another page follows, so the last page never ends in an empty one.
  const rows = await deps.store.listCases(channel.id, {
    limit: query.limit + 1,
    ...(query.contactId === undefined ? {} : { contactId: query.contactId }),
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
  })
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return {
    data: page.map((record) => caseJson(record, channel)),
    paging: {
      next_cursor: rows.length > query.limit && last !== undefined ? encodeCaseCursor(last.id) : null,
    },
  }
}

/**
 * One of the tenant's cases with its channel. A case on another tenant's channel is not found exactly like a
 * missing one, so ids cannot be probed.
 */
export async function tenantCase(
  deps: CaseDependencies,
  tenantId: string,
  caseId: string,
): Promise<{ readonly channel: ChannelRecord; readonly record: CaseRecord }> {
  const record = await deps.store.getCase(caseId)
  const channel =
    record === undefined
      ? undefined
      : (await deps.store.listChannels({ tenantId })).find((candidate) => candidate.id === record.channelId)
  if (record === undefined || channel === undefined)
    throw new GatewayError('NOT_FOUND', `there is no case '${caseId}'`)
  return { channel, record }
}

/** The channel's case with this external id (the business's ticket id). */
export async function caseByExternalId(
  deps: CaseDependencies,
  channel: ChannelRecord,
  externalId: string,
): Promise<CaseRecord> {
  const record = await deps.store.findCaseByExternalId(channel.id, externalId)
  if (record === undefined)
    throw new GatewayError(
      'NOT_FOUND',
      `channel '${channel.externalId}' has no case with external_id '${externalId}'`,
    )
  return record
}

/**
 * Changes a case. Resolving it stops the contact's pending Issue Resolution re-engagement — the job is one per
 * contact, so only when no other case of theirs is still open, and not while replies are held for them: that
 * invitation is what brings the customer back to receive them.
 */
export async function updateCase(
  deps: CaseDependencies,
  channel: ChannelRecord,
  record: CaseRecord,
  changes: CaseChanges,
): Promise<Record<string, unknown>> {
  if (Object.values(changes).every((value) => value === undefined)) return caseJson(record, channel)
  const updated = await guardExternalId(deps.store, channel, changes.externalId, record.id, () =>
    deps.store.transaction(async (tx) => {
      const now = deps.clock()
      const before = (await tx.getCase(record.id)) ?? record
      const externalId = changes.externalId
      if (externalId !== undefined && externalId !== null && externalId !== before.externalId)
        await requireFreeExternalId(tx, channel, externalId)
      const after = await tx.updateCase(record.id, {
        updatedAt: now,
        ...(changes.status === undefined ? {} : { status: changes.status }),
        ...(changes.subject === undefined ? {} : { subject: changes.subject }),
        ...(changes.language === undefined ? {} : { language: changes.language }),
        ...(changes.parameters === undefined ? {} : { parameters: changes.parameters }),
        ...(externalId === undefined ? {} : { externalId }),
      })
      if (after === undefined) throw new GatewayError('NOT_FOUND', `there is no case '${record.id}'`)
      if (before.status !== 'resolved' && after.status === 'resolved')
        await stopReengagement(tx, channel, after.contactId, now)
      return after
    }),
  )
  return caseJson(updated, channel)
}

async function stopReengagement(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  now: Instant,
): Promise<void> {
  const [stillOpen] = await tx.listCases(channel.id, { contactId, status: 'open', limit: 1 })
  if (stillOpen !== undefined) return
  const jobId = contactJobId(JOB_KINDS.reengage, channel.id, contactId)
  const job = await tx.getJob(jobId)
  if (job?.status !== 'pending') return
  if (job.payload.reason === 'held' && (await tx.listHolds(channel.id, contactId, 'held')).length > 0) return
  await tx.cancelJob(jobId, now)
}

async function requireFreeExternalId(tx: Store, channel: ChannelRecord, externalId: string): Promise<void> {
  const holder = await tx.findCaseByExternalId(channel.id, externalId)
  if (holder !== undefined) throw conflict(channel, externalId, holder)
}

/**
 * The check above reads before it writes; on PostgreSQL two requests with one external id can both pass it, and
 * the unique constraint fails the second insert. That failure is answered as the check would have answered it.
 */
async function guardExternalId<T>(
  store: Store,
  channel: ChannelRecord,
  externalId: string | null | undefined,
  ownCaseId: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof GatewayError || externalId === undefined || externalId === null) throw error
    const holder = await store.findCaseByExternalId(channel.id, externalId)
    if (holder !== undefined && holder.id !== ownCaseId) throw conflict(channel, externalId, holder)
    throw error
  }
}

function conflict(channel: ChannelRecord, externalId: string, holder: CaseRecord): GatewayError {
  return new GatewayError(
    'CONFLICT',
    `external_id: case ${holder.id} of channel '${channel.externalId}' already has external_id '${externalId}'; GET or PATCH /v1/channels/${channel.externalId}/cases/by-external-id/${encodeURIComponent(externalId)} to work on it`,
  )
}

/** `case_` + the creation instant (9 base-36 digits, so ids sort by creation) + 64 random bits. */
function newCaseId(now: Instant): string {
  return `case_${now.toString(36).padStart(9, '0')}${randomToken(8, 'hex')}`
}

/** An opaque cursor: base64url of the page's last case id. */
export function encodeCaseCursor(caseId: string): string {
  return Buffer.from(caseId).toString('base64url')
}

/** The case id a cursor names, or `undefined` when it is not one of ours. */
export function decodeCaseCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined
  const caseId = Buffer.from(cursor, 'base64url').toString('utf8')
  return encodeCaseCursor(caseId) === cursor && /^[\x21-\x7e]{1,256}$/.test(caseId) ? caseId : undefined
}
