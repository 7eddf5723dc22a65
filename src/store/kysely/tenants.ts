import type { Selectable } from 'kysely'
import type { TenantsTable } from '../schema.js'
import type { ApiKeyRecord, ApiKeyRole, TenantRecord } from '../store.js'
import { run, type Connection } from './connection.js'
import { HOT } from './hot.js'
import { apiKeyOf, tenantOf } from './rows.js'

/** Tenants and API keys (TenantStore). */

export async function upsertTenant(c: Connection, tenant: TenantRecord): Promise<void> {
  await c.db
    .insertInto('tenants')
    .values({
      id: tenant.id,
      name: tenant.name,
      webhook_url: tenant.webhookUrl,
      webhook_secret: tenant.webhookSecret,
      created_at: tenant.createdAt,
    })
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet({
        name: tenant.name,
        webhook_url: tenant.webhookUrl,
        webhook_secret: tenant.webhookSecret,
      }),
    )
    .execute()
}

export async function getTenant(c: Connection, id: string): Promise<TenantRecord | undefined> {
  // Every webhook relays to its tenant: raw SQL (hot.ts).
  const { rows } = await run<Selectable<TenantsTable>>(c, HOT.getTenant, [id])
  const row = rows[0]
  return row && tenantOf(row)
}

export async function listTenants(c: Connection): Promise<TenantRecord[]> {
  return (await c.db.selectFrom('tenants').selectAll().orderBy('id').execute()).map(tenantOf)
}

export async function insertApiKey(c: Connection, key: ApiKeyRecord): Promise<void> {
  await c.db
    .insertInto('api_keys')
    .values({
      id: key.id,
      tenant_id: key.tenantId,
      name: key.name,
      prefix: key.prefix,
      key_hash: key.keyHash,
      role: key.role,
      created_at: key.createdAt,
      revoked_at: key.revokedAt,
    })
    .execute()
}

export async function findApiKey(c: Connection, keyHash: string): Promise<ApiKeyRecord | undefined> {
  const row = await c.db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return row && apiKeyOf(row)
}

export async function listApiKeys(c: Connection, tenantId: string): Promise<ApiKeyRecord[]> {
  const rows = await c.db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute()
  return rows.map(apiKeyOf)
}

export async function revokeApiKey(c: Connection, id: string, at: number): Promise<boolean> {
  const result = await c.db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function setApiKeyRole(c: Connection, id: string, role: ApiKeyRole): Promise<boolean> {
  const result = await c.db
    .updateTable('api_keys')
    .set({ role })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
