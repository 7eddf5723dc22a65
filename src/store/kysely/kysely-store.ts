import type { Transaction } from 'kysely'
import type { ConsentEvent, ContactState, Instant, Platform, Template } from '../../domain/index.js'
import type { Database } from '../schema.js'
import type {
  Announcement,
  ApiKeyRecord,
  CaseFilter,
  CasePatch,
  CaseRecord,
  ChannelRecord,
  ClosedAnnouncement,
  ContactRecord,
  CostGrouping,
  CostSum,
  DeadNotificationRecord,
  DeliveryCursor,
  DeliveryRecord,
  DeliveryStatus,
  HeldMessageRecord,
  HoldPatch,
  HoldStatus,
  IdempotencyRecord,
  JobRecord,
  JobStatus,
  LockedWindow,
  MessageDirection,
  MessageFilter,
  MessagePage,
  MessagePatch,
  MessageRecord,
  NewNotification,
  NotificationFailure,
  NotificationRecord,
  ScheduledJob,
  Slot,
  SlotRequest,
  StaleSend,
  Store,
  StoredConsentEvent,
  TenantRecord,
  UnappliedNotification,
  WindowQuery,
  WindowRecord,
} from '../store.js'
import * as cases from './cases.js'
import * as channels from './channels.js'
import * as consent from './consent.js'
import * as contacts from './contacts.js'
import * as deadNotifications from './dead-notifications.js'
import * as deliveries from './deliveries.js'
import * as holds from './holds.js'
import * as idempotency from './idempotency.js'
import * as jobs from './jobs.js'
import type { CostPeriodFilter } from './message-costs.js'
import * as messageSearch from './message-search.js'
import * as messages from './messages.js'
import * as notifications from './notifications.js'
import * as rateLimits from './rate-limits.js'
import * as templates from './templates.js'
import * as tenants from './tenants.js'
import { KyselyConnection } from './kysely-connection.js'

export type { KyselyStoreOptions } from './kysely-connection.js'

/**
 * The Store over Kysely, for both databases: each aggregate's queries are functions in this folder taking the
 * connection first; this class hands them its connection (the database, or one transaction).
 */
export class KyselyStore extends KyselyConnection implements Store {
  /**
   * Tenants read inside this transaction: a batch of webhooks relays to the same few tenants, and reading each
   * again per notification was one database round trip in five. Only a transaction's store keeps them (for its
   * short life); writing a tenant forgets them.
   */
  private readonly tenantsRead = new Map<string, TenantRecord | undefined>()

  protected over(trx: Transaction<Database> | null): Store {
    return trx === null ? this : new KyselyStore(trx, this.options, this)
  }

  // Tenants and keys

  upsertTenant(tenant: TenantRecord): Promise<void> {
    this.tenantsRead.clear()
    return tenants.upsertTenant(this, tenant)
  }
  async getTenant(id: string): Promise<TenantRecord | undefined> {
    if (!this.inTransaction) return tenants.getTenant(this, id)
    if (this.tenantsRead.has(id)) return this.tenantsRead.get(id)
    const tenant = await tenants.getTenant(this, id)
    this.tenantsRead.set(id, tenant)
    return tenant
  }
  listTenants(): Promise<TenantRecord[]> {
    return tenants.listTenants(this)
  }
  insertApiKey(key: ApiKeyRecord): Promise<void> {
    return tenants.insertApiKey(this, key)
  }
  findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return tenants.findApiKey(this, keyHash)
  }
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return tenants.listApiKeys(this, tenantId)
  }
  revokeApiKey(id: string, at: Instant): Promise<boolean> {
    return tenants.revokeApiKey(this, id, at)
  }

  // Channels
  upsertChannel(channel: ChannelRecord): Promise<ChannelRecord> {
    return channels.upsertChannel(this, channel)
  }
  findChannel(platform: Platform, externalId: string): Promise<ChannelRecord | undefined> {
    return channels.findChannel(this, platform, externalId)
  }
  listChannels(filter?: { tenantId?: string; platform?: Platform }): Promise<ChannelRecord[]> {
    return channels.listChannels(this, filter)
  }

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
    const [claimed] = await contacts.claimClosedAnnouncements(this, [{ channelId, contactId, expiresAt }])
    return claimed === true
  }
  claimClosedAnnouncements(claims: readonly ClosedAnnouncement[]): Promise<boolean[]> {
    return contacts.claimClosedAnnouncements(this, claims)
  }
  listWindows(channelId: string, query: WindowQuery): Promise<WindowRecord[]> {
    return contacts.listWindows(this, channelId, query)
  }

  // Consent and templates
  appendConsent(
    channelId: string,
    contactId: string,
    event: ConsentEvent,
    recordedAt: Instant,
  ): Promise<StoredConsentEvent> {
    return consent.appendConsent(this, channelId, contactId, event, recordedAt)
  }
  listConsent(channelId: string, contactId: string): Promise<StoredConsentEvent[]> {
    return consent.listConsent(this, channelId, contactId)
  }
  upsertTemplate(channelId: string, template: Template, at: Instant): Promise<void> {
    return templates.upsertTemplate(this, channelId, template, at)
  }
  getTemplate(channelId: string, name: string, language: string): Promise<Template | undefined> {
    return templates.getTemplate(this, channelId, name, language)
  }
  listTemplates(channelId: string): Promise<Template[]> {
    return templates.listTemplates(this, channelId)
  }
  deleteTemplate(channelId: string, name: string, language: string): Promise<boolean> {
    return templates.deleteTemplate(this, channelId, name, language)
  }

  // Messages
  insertMessage(message: MessageRecord): Promise<boolean> {
    return messages.insertMessage(this, message)
  }
  updateMessage(id: string, patch: MessagePatch): Promise<void> {
    return messages.updateMessage(this, id, patch)
  }
  getMessage(id: string): Promise<MessageRecord | undefined> {
    return messages.getMessage(this, id)
  }
  findMessageByExternalId(
    channelId: string,
    direction: MessageDirection,
    externalId: string,
  ): Promise<MessageRecord | undefined> {
    return messages.findMessageByExternalId(this, channelId, direction, externalId)
  }
  listStaleSends(createdBefore: Instant, limit: number): Promise<StaleSend[]> {
    return messages.listStaleSends(this, createdBefore, limit)
  }
  searchMessages(filter: MessageFilter, page: MessagePage): Promise<MessageRecord[]> {
    return messageSearch.searchMessages(this, filter, page)
  }
  sumMessageCosts(filter: CostPeriodFilter, grouping: CostGrouping, limit: number): Promise<CostSum[]> {
    return this.queries.sumMessageCosts(this, filter, grouping, limit)
  }

  // Webhook notifications (the inbox)
  insertNotifications(stored: readonly NewNotification[]): Promise<number[]> {
    // Notifications with several subjects list them in a second statement, in the same transaction.
    if (!this.inTransaction && notifications.needsTransaction(stored))
      return this.transaction((tx) => tx.insertNotifications(stored))
    return notifications.insert(this, stored)
  }
  claimNotifications(
    limit: number,
    now: Instant,
    subjects?: readonly string[],
  ): Promise<NotificationRecord[]> {
    return notifications.claim(this, limit, now, subjects)
  }
  markNotificationsProcessed(ids: readonly number[], at: Instant): Promise<void> {
    return notifications.markProcessed(this, ids, at)
  }
  recordNotificationFailure(id: number, failure: NotificationFailure): Promise<void> {
    return notifications.recordFailure(this, id, failure)
  }
  lastNotificationId(): Promise<number> {
    return notifications.lastId(this)
  }
  oldestPendingNotificationId(now: Instant): Promise<number | null> {
    return notifications.oldestPendingId(this, now)
  }
  unappliedNotifications(subjects: readonly string[], throughId: number): Promise<UnappliedNotification[]> {
    return notifications.unapplied(this, subjects, throughId)
  }
  retryDeadNotification(id: number): Promise<boolean> {
    return deadNotifications.retryDead(this, id)
  }
  discardDeadNotification(id: number, at: Instant, reason: string): Promise<boolean> {
    return deadNotifications.discardDead(this, id, at, reason)
  }
  listDeadNotifications(afterId: number, limit: number): Promise<DeadNotificationRecord[]> {
    return deadNotifications.listDead(this, afterId, limit)
  }
  countPendingNotifications(): Promise<number> {
    return deadNotifications.countPending(this)
  }
  countDeadNotifications(): Promise<number> {
    return deadNotifications.countDead(this)
  }
  hasFailingNotifications(): Promise<boolean> {
    return deadNotifications.hasFailing(this)
  }

  // Outbox
  enqueueDeliveries(queued: readonly DeliveryRecord[]): Promise<void> {
    return deliveries.enqueueDeliveries(this, queued)
  }
  claimDueDeliveries(now: Instant, limit: number, leaseUntil: Instant): Promise<DeliveryRecord[]> {
    return deliveries.claimDueDeliveries(this, now, limit, leaseUntil)
  }
  completeDelivery(id: string, at: Instant): Promise<void> {
    return deliveries.completeDelivery(this, id, at)
  }
  retryDelivery(
    id: string,
    attempts: number,
    nextAttemptAt: Instant | null,
    error: string,
    at: Instant,
  ): Promise<void> {
    return deliveries.retryDelivery(this, id, attempts, nextAttemptAt, error, at)
  }
  countDeliveries(status: DeliveryStatus, tenantId?: string): Promise<number> {
    return deliveries.countDeliveries(this, status, tenantId)
  }
  listDeliveries(tenantId: string, limit: number): Promise<DeliveryRecord[]> {
    return deliveries.listDeliveries(this, tenantId, limit)
  }
  getDelivery(tenantId: string, id: string): Promise<DeliveryRecord | undefined> {
    return deliveries.getDelivery(this, tenantId, id)
  }
  listDeadDeliveries(
    tenantId: string,
    query: { readonly limit: number; readonly after?: DeliveryCursor },
  ): Promise<DeliveryRecord[]> {
    return deliveries.listDeadDeliveries(this, tenantId, query)
  }
  redriveDeadDelivery(tenantId: string, id: string, now: Instant): Promise<boolean> {
    return deliveries.redriveDeadDelivery(this, tenantId, id, now)
  }
  redriveDeadDeliveries(tenantId: string, now: Instant, limit: number): Promise<number> {
    return deliveries.redriveDeadDeliveries(this, tenantId, now, limit)
  }

  // Idempotency keys
  claimIdempotencyKey(
    record: Omit<IdempotencyRecord, 'result' | 'responseStatus' | 'responseBody' | 'messageId'>,
  ): Promise<{ created: boolean; record: IdempotencyRecord }> {
    return idempotency.claimIdempotencyKey(this, record)
  }
  bindIdempotencyKey(tenantId: string, key: string, messageId: string): Promise<void> {
    return idempotency.bindIdempotencyKey(this, tenantId, key, messageId)
  }
  completeIdempotencyKey(tenantId: string, key: string, result: string, messageId?: string): Promise<void> {
    return idempotency.completeIdempotencyKey(this, tenantId, key, result, messageId)
  }
  completeIdempotencyKeyOfMessage(messageId: string, result: string): Promise<void> {
    return idempotency.completeIdempotencyKeyOfMessage(this, messageId, result)
  }
  releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
    return idempotency.releaseIdempotencyKey(this, tenantId, key)
  }

  // Jobs
  async scheduleJob(job: ScheduledJob, now: Instant): Promise<JobStatus | null> {
    const [previous] = await this.scheduleJobs([job], now)
    return previous ?? null
  }
  scheduleJobs(scheduled: readonly ScheduledJob[], now: Instant): Promise<(JobStatus | null)[]> {
    return jobs.scheduleJobs(this, scheduled, now)
  }
  getJob(id: string): Promise<JobRecord | undefined> {
    return jobs.getJob(this, id)
  }
  claimDueJobs(now: Instant, limit: number, leaseUntil: Instant): Promise<JobRecord[]> {
    return jobs.claimDueJobs(this, now, limit, leaseUntil)
  }
  completeJobs(
    done: readonly { readonly id: string; readonly dueAt: Instant }[],
    at: Instant,
  ): Promise<void> {
    return jobs.completeJobs(this, done, at)
  }
  rescheduleJob(id: string, fromDueAt: Instant, dueAt: Instant): Promise<void> {
    return jobs.rescheduleJob(this, id, fromDueAt, dueAt)
  }
  failJob(id: string, error: string): Promise<void> {
    return jobs.failJob(this, id, error)
  }
  cancelJob(id: string, at: Instant): Promise<void> {
    return jobs.cancelJob(this, id, at)
  }
  countJobs(status: JobStatus): Promise<number> {
    return jobs.countJobs(this, status)
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
  takeRateSlot(key: string, request: SlotRequest): Promise<Slot> {
    return rateLimits.takeRateSlot(this, key, request)
  }
  returnRateSlot(key: string, intervalUs: number): Promise<void> {
    return rateLimits.returnRateSlot(this, key, intervalUs)
  }
}
