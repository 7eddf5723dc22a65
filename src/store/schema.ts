import type { Generated } from 'kysely'

/**
 * The tables, as Kysely sees them. Instants are integer milliseconds since the epoch (UTC); JSON is stored
 * as text so both databases hold exactly the same bytes; booleans are 0/1.
 */
export interface Database {
  tenants: TenantsTable
  api_keys: ApiKeysTable
  channels: ChannelsTable
  contacts: ContactsTable
  windows: WindowsTable
  window_closes: WindowClosesTable
  consent_events: ConsentEventsTable
  templates: TemplatesTable
  messages: MessagesTable
  message_cost_days: MessageCostDaysTable
  message_cost_days_done: MessageCostDaysDoneTable
  webhook_notifications: WebhookNotificationsTable
  notification_subjects: NotificationSubjectsTable
  webhook_deliveries: WebhookDeliveriesTable
  idempotency_keys: IdempotencyKeysTable
  jobs: JobsTable
  cases: CasesTable
  held_messages: HeldMessagesTable
  rate_limits: RateLimitsTable
  imported_notifications: ImportedNotificationsTable
  rate_cards: RateCardsTable
}

export interface TenantsTable {
  id: string
  name: string
  webhook_url: string | null
  webhook_secret: string | null
  created_at: number
}

export interface ApiKeysTable {
  id: string
  tenant_id: string
  name: string
  /** The first characters of the key, to tell keys apart in lists; the key itself is never stored. */
  prefix: string
  /** SHA-256 of the whole key, hex. */
  key_hash: string
  /** `admin` or `read` (ApiKeyRole); `admin` unless given. */
  role: Generated<string>
  created_at: number
  revoked_at: number | null
}

export interface ChannelsTable {
  id: string
  tenant_id: string
  platform: string
  /** `phone_number_id` (WhatsApp) or Page id (Messenger). */
  external_id: string
  upstream_json: string
  app_secret: string
  verify_token: string
  settings_json: string
  /** The channel's automations (config/automations.ts), JSON. */
  automations_json: Generated<string>
  /** The WhatsApp Business Account the number belongs to, when known. */
  waba_id: string | null
  created_at: number
  updated_at: number
}

export interface ContactsTable {
  channel_id: string
  contact_id: string
  country: string | null
  profile_name: string | null
  created_at: number
}

/** Each contact's folded `ContactState`, with the instants the API filters and sorts on. */
export interface WindowsTable {
  channel_id: string
  contact_id: string
  state_json: string
  last_user_message_at: number | null
  expires_at: number | null
  updated_at: number
  /** What the business was last told of the window (`open`, `closed`), for the expiry in `announced_expires_at`. */
  announced: string | null
  announced_expires_at: number | null
}

/**
 * The closes the scheduler announced, each filed under the expiry its window was announced open at
 * (`windows.announced_expires_at`); such a window reads as announced closed. A close filed under an expiry the
 * window has moved past (the customer wrote again) is spent, and pruned.
 */
export interface WindowClosesTable {
  announced_expires_at: number
  channel_id: string
  contact_id: string
  /** The expiry the window closed at (later than the announced one when messages extended it). */
  expires_at: number
}

export interface ConsentEventsTable {
  id: Generated<number>
  channel_id: string
  contact_id: string
  kind: string
  scope: string
  source: string
  evidence: string | null
  actor: string | null
  at: number
  recorded_at: number
}

export interface TemplatesTable {
  channel_id: string
  name: string
  language: string
  category: string
  status: string
  issue_resolution: number
  definition_json: string
  updated_at: number
}

export interface MessagesTable {
  id: string
  tenant_id: string
  channel_id: string
  contact_id: string
  direction: string
  /** Meta's id: the `wamid` / `mid` of a sent message, or of an inbound one. */
  external_id: string | null
  at: number
  body_json: string | null
  allowed: number | null
  reason: string | null
  decision_json: string | null
  price_micros: number | null
  currency: string | null
  status: string
  status_at: number
  meta_pricing_json: string | null
  error_json: string | null
  created_at: number
  /** `match`, or a mismatch's likely cause, once Meta's pricing came (migration 0015); null until then. */
  billing_check: Generated<string | null>
  /** The fields that differ from Meta's pricing, as JSON text. */
  billing_differences_json: Generated<string | null>
  /** From the decision's billing (see migrations/0013-message-costs.ts); null without one. */
  category: string | null
  pricing_model: string | null
  billing_type: string | null
  /** The contact's country, which Meta prices a message in; null when it has none (a PSID) or without a decision. */
  market: string | null
}

/** Each UTC day's totals of messages by every column a report groups or filters by (see 0013). */
export interface MessageCostDaysTable {
  tenant_id: string
  /** UTC days since the epoch. */
  day: number
  channel_id: string
  direction: string
  /** 0/1, or -1 for none (an inbound message). */
  allowed: number
  /** The rest are '' for none. */
  reason: string
  category: string
  pricing_model: string
  billing_type: string
  market: string
  /** '' for messages without a price. */
  currency: string
  messages: number
  amount_micros: number
}

/** PostgreSQL only: the days whose totals are filled (see 0013). */
export interface MessageCostDaysDoneTable {
  tenant_id: string
  day: number
}

export interface WebhookNotificationsTable {
  id: Generated<number>
  platform: string
  body: string
  signature: string
  received_at: number
  processed_at: number | null
  error: string | null
  subject: string | null
  attempts: Generated<number>
  retry_at: number | null
  dead_at: number | null
}

export interface NotificationSubjectsTable {
  subject: string
  notification_id: number
}

export interface WebhookDeliveriesTable {
  id: string
  tenant_id: string
  event_type: string
  payload: string
  status: string
  attempts: number
  next_attempt_at: number
  locked_until: number | null
  last_error: string | null
  created_at: number
  delivered_at: number | null
  /** When it was last tried (delivered or not); `NULL` before its first attempt (and for rows older than 0007). */
  last_attempt_at: number | null
}

export interface IdempotencyKeysTable {
  tenant_id: string
  key: string
  request_hash: string
  /** The send's result as JSON (from 0009; `NULL` while unanswered and for keys answered before). */
  result_json: string | null
  /** The reply as sent, for keys answered before 0009. */
  response_status: number | null
  response_body: string | null
  message_id: string | null
  created_at: number
}

export interface JobsTable {
  /** The job's identity, e.g. `window.closed:<channel id>:<contact id>`. */
  id: string
  kind: string
  channel_id: string
  contact_id: string
  due_at: number
  payload_json: string
  /** `pending`, `done`, `cancelled`. */
  status: string
  attempts: number
  locked_until: number | null
  last_error: string | null
  created_at: number
  updated_at: number
}

export interface CasesTable {
  id: string
  tenant_id: string
  channel_id: string
  contact_id: string
  /** The business's own ticket id. */
  external_id: string | null
  /** `open`, `pending`, `resolved`. */
  status: string
  subject: string | null
  language: string | null
  /** Template parameters for re-engagement, JSON object of strings. */
  parameters_json: string
  last_reengaged_at: number | null
  created_at: number
  updated_at: number
}

export interface HeldMessagesTable {
  id: string
  tenant_id: string
  channel_id: string
  contact_id: string
  /** The Graph send body, exactly as received. */
  body: string
  /** `held`, `released`, `failed`, `cancelled`, `expired`. */
  status: string
  /** The refused message the hold stands for. */
  refused_message_id: string
  /** The message sent when it was released. */
  message_id: string | null
  error: string | null
  created_at: number
  expires_at: number
  released_at: number | null
}

/** The GCRA's state per limited key (see migrations/0011-rate-limits.ts). */
export interface RateLimitsTable {
  key: string
  tat_us: number
  admitted: number
}

/** Notifications imported from files (`carewindow import`), by the SHA-256 of their JSON. */
export interface ImportedNotificationsTable {
  digest: string
  notification_id: number
  imported_at: number
}

/** A tenant's own rate cards (see migrations/0016-rate-cards.ts). */
export interface RateCardsTable {
  tenant_id: string
  id: string
  label: string
  currency: string
  effective_from: number
  is_sample: number
  countries_json: string | null
  rates_json: string
  source: string
  created_at: number
  updated_at: number
}
