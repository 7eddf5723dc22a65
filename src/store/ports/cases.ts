import type { Instant } from '../../domain/index.js'

export type CaseStatus = 'open' | 'pending' | 'resolved'

/** A ticket: an issue with a contact that automations act on. */
export interface CaseRecord {
  readonly id: string
  readonly tenantId: string
  readonly channelId: string
  readonly contactId: string
  /** The business's own ticket id, unique per channel. */
  readonly externalId: string | null
  readonly status: CaseStatus
  readonly subject: string | null
  /** The customer's language, for templates and reminders. */
  readonly language: string | null
  /** Template parameters (`{"ticket_id": "T-42"}`). */
  readonly parameters: Readonly<Record<string, string>>
  readonly lastReengagedAt: Instant | null
  readonly createdAt: Instant
  readonly updatedAt: Instant
}

export type CasePatch = Partial<
  Pick<CaseRecord, 'status' | 'subject' | 'language' | 'parameters' | 'externalId'>
> & {
  readonly updatedAt: Instant
}

export interface CaseFilter {
  readonly contactId?: string
  readonly status?: CaseStatus
  readonly limit: number
  readonly afterId?: string
}

/**
 * Cases: a business's open issues with a contact, which keep-alive reminders and Issue Resolution re-engagement
 * act on.
 */
export interface CaseStore {
  insertCase(record: CaseRecord): Promise<void>
  getCase(id: string): Promise<CaseRecord | undefined>
  findCaseByExternalId(channelId: string, externalId: string): Promise<CaseRecord | undefined>
  listCases(channelId: string, filter: CaseFilter): Promise<CaseRecord[]>
  updateCase(id: string, patch: CasePatch): Promise<CaseRecord | undefined>
  /**
   * Records a re-engagement of the case at `at` if the last one was at or before `notAfter` (or never); `false`
   * when another process or an earlier run already did it within the interval. Atomic.
   */
  claimReengagement(caseId: string, at: Instant, notAfter: Instant): Promise<boolean>
}
