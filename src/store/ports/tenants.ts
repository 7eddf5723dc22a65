import type { Instant } from '../../domain/index.js'

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

/**
 * Tenants and their API keys: who carewindow works for, where their events go, and who may call it on their
 * behalf (keys are kept as hashes only).
 */
export interface TenantStore {
  upsertTenant(tenant: TenantRecord): Promise<void>
  getTenant(id: string): Promise<TenantRecord | undefined>
  listTenants(): Promise<TenantRecord[]>

  insertApiKey(key: ApiKeyRecord): Promise<void>
  /** The live (not revoked) key with this hash. */
  findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined>
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>
  revokeApiKey(id: string, at: Instant): Promise<boolean>
}
