import { DEFAULT_AUTOMATIONS } from '../../src/config/automations.js'
import {
  HOUR_MS,
  NEW_CONTACT,
  type ContactState,
  type Instant,
  type Template,
} from '../../src/domain/index.js'
import type {
  ApiKeyRecord,
  ChannelRecord,
  ContactRecord,
  DeliveryRecord,
  MessageRecord,
  NewNotification,
  TenantRecord,
  WindowRecord,
} from '../../src/store/store.js'

/**
 * Records for the store contract suite, one line each: every field has a plain default that a test
 * overrides where it matters.
 */

/** 2024-03-01 10:00 UTC. */
export const T0: Instant = Date.parse('2024-03-01T10:00:00Z')

export const TENANT_ID = 'tenant-1'
export const CONTACT_ID = '31612345678'

export function tenant(overrides: Partial<TenantRecord> = {}): TenantRecord {
  return {
    id: TENANT_ID,
    name: 'Acme Care',
    webhookUrl: 'https://acme.example/hooks',
    webhookSecret: 'whsec-1',
    createdAt: T0,
    ...overrides,
  }
}

export function apiKey(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    tenantId: TENANT_ID,
    name: `key ${id}`,
    prefix: `cw_${id}`,
    keyHash: `hash-of-${id}`,
    role: 'admin',
    createdAt: T0,
    revokedAt: null,
    ...overrides,
  }
}

export function channel(overrides: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    id: 'channel-1',
    tenantId: TENANT_ID,
    platform: 'whatsapp',
    externalId: '106540352242922',
    upstream: { mode: 'sandbox' },
    appSecret: 'app-secret-1',
    verifyToken: 'verify-1',
    settings: { timezone: 'Europe/Amsterdam' },
    automations: DEFAULT_AUTOMATIONS,
    wabaId: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  }
}

/** A Dutch contact of `channelId` as first stored, named `profileName`. */
export function contactRecord(
  channelId: string,
  contactId: string = CONTACT_ID,
  profileName: string | null = 'Ana',
): ContactRecord {
  return { channelId, contactId, country: 'NL', profileName, createdAt: T0 }
}

/** A window that closes at `expiresAt` (24 h after the user's last message), or a contact without one. */
export function windowRecord(
  channelId: string,
  contactId: string,
  expiresAt: Instant | null,
  state: ContactState = NEW_CONTACT,
): WindowRecord {
  return {
    channelId,
    contactId,
    state,
    lastUserMessageAt: expiresAt === null ? null : expiresAt - 24 * HOUR_MS,
    expiresAt,
    updatedAt: T0,
  }
}

export function template(overrides: Partial<Template> = {}): Template {
  return {
    name: 'order_update',
    language: 'en',
    category: 'UTILITY',
    status: 'APPROVED',
    issueResolution: false,
    body: 'Your order {{1}} has shipped.',
    ...overrides,
  }
}

export function message(
  id: string,
  channelId: string,
  overrides: Partial<MessageRecord> = {},
): MessageRecord {
  return {
    id,
    tenantId: TENANT_ID,
    channelId,
    contactId: CONTACT_ID,
    direction: 'outbound',
    externalId: null,
    at: T0,
    bodyJson: '{"type":"text","text":{"body":"hello"}}',
    allowed: true,
    reason: null,
    decisionJson: null,
    priceMicros: null,
    currency: null,
    status: 'pending',
    statusAt: T0,
    metaPricingJson: null,
    errorJson: null,
    createdAt: T0,
    category: null,
    pricingModel: null,
    billingType: null,
    market: null,
    ...overrides,
  }
}

export function notification(
  body: string,
  receivedAt: Instant = T0,
  subjects: readonly string[] | null = null,
): NewNotification {
  return { platform: 'whatsapp', body, signature: `sha256=signature-of-${body.length}`, receivedAt, subjects }
}

export function delivery(id: string, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id,
    tenantId: TENANT_ID,
    eventType: 'message.status',
    payload: `{"delivery":"${id}"}`,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    lastError: null,
    createdAt: T0,
    deliveredAt: null,
    lastAttemptAt: null,
    ...overrides,
  }
}
