import type { Instant } from '../../domain/index.js'
import type {
  BillingCheckCounts,
  BillingMismatchQuery,
  BillingMismatchRecord,
  DeadNotificationRecord,
  DeliveryCursor,
  DeliveryRecord,
  DeliveryStatus,
  IdempotencyRecord,
  MessageDirection,
  MessagePatch,
  MessageRecord,
  NewNotification,
  NotificationFailure,
  NotificationRecord,
  StaleSend,
  UnappliedNotification,
  HistoryCursor,
  ImportedNotification,
  CostGrouping,
  CostSum,
  MessageFilter,
  MessagePage,
} from '../store.js'
import * as billingChecks from './billing-checks.js'
import * as deadNotifications from './dead-notifications.js'
import * as deliveries from './deliveries.js'
import * as history from './history.js'
import * as idempotency from './idempotency.js'
import type { CostPeriodFilter } from './message-costs.js'
import * as messageSearch from './message-search.js'
import * as messages from './messages.js'
import * as notifications from './notifications.js'
import { ContactRoles } from './contact-roles.js'

/**
 * The Kysely store's third layer of roles: messages, webhook notifications, the outbox, idempotency keys, the checks
 * of billing against Meta's, and imported history.
 */
export abstract class MessageRoles extends ContactRoles {
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

  // Reconciliation with Meta
  recordBillingCheck(messageId: string, check: string, differencesJson: string | null): Promise<void> {
    return billingChecks.recordBillingCheck(this, messageId, check, differencesJson)
  }
  listBillingMismatches(query: BillingMismatchQuery): Promise<BillingMismatchRecord[]> {
    return billingChecks.listBillingMismatches(this, query)
  }
  countBillingChecks(
    tenantId: string,
    from: Instant,
    to: Instant,
    channelId?: string,
  ): Promise<BillingCheckCounts> {
    return billingChecks.countBillingChecks(this, tenantId, from, to, channelId)
  }

  // History: imports and replays
  findImportedDigests(digests: readonly string[]): Promise<Set<string>> {
    return history.findImportedDigests(this, digests)
  }
  recordImportedNotifications(imported: readonly ImportedNotification[], at: Instant): Promise<void> {
    return history.recordImportedNotifications(this, imported, at)
  }
  listChannelHistory(
    channelId: string,
    after: HistoryCursor | null,
    limit: number,
  ): Promise<MessageRecord[]> {
    return history.listChannelHistory(this, channelId, after, limit)
  }

  // Message search and costs
  searchMessages(filter: MessageFilter, page: MessagePage): Promise<MessageRecord[]> {
    return messageSearch.searchMessages(this, filter, page)
  }
  sumMessageCosts(filter: CostPeriodFilter, grouping: CostGrouping, limit: number): Promise<CostSum[]> {
    return this.queries.sumMessageCosts(this, filter, grouping, limit)
  }
  fillCostDays(tenantId: string, now: Instant): Promise<number> {
    return this.queries.fillCostDays(this, tenantId, now)
  }
}
