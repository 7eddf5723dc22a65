import type { ConsentEvent, Instant, Platform, Template } from '../../domain/index.js'
import type {
  ApiKeyRecord,
  ApiKeyRole,
  ChannelRecord,
  StoredConsentEvent,
  StoredRateCard,
  TenantRecord,
} from '../store.js'
import * as channels from './channels.js'
import * as consent from './consent.js'
import * as rateCards from './rate-cards.js'
import * as templates from './templates.js'
import * as tenants from './tenants.js'
import { KyselyConnection } from './kysely-connection.js'

/**
 * The Kysely store's first layer of roles: tenants and their keys, channels, consent, templates and rate cards
 * (kysely-store.ts).
 */
export abstract class AccountRoles extends KyselyConnection {
  /**
   * Tenants read inside this transaction: a batch of webhooks relays to the same few tenants, and reading each
   * again per notification was one database round trip in five. Only a transaction's store keeps them (for its
   * short life); writing a tenant forgets them.
   */
  private readonly tenantsRead = new Map<string, TenantRecord | undefined>()

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
  setApiKeyRole(id: string, role: ApiKeyRole): Promise<boolean> {
    return tenants.setApiKeyRole(this, id, role)
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
  upsertTemplates(channelId: string, list: readonly Template[], at: Instant): Promise<void> {
    return templates.upsertTemplates(this, channelId, list, at)
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

  // Rate cards
  saveRateCard(record: StoredRateCard): Promise<void> {
    return rateCards.saveRateCard(this, record)
  }
  listRateCards(tenantId: string): Promise<StoredRateCard[]> {
    return rateCards.listRateCards(this, tenantId)
  }
  deleteRateCard(tenantId: string, id: string): Promise<boolean> {
    return rateCards.deleteRateCard(this, tenantId, id)
  }
}
