import { randomBytes } from 'node:crypto'
import { Option, type Command } from 'commander'
import { DEFAULT_AUTOMATIONS } from '../config/automations.js'
import { loadConfig, type GatewayConfig } from '../config/config.js'
import { policySettingsSchema } from '../config/policy-settings.js'
import { systemClock } from '../shared/clock.js'
import { Directory } from '../gateway/directory.js'
import { templateSyncJob } from '../gateway/templates/template-sync-jobs.js'
import { generateApiKey, hashApiKey, keyPrefix, randomId } from '../shared/ids.js'
import { API_KEY_ROLES, DEFAULT_API_KEY_ROLE, type ApiKeyRole } from '../shared/key-roles.js'
import { redactUrl } from '../shared/logging.js'
import { openConfiguredStore, redactDatabaseUrl } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { describeIssues } from '../shared/validation.js'
import { InputError, type CliOutput } from './output.js'

/** `--config FILE` (or CAREWINDOW_CONFIG): where the database URL comes from. */
export const configOption = () =>
  new Option('--config <file>', 'JSON config file (for the database URL)').env('CAREWINDOW_CONFIG')

/** Runs `work` on the configured database, migrated, and closes it. */
export async function withStore<T>(
  configPath: string | undefined,
  work: (store: Store, config: GatewayConfig) => Promise<T>,
): Promise<T> {
  const config = await loadConfig(configPath === undefined ? {} : { path: configPath })
  const store = await openConfiguredStore(config, true)
  try {
    return await work(store, config)
  } finally {
    await store.close()
  }
}

/**
 * `carewindow migrate`, `tenant add|list`, `channel add|list`, `key create|list|revoke`: runtime administration
 * against the configured database (the same one `serve` uses; a running server sees changes — a revoked key
 * included — within DIRECTORY_TTL_MS, 5 s).
 */
export function registerAdminCommands(program: Command, output: CliOutput): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (serve also does this at start-up unless told not to)')
    .addOption(configOption())
    .action(async (options: { config?: string }) => {
      await withStore(options.config, (_store, config) => {
        output.out(`migrated ${redactDatabaseUrl(config.databaseUrl)}\n`)
        return Promise.resolve()
      })
    })

  const tenant = program.command('tenant').description('manage tenants (businesses)')
  tenant
    .command('add')
    .description('create a tenant, or update its name and webhook')
    .requiredOption('--id <id>', 'lowercase letters, digits, "-" and "_"')
    .option('--name <name>', 'display name')
    .option('--webhook-url <url>', 'where carewindow relays notifications and events')
    .option('--webhook-secret <secret>', 'signs what is relayed (default: a new random secret, printed once)')
    .addOption(configOption())
    .action(
      async (options: {
        id: string
        name?: string
        webhookUrl?: string
        webhookSecret?: string
        config?: string
      }) => {
        if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(options.id))
          throw new InputError(
            `"${options.id}" is not a tenant id: use lowercase letters, digits, "-" and "_"`,
          )
        if (options.webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(options.webhookUrl))
          throw new InputError(`"${options.webhookUrl}" is not an http(s) URL`)
        const secret =
          options.webhookUrl === undefined
            ? null
            : (options.webhookSecret ?? randomBytes(24).toString('base64url'))
        await withStore(options.config, async (store) => {
          const existing = await store.getTenant(options.id)
          await store.upsertTenant({
            id: options.id,
            name: options.name ?? existing?.name ?? options.id,
            webhookUrl: options.webhookUrl ?? existing?.webhookUrl ?? null,
            webhookSecret: secret ?? existing?.webhookSecret ?? null,
            createdAt: existing?.createdAt ?? Date.now(),
          })
        })
        output.out(`tenant ${options.id} saved\n`)
        if (secret !== null && options.webhookSecret === undefined)
          output.out(`webhook signing secret: ${secret}\n`)
      },
    )
  tenant
    .command('list')
    .description('list tenants')
    .addOption(configOption())
    .action(async (options: { config?: string }) => {
      await withStore(options.config, async (store) => {
        for (const record of await store.listTenants())
          output.out(
            `${record.id}\t${record.name}\t${record.webhookUrl === null ? '(no webhook)' : redactUrl(record.webhookUrl)}\n`,
          )
      })
    })

  const channel = program
    .command('channel')
    .description('manage channels (WhatsApp numbers, Messenger Pages)')
  channel
    .command('add')
    .description('create a channel, or replace its configuration')
    .requiredOption('--tenant <id>', 'the tenant that owns it')
    .addOption(
      new Option('--platform <platform>', 'whatsapp or messenger')
        .choices(['whatsapp', 'messenger'])
        .makeOptionMandatory(),
    )
    .requiredOption('--id <id>', 'phone_number_id (WhatsApp) or Page id (Messenger)')
    .option('--sandbox', 'use the built-in simulator instead of Meta')
    .option('--access-token <token>', 'Meta access token to forward with (cloud)')
    .option('--base-url <url>', 'Graph base URL (cloud)', 'https://graph.facebook.com')
    .option('--app-secret <secret>', 'the Meta app secret (verifies webhooks); default: random (sandbox)')
    .option('--verify-token <token>', 'webhook verification token; default: random')
    .option('--waba-id <id>', 'WhatsApp Business Account id (message_templates calls name it); default: kept')
    .option('--settings <json>', 'policy settings as JSON, e.g. {"messenger_plus_one_cutoff":"meta"}', '{}')
    .addOption(configOption())
    .action(
      async (options: {
        tenant: string
        platform: 'whatsapp' | 'messenger'
        id: string
        sandbox?: boolean
        accessToken?: string
        baseUrl: string
        appSecret?: string
        verifyToken?: string
        wabaId?: string
        settings: string
        config?: string
      }) => {
        if (options.wabaId !== undefined && !/^\d{1,32}$/.test(options.wabaId))
          throw new InputError('--waba-id: a WhatsApp Business Account id is a string of digits')
        if (!/^\d{1,32}$/.test(options.id))
          throw new InputError(`"${options.id}" is not a phone_number_id or Page id (digits)`)
        if (options.sandbox !== true && options.accessToken === undefined)
          throw new InputError('give --access-token for a cloud channel, or --sandbox')
        if (options.sandbox !== true && options.appSecret === undefined)
          throw new InputError('give --app-secret (the Meta app secret) for a cloud channel')
        let settings: unknown
        try {
          settings = JSON.parse(options.settings)
        } catch {
          throw new InputError('--settings is not valid JSON')
        }
        const parsed = policySettingsSchema.safeParse(settings)
        if (!parsed.success) throw new InputError(`--settings: ${describeIssues(parsed.error).join('; ')}`)
        const verifyToken = options.verifyToken ?? randomBytes(12).toString('hex')
        await withStore(options.config, async (store) => {
          if ((await store.getTenant(options.tenant)) === undefined)
            throw new InputError(
              `there is no tenant "${options.tenant}"; create it with carewindow tenant add`,
            )
          const existing = await store.findChannel(options.platform, options.id)
          if (existing !== undefined && existing.tenantId !== options.tenant)
            throw new InputError(`${options.platform} channel ${options.id} belongs to another tenant`)
          const now = Date.now()
          const saved = await store.upsertChannel({
            id: existing?.id ?? randomId('ch'),
            tenantId: options.tenant,
            platform: options.platform,
            externalId: options.id,
            upstream:
              options.sandbox === true
                ? { mode: 'sandbox' }
                : { mode: 'cloud', baseUrl: options.baseUrl, accessToken: options.accessToken ?? '' },
            appSecret: options.appSecret ?? randomBytes(16).toString('hex'),
            verifyToken,
            settings: settings as Record<string, unknown>,
            automations: existing?.automations ?? DEFAULT_AUTOMATIONS,
            wabaId: options.wabaId ?? existing?.wabaId ?? null,
            createdAt: existing?.createdAt ?? now,
            updatedAt: now,
          })
          // A running gateway reads the account's templates from Meta at once; a stopped one at its start.
          if (saved.platform === 'whatsapp' && options.wabaId !== undefined)
            await store.scheduleJob(templateSyncJob(saved, now), now)
        })
        output.out(`${options.platform} channel ${options.id} saved for tenant ${options.tenant}\n`)
        if (options.verifyToken === undefined) output.out(`webhook verify token: ${verifyToken}\n`)
      },
    )
  channel
    .command('list')
    .description('list channels')
    .option('--tenant <id>', 'only this tenant’s')
    .addOption(configOption())
    .action(async (options: { tenant?: string; config?: string }) => {
      await withStore(options.config, async (store) => {
        for (const record of await store.listChannels(
          options.tenant === undefined ? {} : { tenantId: options.tenant },
        ))
          output.out(
            `${record.platform}\t${record.externalId}\t${record.tenantId}\t${record.upstream.mode}\n`,
          )
      })
    })

  const key = program.command('key').description('manage API keys')
  key
    .command('create')
    .description('create an API key for a tenant; it is printed once and stored hashed')
    .requiredOption('--tenant <id>', 'the tenant the key acts for')
    .option('--name <name>', 'what the key is for', 'cli')
    .addOption(
      new Option('--role <role>', 'admin: may do everything; read: may only look (no sends, no changes)')
        .choices(API_KEY_ROLES)
        .default(DEFAULT_API_KEY_ROLE),
    )
    .addOption(configOption())
    .action(async (options: { tenant: string; name: string; role: ApiKeyRole; config?: string }) => {
      const apiKey = generateApiKey()
      await withStore(options.config, async (store) => {
        if ((await store.getTenant(options.tenant)) === undefined)
          throw new InputError(`there is no tenant "${options.tenant}"; create it with carewindow tenant add`)
        await store.insertApiKey({
          id: randomId('key'),
          tenantId: options.tenant,
          name: options.name,
          prefix: keyPrefix(apiKey),
          keyHash: hashApiKey(apiKey),
          role: options.role,
          createdAt: Date.now(),
          revokedAt: null,
        })
      })
      output.out(`${apiKey}\n`)
    })
  key
    .command('list')
    .description('list a tenant’s keys (prefixes only): id, prefix, name, role, state')
    .requiredOption('--tenant <id>', 'the tenant')
    .addOption(configOption())
    .action(async (options: { tenant: string; config?: string }) => {
      await withStore(options.config, async (store) => {
        for (const record of await store.listApiKeys(options.tenant))
          output.out(
            `${record.id}\t${record.prefix}\t${record.name}\t${record.role}\t${record.revokedAt === null ? 'active' : 'revoked'}\n`,
          )
      })
    })
  key
    .command('revoke')
    .description('revoke a key by its id (see key list)')
    .requiredOption('--id <id>', 'the key id')
    .addOption(configOption())
    .action(async (options: { id: string; config?: string }) => {
      // The directory's revocation, as a server's would be: the server process that revokes a key forgets it at
      // once; the others (this command is another process) within DIRECTORY_TTL_MS.
      const revoked = await withStore(options.config, (store) =>
        new Directory(store, systemClock, []).revokeApiKey(options.id),
      )
      if (!revoked) throw new InputError(`there is no active key ${options.id}`)
      output.out(`key ${options.id} revoked\n`)
    })
}
