import type { Instant } from '../../domain/index.js'
import type { ApiKeyRole } from '../../shared/key-roles.js'

export type { ApiKeyRole }

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
  readonly role: ApiKeyRole
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
  /** Gives a live key another role; `false` when there is no live key with that id. */
  setApiKeyRole(id: string, role: ApiKeyRole): Promise<boolean>
  revokeApiKey(id: string, at: Instant): Promise<boolean>
}
