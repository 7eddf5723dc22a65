import type { ContactState, Instant } from '../../domain/index.js'
import type {
  Announcement,
  CaseFilter,
  CasePatch,
  CaseRecord,
  ClosedAnnouncement,
  ContactRecord,
  HeldMessageRecord,
  HoldPatch,
  HoldStatus,
  LockedWindow,
  MessageRecord,
  ScheduledJob,
  Slot,
  SlotRequest,
  WindowQuery,
  WindowRecord,
} from '../store.js'
import * as cases from './cases.js'
import * as contacts from './contacts.js'
import * as holds from './holds.js'
import * as rateLimits from './rate-limits.js'
import * as windowCloses from './window-closes.js'
import { AccountRoles } from './account-roles.js'

/** The Kysely store's second layer of roles: contacts and their windows, cases and held replies, throughput limits. */
export abstract class ContactRoles extends AccountRoles {
  // Contacts and windows
  ensureContact(contact: ContactRecord): Promise<ContactRecord> {
    return contacts.ensureContact(this, contact)
  }
  getContact(channelId: string, contactId: string): Promise<ContactRecord | undefined> {
    return contacts.getContact(this, channelId, contactId)
  }
  getContacts(channelId: string, contactIds: readonly string[]): Promise<ContactRecord[]> {
    return contacts.getContacts(this, channelId, contactIds)
  }
  getWindow(channelId: string, contactId: string): Promise<WindowRecord | undefined> {
    return contacts.getWindow(this, channelId, contactId)
  }
  getWindows(channelId: string, contactIds: readonly string[]): Promise<WindowRecord[]> {
    return contacts.getWindows(this, channelId, contactIds)
  }
  lockWindow(channelId: string, contactId: string): Promise<ContactState | undefined> {
    return this.queries.lockWindow(this, channelId, contactId)
  }
  lockContactWindow(contact: ContactRecord): Promise<LockedWindow> {
    return this.queries.lockContactWindow(this, contact)
  }
  insertInboundMessage(message: MessageRecord, contact: ContactRecord): Promise<LockedWindow | null> {
    return this.queries.insertInboundMessage(this, message, contact)
  }
  insertOutboundMessage(message: MessageRecord, window: WindowRecord | null): Promise<void> {
    return this.queries.insertOutboundMessage(this, message, window)
  }
  saveWindow(window: WindowRecord): Promise<void> {
    return contacts.saveWindow(this, window)
  }
  saveWindowWithJobs(
    window: WindowRecord,
    scheduled: readonly ScheduledJob[],
    now: Instant,
    announced?: Announcement,
  ): Promise<void> {
    return this.queries.saveWindowWithJobs(this, window, scheduled, now, announced)
  }
  async claimClosedAnnouncement(channelId: string, contactId: string, expiresAt: Instant): Promise<boolean> {
    const [claimed] = await windowCloses.claimClosedAnnouncements(this, [{ channelId, contactId, expiresAt }])
    return claimed === true
  }
  claimClosedAnnouncements(claims: readonly ClosedAnnouncement[]): Promise<boolean[]> {
    return windowCloses.claimClosedAnnouncements(this, claims)
  }
  pruneSpentCloses(channelId: string, closedBefore: Instant): Promise<number> {
    return windowCloses.pruneSpentCloses(this, channelId, closedBefore)
  }
  listWindows(channelId: string, query: WindowQuery): Promise<WindowRecord[]> {
    return contacts.listWindows(this, channelId, query)
  }

  // Cases and held replies
  insertCase(record: CaseRecord): Promise<void> {
    return cases.insertCase(this, record)
  }
  getCase(id: string): Promise<CaseRecord | undefined> {
    return cases.getCase(this, id)
  }
  findCaseByExternalId(channelId: string, externalId: string): Promise<CaseRecord | undefined> {
    return cases.findCaseByExternalId(this, channelId, externalId)
  }
  listCases(channelId: string, filter: CaseFilter): Promise<CaseRecord[]> {
    return cases.listCases(this, channelId, filter)
  }
  updateCase(id: string, patch: CasePatch): Promise<CaseRecord | undefined> {
    return cases.updateCase(this, id, patch)
  }
  claimReengagement(caseId: string, at: Instant, notAfter: Instant): Promise<boolean> {
    return cases.claimReengagement(this, caseId, at, notAfter)
  }
  insertHold(record: HeldMessageRecord): Promise<void> {
    return holds.insertHold(this, record)
  }
  getHold(id: string): Promise<HeldMessageRecord | undefined> {
    return holds.getHold(this, id)
  }
  listHolds(channelId: string, contactId: string, status?: HoldStatus): Promise<HeldMessageRecord[]> {
    return holds.listHolds(this, channelId, contactId, status)
  }
  updateHold(id: string, patch: HoldPatch, from?: HoldStatus): Promise<boolean> {
    return holds.updateHold(this, id, patch, from)
  }

  // Throughput limits
  takeRateSlot(key: string, request: SlotRequest): Promise<Slot> {
    return rateLimits.takeRateSlot(this, key, request)
  }
  returnRateSlot(key: string, intervalUs: number): Promise<void> {
    return rateLimits.returnRateSlot(this, key, intervalUs)
  }
}
