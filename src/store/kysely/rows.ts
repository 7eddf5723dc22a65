import type { Selectable } from 'kysely'
import type { ConsentEvent, ContactState, Platform, RateCard } from '../../domain/index.js'
import { automationsSchema, DEFAULT_AUTOMATIONS, type Automations } from '../../config/automations.js'
import type {
  ApiKeysTable,
  CasesTable,
  ChannelsTable,
  ConsentEventsTable,
  ContactsTable,
  HeldMessagesTable,
  JobsTable,
  MessagesTable,
  RateCardsTable,
  TenantsTable,
  WebhookDeliveriesTable,
  WindowsTable,
} from '../schema.js'
import type { SqlValue } from '../sql-statement.js'
import type {
  Announcement,
  ApiKeyRecord,
  CaseRecord,
  CaseStatus,
  ChannelRecord,
  ContactRecord,
  DeliveryRecord,
  DeliveryStatus,
  HeldMessageRecord,
  HoldStatus,
  JobRecord,
  JobStatus,
  LockedWindow,
  MessageDirection,
  MessageRecord,
  MessageStatus,
  RateCardSource,
  StoredConsentEvent,
  StoredRateCard,
  TenantRecord,
  UpstreamConfig,
  WindowRecord,
} from '../store.js'

/** Rows to records and back: every table's mapping in one place. */

export function tenantOf(row: Selectable<TenantsTable>): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    webhookUrl: row.webhook_url,
    webhookSecret: row.webhook_secret,
    createdAt: row.created_at,
  }
}

export function apiKeyOf(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    keyHash: row.key_hash,
    // The column's check admits only the two; anything else would be read as the lesser role.
    role: row.role === 'admin' ? 'admin' : 'read',
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }
}

export function channelOf(row: Selectable<ChannelsTable>): ChannelRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    platform: row.platform as Platform,
    externalId: row.external_id,
    upstream: JSON.parse(row.upstream_json) as UpstreamConfig,
    appSecret: row.app_secret,
    verifyToken: row.verify_token,
    settings: JSON.parse(row.settings_json) as Record<string, unknown>,
    automations: automationsOf(row.automations_json),
    wabaId: row.waba_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

// Validated when configured; a row from an older version (or edited by hand) falls back to the defaults.
export function automationsOf(json: string): Automations {
  const parsed = automationsSchema.safeParse(JSON.parse(json))
  return parsed.success ? parsed.data : DEFAULT_AUTOMATIONS
}

export function windowOf(row: Selectable<WindowsTable>): WindowRecord {
  return {
    channelId: row.channel_id,
    contactId: row.contact_id,
    state: JSON.parse(row.state_json) as ContactState,
    lastUserMessageAt: row.last_user_message_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
  }
}

export function windowParameters(window: WindowRecord): SqlValue[] {
  return [
    window.channelId,
    window.contactId,
    JSON.stringify(window.state),
    window.lastUserMessageAt,
    window.expiresAt,
    window.updatedAt,
  ]
}

/** The state a window row holds; none for a row created only to be locked (`'null'`) or no row. */
export function stateOf(row: { readonly state_json: string } | undefined): ContactState | undefined {
  const state = row === undefined ? null : (JSON.parse(row.state_json) as ContactState | null)
  return state ?? undefined
}

/** A locked window row's columns. */
export interface LockedWindowRow {
  readonly state_json: string
  readonly announced: string | null
  readonly announced_expires_at: number | string | null
}

export function lockedWindowOf(row: LockedWindowRow | undefined): LockedWindow {
  return {
    state: stateOf(row),
    announced:
      row === undefined || row.announced === null || row.announced_expires_at === null
        ? null
        : { state: row.announced as Announcement['state'], expiresAt: Number(row.announced_expires_at) },
  }
}

export function contactOf(row: Selectable<ContactsTable>): ContactRecord {
  return {
    channelId: row.channel_id,
    contactId: row.contact_id,
    country: row.country,
    profileName: row.profile_name,
    createdAt: row.created_at,
  }
}

export function consentOf(row: Selectable<ConsentEventsTable>): StoredConsentEvent {
  return {
    id: row.id,
    kind: row.kind as ConsentEvent['kind'],
    scope: row.scope as ConsentEvent['scope'],
    source: row.source,
    ...(row.evidence === null ? {} : { evidence: row.evidence }),
    ...(row.actor === null ? {} : { actor: row.actor }),
    at: row.at,
    recordedAt: row.recorded_at,
  }
}

export function messageOf(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    direction: row.direction as MessageDirection,
    externalId: row.external_id,
    at: row.at,
    bodyJson: row.body_json,
    allowed: row.allowed === null ? null : row.allowed === 1,
    reason: row.reason,
    decisionJson: row.decision_json,
    priceMicros: row.price_micros,
    currency: row.currency,
    status: row.status as MessageStatus,
    statusAt: row.status_at,
    metaPricingJson: row.meta_pricing_json,
    errorJson: row.error_json,
    createdAt: row.created_at,
    category: row.category,
    pricingModel: row.pricing_model,
    billingType: row.billing_type,
    market: row.market,
  }
}

export function deliveryOf(row: Selectable<WebhookDeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    eventType: row.event_type,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    lastAttemptAt: row.last_attempt_at,
  }
}

export function jobOf(row: Selectable<JobsTable>): JobRecord {
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

export function caseOf(row: Selectable<CasesTable>): CaseRecord {
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

export function holdOf(row: Selectable<HeldMessagesTable>): HeldMessageRecord {
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

export function rateCardOf(row: Selectable<RateCardsTable>): StoredRateCard {
  const countries =
    row.countries_json === null ? undefined : (JSON.parse(row.countries_json) as RateCard['countries'])
  return {
    tenantId: row.tenant_id,
    card: {
      id: row.id,
      label: row.label,
      currency: row.currency,
      effectiveFrom: row.effective_from,
      isSample: row.is_sample === 1,
      ...(countries === undefined ? {} : { countries }),
      rates: JSON.parse(row.rates_json) as RateCard['rates'],
    },
    source: row.source as RateCardSource,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
