import type { SqlDialect } from './migrations/migrations.js'
import type { BillingCheckStore } from './ports/billing-checks.js'
import type { CaseStore } from './ports/cases.js'
import type { ChannelStore } from './ports/channels.js'
import type { ConsentStore } from './ports/consent.js'
import type { ContactStore } from './ports/contacts.js'
import type { DeliveryStore } from './ports/deliveries.js'
import type { HistoryStore } from './ports/history.js'
import type { HoldStore } from './ports/holds.js'
import type { IdempotencyStore } from './ports/idempotency.js'
import type { JobStore } from './ports/jobs.js'
import type { MessageLedger } from './ports/message-ledger.js'
import type { MessageStore } from './ports/messages.js'
import type { NotificationStore } from './ports/notifications.js'
import type { RateCardStore } from './ports/rate-cards.js'
import type { RateLimitStore } from './ports/rate-limits.js'
import type { TemplateStore } from './ports/templates.js'
import type { TenantStore } from './ports/tenants.js'

export type * from './ports/billing-checks.js'
export type * from './ports/cases.js'
export type * from './ports/channels.js'
export type * from './ports/consent.js'
export type * from './ports/contacts.js'
export { CLOSES_PRUNED_PER_CALL } from './ports/contacts.js'
export type * from './ports/deliveries.js'
export type * from './ports/history.js'
export type * from './ports/holds.js'
export type * from './ports/idempotency.js'
export type * from './ports/jobs.js'
export type * from './ports/message-ledger.js'
export type * from './ports/messages.js'
export type * from './ports/notifications.js'
export type * from './ports/rate-cards.js'
export type * from './ports/rate-limits.js'
export type * from './ports/templates.js'
export type * from './ports/tenants.js'

/** Hears an event after the transaction that recorded it committed. */
export type CommitListener = (event: CommittedEvent) => void

/** An event as announced: its tenant, its type (`window.opened`, `whatsapp.notification` …) and its JSON body. */
export interface CommittedEvent {
  readonly tenantId: string
  readonly type: string
  readonly payload: string
}

/** What every store is besides its aggregates: one database, with transactions. */
export interface StoreSession {
  readonly dialect: SqlDialect
  /** Runs `work` atomically; a store already inside a transaction runs it in that transaction. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>
  /**
   * Announces an event to this store's listeners once the transaction it was recorded in commits — never when it
   * rolls back; outside a transaction, at once. Like PostgreSQL's NOTIFY, but within this process only.
   */
  notify(event: CommittedEvent): void
  /**
   * Runs `callback` once the transaction commits — never when it rolls back; outside a transaction, at once. For
   * what the process may only learn from a committed write (a contact known to be stored). A callback that throws
   * is its own problem: the transaction has committed.
   */
  afterCommit(callback: () => void): void
  /** Whether anyone hears what {@link notify} announces: an event nobody hears need not be rendered for them. */
  readonly isHeard: boolean
  /** Hears every event {@link notify} announces after its commit; returns how to stop listening. */
  listen(listener: CommitListener): () => void
  /** Resolves when the database answers. */
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * The persistence port: everything carewindow keeps, for one database — one role per aggregate (ports/). Adapters:
 * SQLite (embedded default) and PostgreSQL (many instances). Every method may be called inside
 * {@link StoreSession.transaction}, whose callback receives a store bound to that transaction. A use case that
 * needs only some aggregates may take only their roles.
 */
export type Store = StoreSession &
  TenantStore &
  ChannelStore &
  ContactStore &
  ConsentStore &
  TemplateStore &
  MessageStore &
  MessageLedger &
  NotificationStore &
  DeliveryStore &
  IdempotencyStore &
  JobStore &
  CaseStore &
  HoldStore &
  RateLimitStore &
  BillingCheckStore &
  HistoryStore &
  RateCardStore
