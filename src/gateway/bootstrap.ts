import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { issueResolutionTemplates, type Template } from '../domain/index.js'
import { DEFAULT_AUTOMATIONS } from '../config/automations.js'
import type { ChannelConfig, GatewayConfig, TenantConfig } from '../config/config.js'
import { templateFromDefinition } from '../channels/whatsapp/template-definition.js'
import type { ChannelRecord, Store, UpstreamConfig } from '../store/store.js'
import type { Clock } from '../shared/clock.js'
import { generateApiKey, hashApiKey, keyPrefix, randomId } from '../shared/ids.js'

/**
 * Makes the store hold what the config file declares: tenants, their API keys (stored hashed), channels and
 * templates. Things created at runtime (CLI, API) are left alone; declared ones are updated to match the file, except
 * for what Meta decides about templates (status, category), which a restart keeps.
 */
export async function applyConfig(store: Store, config: GatewayConfig, clock: Clock): Promise<void> {
  for (const tenant of config.tenants) {
    await store.transaction(async (tx) => {
      const now = clock()
      await tx.upsertTenant({
        id: tenant.id,
        name: tenant.name ?? tenant.id,
        webhookUrl: tenant.webhook?.url ?? null,
        webhookSecret: tenant.webhook?.secret ?? null,
        createdAt: now,
      })
      for (const key of tenant.api_keys) {
        const keyHash = 'key' in key ? hashApiKey(key.key) : key.key_sha256
        const existing = await tx.findApiKey(keyHash)
        if (existing !== undefined) {
          // The file says what a declared key may do: a role changed there changes the stored key's.
          if (existing.role !== key.role) await tx.setApiKeyRole(existing.id, key.role)
          continue
        }
        await tx.insertApiKey({
          id: randomId('key'),
          tenantId: tenant.id,
          name: key.name,
          prefix: 'key' in key ? keyPrefix(key.key) : `sha256:${key.key_sha256.slice(0, 8)}…`,
          keyHash,
          role: key.role,
          createdAt: now,
          revokedAt: null,
        })
      }
      for (const channel of tenant.channels) await upsertConfiguredChannel(tx, tenant, channel, now)
    })
  }
}

async function upsertConfiguredChannel(
  tx: Store,
  tenant: TenantConfig,
  channel: ChannelConfig,
  now: number,
): Promise<void> {
  const existing = await tx.findChannel(channel.platform, channel.id)
  if (existing !== undefined && existing.tenantId !== tenant.id)
    throw new Error(
      `${channel.platform} channel ${channel.id} belongs to tenant "${existing.tenantId}" in the database; the config gives it to "${tenant.id}"`,
    )
  const upstream: UpstreamConfig =
    channel.upstream.mode === 'cloud'
      ? { mode: 'cloud', baseUrl: channel.upstream.base_url, accessToken: channel.upstream.access_token }
      : { mode: 'sandbox' }
  const stored = await tx.upsertChannel({
    id: existing?.id ?? randomId('ch'),
    tenantId: tenant.id,
    platform: channel.platform,
    externalId: channel.id,
    upstream,
    appSecret: channel.app_secret,
    verifyToken: channel.verify_token,
    settings: channel.settings,
    automations: channel.automations,
    wabaId: channel.waba_id ?? null,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  })
  for (const definition of channel.templates) {
    const declared = templateFromDefinition(definition)
    const current = await tx.getTemplate(stored.id, declared.name, declared.language)
    const template = current === undefined ? declared : keepMetasVerdict(declared, current)
    if (current === undefined || !isDeepStrictEqual(template, current))
      await tx.upsertTemplate(stored.id, template, now)
  }
}

/**
 * A declared template that is already stored: the file's definition (body, header, buttons, tag), but the status,
 * category and re-categorisations Meta reported since (webhooks, imports) — a restart must not approve a template
 * Meta paused. The file's `status` and `category` are what a new template starts with.
 */
function keepMetasVerdict(declared: Template, current: Template): Template {
  const { categoryChanges, ...definition } = declared
  const kept = categoryChanges ?? current.categoryChanges
  return {
    ...definition,
    status: current.status,
    category: current.category,
    ...(kept === undefined ? {} : { categoryChanges: kept }),
  }
}

/** The tenant, channel and key `npm start` creates when there is no configuration at all. */
export interface SandboxSetup {
  readonly tenantId: string
  readonly channel: ChannelRecord
  /** The API key, kept in `keyFile` (`sandbox.json` next to the database) so every start can show it. */
  readonly apiKey: string
  readonly keyFile: string
  /** Whether the key was made at this start (the sandbox was created, or its key file was lost). */
  readonly isNew: boolean
}

export const SANDBOX_TENANT = 'sandbox'
export const SANDBOX_PHONE_NUMBER_ID = '100000000000001'
/** The sandbox number's simulated WhatsApp Business Account, so that its templates sync like a real one's. */
export const SANDBOX_WABA_ID = '100000000000002'

/**
 * The sandbox: a tenant with a WhatsApp channel on the built-in simulator, the shipped Issue Resolution templates
 * (approved, English) and two ordinary templates, and an API key. It is created once, on a first start with no
 * tenant at all (`mayCreate`: none is configured either); once it exists it is returned at every start — also after
 * other tenants were added, by `carewindow tenant add` or the config file — so the banner keeps showing its key and
 * walkthrough. The key is written to `keyFile` (mode 600) because a sandbox key protects nothing real and a newcomer
 * needs it again at the next start; real tenants' keys are never written anywhere. A lost key file gets a new key.
 */
export async function ensureSandbox(
  store: Store,
  clock: Clock,
  keyFile: string,
  options: { readonly mayCreate: boolean } = { mayCreate: true },
): Promise<SandboxSetup | null> {
  const tenants = await store.listTenants()
  const hasSandbox = tenants.some((tenant) => tenant.id === SANDBOX_TENANT)
  if (!hasSandbox && (!options.mayCreate || tenants.length > 0)) return null
  const known = await readSandboxKey(keyFile)
  let existing = await store.findChannel('whatsapp', SANDBOX_PHONE_NUMBER_ID)
  // A sandbox made before its number had an account gets one.
  if (existing !== undefined && existing.wabaId === null)
    existing = await store.upsertChannel({ ...existing, wabaId: SANDBOX_WABA_ID, updatedAt: clock() })
  if (existing !== undefined && known !== null && (await store.findApiKey(hashApiKey(known))) !== undefined)
    return { tenantId: SANDBOX_TENANT, channel: existing, apiKey: known, keyFile, isNew: false }
  const now = clock()
  const apiKey = generateApiKey()
  const channel = await store.transaction(async (tx) => {
    await tx.upsertTenant({
      id: SANDBOX_TENANT,
      name: 'Sandbox',
      webhookUrl: null,
      webhookSecret: null,
      createdAt: now,
    })
    await tx.insertApiKey({
      id: randomId('key'),
      tenantId: SANDBOX_TENANT,
      name: 'sandbox',
      prefix: keyPrefix(apiKey),
      keyHash: hashApiKey(apiKey),
      role: 'admin',
      createdAt: now,
      revokedAt: null,
    })
    const stored = await tx.upsertChannel({
      id: existing?.id ?? randomId('ch'),
      tenantId: SANDBOX_TENANT,
      platform: 'whatsapp',
      externalId: SANDBOX_PHONE_NUMBER_ID,
      upstream: { mode: 'sandbox' },
      appSecret: existing?.appSecret ?? randomBytes(16).toString('hex'),
      verifyToken: existing?.verifyToken ?? randomBytes(12).toString('hex'),
      settings: {},
      automations: existing?.automations ?? DEFAULT_AUTOMATIONS,
      wabaId: SANDBOX_WABA_ID,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    })
    for (const template of sandboxTemplates()) await tx.upsertTemplate(stored.id, template, now)
    return stored
  })
  await mkdir(dirname(keyFile), { recursive: true })
  await writeFile(keyFile, `${JSON.stringify({ api_key: apiKey }, null, 2)}\n`, { mode: 0o600 })
  return { tenantId: SANDBOX_TENANT, channel, apiKey, keyFile, isNew: true }
}

async function readSandboxKey(keyFile: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(await readFile(keyFile, 'utf8')) as { api_key?: unknown }
    return typeof parsed.api_key === 'string' ? parsed.api_key : null
  } catch {
    return null
  }
}

function sandboxTemplates(): Template[] {
  return [
    ...issueResolutionTemplates('APPROVED', ['en']),
    {
      name: 'order_update',
      language: 'en',
      category: 'UTILITY',
      status: 'APPROVED',
      issueResolution: false,
      body: 'Your order {{1}} ships on {{2}}.',
    },
    {
      name: 'autumn_sale',
      language: 'en',
      category: 'MARKETING',
      status: 'APPROVED',
      issueResolution: false,
      body: 'Hi {{1}}, our autumn sale starts today: 20% off everything.',
    },
  ]
}
