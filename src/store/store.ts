import type { ConsentEvent, ContactState, Instant, Platform, Template } from '../domain/index.js'
import type { Automations } from '../config/automations.js'
import type { SqlDialect } from './migrations/migrations.js'

/** Where a channel's allowed messages go: Meta's Graph API, or the built-in simulator. */
export type UpstreamConfig =
  | { readonly mode: 'cloud'; readonly baseUrl: string; readonly accessToken: string }
  | { readonly mode: 'sandbox' }

export interface TenantRecord {
  readonly id: string
  readonly name: string
  /** Where carewindow relays Meta's notifications and its own events, signed with `webhookSecret`. */
  readonly webhookUrl: string | null
  readonly webhookSecret: string | null
  readonly createdAt: Instant
}

export interface ApiKeyRecord {
  readonly id: string
  readonly tenantId: string
  readonly name: string
  readonly prefix: string
  readonly keyHash: string
  readonly createdAt: Instant
  readonly revokedAt: Instant | null
}

export interface ChannelRecord {
  readonly id: string
  readonly tenantId: string
  readonly platform: Platform
  /** `phone_number_id` (WhatsApp) or Page id (Messenger). */
  readonly externalId: string
  readonly upstream: UpstreamConfig
  readonly appSecret: string
  readonly verifyToken: string
  /** The channel's policy settings as configured (snake_case JSON, see config/policy-settings.ts). */
  readonly settings: Readonly<Record<string, unknown>>
  /** The channel's automations (config/automations.ts). */
  readonly automations: Automations
  /** The WhatsApp Business Account of the number, when configured (Meta's template updates name it). */
  readonly wabaId: string | null
  readonly createdAt: Instant
  readonly updatedAt: Instant
}

export interface ContactRecord {
  readonly channelId: string
  readonly contactId: string
  readonly country: string | null
  readonly profileName: string | null
  readonly createdAt: Instant
}

/** A contact's folded state, as stored, with the instants lists filter and sort on. */
export interface WindowRecord {
  readonly channelId: string
  readonly contactId: string
  readonly state: ContactState
  readonly lastUserMessageAt: Instant | null
  readonly expiresAt: Instant | null
  readonly updatedAt: Instant
}

export interface StoredConsentEvent extends ConsentEvent {
  readonly id: number
  readonly recordedAt: Instant
}

export type MessageDirection = 'outbound' | 'inbound'

/**
 * `refused`, `pending` (forwarded, no answer recorded yet) and `unknown` (forwarded, and Graph's answer never came:
 * it may have been sent) are carewindow's; the rest are Meta's statuses.
 */
export type MessageStatus =
  | 'refused'
  | 'pending'
  | 'unknown'
  | 'accepted'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'played'
  | 'failed'
  | 'received'

export interface MessageRecord {
  readonly id: string
  readonly tenantId: string
  readonly channelId: string
  readonly contactId: string
  readonly direction: MessageDirection
  readonly externalId: string | null
  readonly at: Instant
  /** The request body (outbound) or the webhook message (inbound), as JSON text. */
  readonly bodyJson: string | null
  readonly allowed: boolean | null
  readonly reason: string | null
  /** carewindow's decision (with its billing), as JSON text. */
  readonly decisionJson: string | null
  readonly priceMicros: number | null
  readonly currency: string | null
  readonly status: MessageStatus
  readonly statusAt: Instant
  /** The `pricing` object of Meta's status webhook, kept for reconciliation. */
  readonly metaPricingJson: string | null
  readonly errorJson: string | null
  readonly createdAt: Instant
}

export type MessagePatch = Partial<
  Pick<MessageRecord, 'externalId' | 'status' | 'statusAt' | 'metaPricingJson' | 'errorJson'>
>

/** A webhook notification to store, exactly as received. */
export interface NewReceipt {
  readonly platform: Platform
  /** The request body exactly as received. */
  readonly body: string
  /** The `X-Hub-Signature-256` header it came with (`sha256=…`). */
  readonly signature: string
  readonly receivedAt: Instant
  /**
   * The decisions it can change, as the gateway names them (a contact's, a template's): those of the subjects
   * listed, none (`[]`), or — `null` — any. A decision waits for the receipts that concern its subjects, and is
   * refused while one of them is a dead letter.
   */
  readonly subjects: readonly string[] | null
}

/** A stored notification the inbox has taken to apply. */
export interface ReceiptRecord {
  readonly id: number
  readonly platform: Platform
  readonly body: string
  readonly signature: string
  readonly receivedAt: Instant
  /** Failed tries so far. */
  readonly attempts: number
}

/** A failed try at applying a receipt. */
export interface ReceiptFailure {
  /** Failed tries, this one included. */
  readonly attempts: number
  readonly error: string
  readonly at: Instant
  /** When to try again; `null` gives up: the receipt becomes a dead letter. */
  readonly retryAt: Instant | null
  /** For a dead letter, what it concerns as read now (receipts stored before subjects were kept named none). */
  readonly subjects?: readonly string[]
}

/** A receipt that could not be applied after its last try, kept until an operator retries or discards it. */
export interface DeadReceiptRecord extends ReceiptRecord {
  readonly deadAt: Instant
  readonly error: string
}

/** A stored notification not applied yet, as a decision waiting for it sees it. */
export interface UnappliedReceipt {
  readonly id: number
  /** When it is tried again after failing; `null` while it waits its turn. */
  readonly retryAt: Instant | null
  /** When it was given up (a dead letter), or `null`. */
  readonly deadAt: Instant | null
  /** Why its last try failed. */
  readonly error: string | null
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead'

export interface DeliveryRecord {
  readonly id: string
  readonly tenantId: string
  readonly eventType: string
  /** The exact bytes to POST (and sign). */
  readonly payload: string
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly nextAttemptAt: Instant
  readonly lastError: string | null
  readonly createdAt: Instant
  readonly deliveredAt: Instant | null
  /** When it was last tried, delivered or not; `null` before its first attempt. */
  readonly lastAttemptAt: Instant | null
}

/** Where a page of a tenant's dead deliveries continues: after this one (oldest first, by creation then id). */
export interface DeliveryCursor {
  readonly createdAt: Instant
  readonly id: string
}

export interface IdempotencyRecord {
  readonly tenantId: string
  readonly key: string
  readonly requestHash: string
  /** `null` while the first request is still being handled. */
  readonly responseStatus: number | null
  readonly responseBody: string | null
  /**
   * The message the first request decided and recorded, set before it went upstream: from then on the key never
   * sends again, whatever happens to the request (`null`: nothing was forwarded).
   */
  readonly messageId: string | null
  readonly createdAt: Instant
}

/** An outbound message still `pending`: forwarded (or about to be), with nothing recorded of what came of it. */
export interface StaleSend {
  readonly id: string
  readonly tenantId: string
  readonly createdAt: Instant
}

export type JobStatus = 'pending' | 'done' | 'cancelled'

/** A piece of timed work (scheduler). */
export interface JobRecord {
  /** The job's identity: scheduling the same id again moves the job. */
  readonly id: string
  readonly kind: string
  readonly channelId: string
  readonly contactId: string
  readonly dueAt: Instant
  readonly payload: Readonly<Record<string, unknown>>
  readonly status: JobStatus
  readonly attempts: number
  readonly lastError: string | null
  readonly createdAt: Instant
}

/** What scheduling a job takes: the rest of a {@link JobRecord} starts afresh. */
export type ScheduledJob = Pick<JobRecord, 'id' | 'kind' | 'channelId' | 'contactId' | 'dueAt' | 'payload'>

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

/** `releasing`: claimed for sending — no longer cancellable; a release interrupted by a crash finishes it. */
export type HoldStatus = 'held' | 'releasing' | 'released' | 'failed' | 'cancelled' | 'expired'

/** A free-form reply kept until the customer comes back. */
export interface HeldMessageRecord {
  readonly id: string
  readonly tenantId: string
  readonly channelId: string
  readonly contactId: string
  readonly body: string
  readonly status: HoldStatus
  readonly refusedMessageId: string
  readonly messageId: string | null
  readonly error: string | null
  readonly createdAt: Instant
  readonly expiresAt: Instant
  readonly releasedAt: Instant | null
}

export type HoldPatch = Partial<Pick<HeldMessageRecord, 'status' | 'messageId' | 'error' | 'releasedAt'>>

export interface WindowQuery {
  readonly state?: 'open' | 'closed'
  /** The instant `state` is judged at. */
  readonly at: Instant
  readonly limit: number
  /** Sort by expiry (soonest first) or by contact id. */
  readonly sort: 'expires_at' | 'contact_id'
  /** Continue after this row (the previous page's last `[expires_at, contact_id]`). */
  readonly after?: { readonly expiresAt: Instant | null; readonly contactId: string }
}

/**
 * The persistence port: everything carewindow keeps, for one database. Adapters: SQLite (embedded default)
 * and PostgreSQL (many instances). Every method may be called inside {@link Store.transaction}, whose
 * callback receives a store bound to that transaction.
 */
export interface Store {
  readonly dialect: SqlDialect
  /** Runs `work` atomically; a store already inside a transaction runs it in that transaction. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>
  /** Resolves when the database answers. */
  ping(): Promise<void>
  close(): Promise<void>

  upsertTenant(tenant: TenantRecord): Promise<void>
  getTenant(id: string): Promise<TenantRecord | undefined>
  listTenants(): Promise<TenantRecord[]>

  insertApiKey(key: ApiKeyRecord): Promise<void>
  /** The live (not revoked) key with this hash. */
  findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined>
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>
  revokeApiKey(id: string, at: Instant): Promise<boolean>

  /** Creates the channel or replaces its configuration (by platform and external id). */
  upsertChannel(channel: ChannelRecord): Promise<ChannelRecord>
  findChannel(platform: Platform, externalId: string): Promise<ChannelRecord | undefined>
  listChannels(filter?: {
    readonly tenantId?: string
    readonly platform?: Platform
  }): Promise<ChannelRecord[]>

  /** Creates the contact if it is new; returns the stored one. */
  ensureContact(contact: ContactRecord): Promise<ContactRecord>
  getContact(channelId: string, contactId: string): Promise<ContactRecord | undefined>
  /** The stored ones of these contacts, each once, in no particular order (one query for a page of a list). */
  getContacts(channelId: string, contactIds: readonly string[]): Promise<ContactRecord[]>
  getWindow(channelId: string, contactId: string): Promise<WindowRecord | undefined>
  /** The stored windows of several contacts of a channel, each once (the scheduler's rounds); contacts without one are left out. */
  getWindows(channelId: string, contactIds: readonly string[]): Promise<WindowRecord[]>
  /**
   * The contact's state for a read-modify-write: inside a transaction the row stays locked until it ends
   * (PostgreSQL `FOR UPDATE`; SQLite has a single writer), so concurrent writers never lose an update.
   */
  lockWindow(channelId: string, contactId: string): Promise<ContactState | undefined>
  /**
   * `ensureContact` then `lockWindow`, in that order: an inbound message's first two steps. On PostgreSQL, in a
   * transaction and with a profile name, one round trip instead of two.
   */
  ensureContactAndLockWindow(contact: ContactRecord): Promise<ContactState | undefined>
  saveWindow(window: WindowRecord): Promise<void>
  listWindows(channelId: string, query: WindowQuery): Promise<WindowRecord[]>

  appendConsent(
    channelId: string,
    contactId: string,
    event: ConsentEvent,
    recordedAt: Instant,
  ): Promise<StoredConsentEvent>
  listConsent(channelId: string, contactId: string): Promise<StoredConsentEvent[]>

  upsertTemplate(channelId: string, template: Template, at: Instant): Promise<void>
  getTemplate(channelId: string, name: string, language: string): Promise<Template | undefined>
  listTemplates(channelId: string): Promise<Template[]>
  deleteTemplate(channelId: string, name: string, language: string): Promise<boolean>

  /** Inserts a message; `false` (and nothing written) when one with the same channel, direction and external id exists. */
  insertMessage(message: MessageRecord): Promise<boolean>
  updateMessage(id: string, patch: MessagePatch): Promise<void>
  getMessage(id: string): Promise<MessageRecord | undefined>
  findMessageByExternalId(
    channelId: string,
    direction: MessageDirection,
    externalId: string,
  ): Promise<MessageRecord | undefined>

  /** Stores webhook bodies exactly as received, with what they concern, atomically. Returns their ids in order. */
  insertReceipts(receipts: readonly NewReceipt[]): Promise<number[]>
  /**
   * Unprocessed receipts the inbox may take at `now` (not dead, and not waiting for a retry), oldest first; inside
   * a transaction they stay claimed (`SKIP LOCKED`) until it ends. With subjects, only those that concern them:
   * receipts about any of them, and the unscoped ones.
   */
  claimReceipts(limit: number, now: Instant, subjects?: readonly string[]): Promise<ReceiptRecord[]>
  /** Marks the receipts a batch processed, in one write. */
  markReceiptsProcessed(ids: readonly number[], at: Instant): Promise<void>
  /** Records a failed try: the receipt is tried again at `retryAt`, or becomes a dead letter. */
  recordReceiptFailure(id: number, failure: ReceiptFailure): Promise<void>
  /** A dead letter is tried again, as if new; `false` when it is not a dead letter (any more). */
  retryDeadReceipt(id: number): Promise<boolean>
  /** A dead letter is set aside for good (processed, with the reason); `false` when it is not one. */
  discardDeadReceipt(id: number, at: Instant, reason: string): Promise<boolean>
  /** Dead letters after `afterId`, in id order. */
  listDeadReceipts(afterId: number, limit: number): Promise<DeadReceiptRecord[]>
  /** Receipts not processed yet, dead letters excepted. */
  countPendingReceipts(): Promise<number>
  countDeadReceipts(): Promise<number>
  /** Whether a receipt not processed yet has failed at least once (waiting for its retry, or dead). */
  hasFailingReceipts(): Promise<boolean>
  /** The id of the newest receipt stored (by any instance), or 0 when there is none. */
  lastReceiptId(): Promise<number>
  /**
   * The id of the oldest receipt the inbox may take at `now` — also one being processed right now — or `null`. Dead
   * letters and receipts waiting for a retry are not counted.
   */
  oldestPendingReceiptId(now: Instant): Promise<number | null>
  /**
   * What a decision about these subjects must wait for or refuse on: the unprocessed receipts that concern them up
   * to `throughId` (waiting, or failed and due again later), and dead letters whatever their id; oldest first, the
   * first few.
   */
  unappliedReceipts(subjects: readonly string[], throughId: number): Promise<UnappliedReceipt[]>

  /** Queues deliveries; one whose id is already queued (or was delivered) is left as it is. */
  enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void>
  /** Pending deliveries due at `now`, leased until `leaseUntil` so no other worker takes them meanwhile. */
  claimDueDeliveries(now: Instant, limit: number, leaseUntil: Instant): Promise<DeliveryRecord[]>
  /** Records the attempt at `at` that delivered it. */
  completeDelivery(id: string, at: Instant): Promise<void>
  /** Records a failed attempt made at `at`; `nextAttemptAt` null gives up (status `dead`). */
  retryDelivery(
    id: string,
    attempts: number,
    nextAttemptAt: Instant | null,
    error: string,
    at: Instant,
  ): Promise<void>
  /** Deliveries in this status, of every tenant or of one. */
  countDeliveries(status: DeliveryStatus, tenantId?: string): Promise<number>
  listDeliveries(tenantId: string, limit: number): Promise<DeliveryRecord[]>
  /** One of the tenant's deliveries, whatever its status; another tenant's is not found. */
  getDelivery(tenantId: string, id: string): Promise<DeliveryRecord | undefined>
  /** The tenant's dead deliveries after `after`, oldest first (by creation, then id). */
  listDeadDeliveries(
    tenantId: string,
    query: { readonly limit: number; readonly after?: DeliveryCursor },
  ): Promise<DeliveryRecord[]>
  /**
   * A dead delivery of the tenant made pending again: no attempts counted, due at `now`; its last error and last
   * attempt are kept. `false` when it is not one of the tenant's dead deliveries (any more).
   */
  redriveDeadDelivery(tenantId: string, id: string, now: Instant): Promise<boolean>
  /** {@link redriveDeadDelivery} for the tenant's oldest `limit` dead deliveries, in one write; how many. */
  redriveDeadDeliveries(tenantId: string, now: Instant, limit: number): Promise<number>

  /** Records the key if it is new (`created: true`); otherwise returns the first request's record. */
  claimIdempotencyKey(
    record: Omit<IdempotencyRecord, 'responseStatus' | 'responseBody' | 'messageId'>,
  ): Promise<{ readonly created: boolean; readonly record: IdempotencyRecord }>
  /** Names the message a key's request decided (call it in the transaction that records the message). */
  bindIdempotencyKey(tenantId: string, key: string, messageId: string): Promise<void>
  /** Keeps the reply of a key's request (and the message it decided, when given, in the same write). */
  completeIdempotencyKey(
    tenantId: string,
    key: string,
    status: number,
    body: string,
    messageId?: string,
  ): Promise<void>
  /** Completes the key bound to a message, if there is one still waiting for its reply. */
  completeIdempotencyKeyOfMessage(messageId: string, status: number, body: string): Promise<void>
  /** Forgets a key whose request has no reply yet, so a retry with it is handled anew. */
  releaseIdempotencyKey(tenantId: string, key: string): Promise<void>
  /** Outbound messages still `pending` that were recorded before `createdBefore`, oldest first. */
  listStaleSends(createdBefore: Instant, limit: number): Promise<StaleSend[]>

  /**
   * Schedules a job, or moves it (same id) to a new due instant with a new payload, pending again. Returns the
   * status it had before (`null` for a new job).
   */
  scheduleJob(job: ScheduledJob, now: Instant): Promise<JobStatus | null>
  /** `scheduleJob` for several jobs (distinct ids) in one write; their previous statuses, in order. */
  scheduleJobs(jobs: readonly ScheduledJob[], now: Instant): Promise<(JobStatus | null)[]>
  /**
   * `saveWindow` then `scheduleJobs`: a customer's message saves the contact's window and moves its timed work. On
   * PostgreSQL one round trip (call it with the window row locked, as after `ensureContactAndLockWindow`).
   */
  saveWindowAndScheduleJobs(
    window: WindowRecord,
    jobs: readonly ScheduledJob[],
    now: Instant,
  ): Promise<(JobStatus | null)[]>
  getJob(id: string): Promise<JobRecord | undefined>
  /** Pending jobs due at `now`, oldest first, leased until `leaseUntil` (`SKIP LOCKED` on PostgreSQL). */
  claimDueJobs(now: Instant, limit: number, leaseUntil: Instant): Promise<JobRecord[]>
  /**
   * Marks jobs done — each only if it is still due when it was claimed: a job moved meanwhile (the customer wrote
   * again while it ran) stays pending at its new time.
   */
  completeJobs(jobs: readonly { readonly id: string; readonly dueAt: Instant }[], at: Instant): Promise<void>
  /** Pending again at `dueAt`, lease released — unless it was moved meanwhile (no longer due at `fromDueAt`). */
  rescheduleJob(id: string, fromDueAt: Instant, dueAt: Instant): Promise<void>
  /** Records a failed run; the lease stays, so the job is retried when it ends. */
  failJob(id: string, error: string): Promise<void>
  cancelJob(id: string, at: Instant): Promise<void>
  countJobs(status: JobStatus): Promise<number>

  insertCase(record: CaseRecord): Promise<void>
  getCase(id: string): Promise<CaseRecord | undefined>
  findCaseByExternalId(channelId: string, externalId: string): Promise<CaseRecord | undefined>
  listCases(
    channelId: string,
    filter: {
      readonly contactId?: string
      readonly status?: CaseStatus
      readonly limit: number
      readonly afterId?: string
    },
  ): Promise<CaseRecord[]>
  updateCase(id: string, patch: CasePatch): Promise<CaseRecord | undefined>
  /**
   * Records a re-engagement of the case at `at` if the last one was at or before `notAfter` (or never); `false`
   * when another process or an earlier run already did it within the interval. Atomic.
   */
  claimReengagement(caseId: string, at: Instant, notAfter: Instant): Promise<boolean>

  insertHold(record: HeldMessageRecord): Promise<void>
  getHold(id: string): Promise<HeldMessageRecord | undefined>
  /** A contact's holds, oldest first. */
  listHolds(channelId: string, contactId: string, status?: HoldStatus): Promise<HeldMessageRecord[]>
  /** Changes a hold; with `from`, only if it is still in that status (`false` otherwise). */
  updateHold(id: string, patch: HoldPatch, from?: HoldStatus): Promise<boolean>
}
