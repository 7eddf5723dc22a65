import { z } from 'zod'
import { templateDefinitionSchema } from '../channels/whatsapp/template-definition.js'
import { automationsSchema, DEFAULT_AUTOMATIONS } from './automations.js'
import { policySettingsSchema } from './policy-settings.js'
import { rateCardsSchema } from './rate-cards.js'
import { API_KEY_ROLES, DEFAULT_API_KEY_ROLE } from '../shared/key-roles.js'

/** The config file's shape (JSON), as zod schemas: what config.ts validates a file and the environment against. */

export const LOG_FORMATS = ['json', 'pretty'] as const

const upstreamSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('cloud'),
    /** Graph's host; a test or a regional proxy may replace it. */
    base_url: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com'),
    access_token: z.string().min(1, 'access_token is the system-user token carewindow forwards with'),
  }),
  z.strictObject({ mode: z.literal('sandbox') }),
])

const channelSchema = z.strictObject({
  platform: z.enum(['whatsapp', 'messenger']),
  /** `phone_number_id` (WhatsApp) or Page id (Messenger). */
  id: z.string().regex(/^\d{1,32}$/, 'a phone_number_id or Page id is a string of digits'),
  upstream: upstreamSchema,
  /** The Meta app's secret: verifies X-Hub-Signature-256 on Meta's webhooks. */
  app_secret: z.string().min(8, 'app_secret is the Meta app secret (App settings → Basic)'),
  /** What Meta's webhook verification request must present. */
  verify_token: z.string().min(1),
  settings: policySettingsSchema.default({}),
  /** Window events, keep-alive reminders, re-engagement, held replies (see README, "Automations"). */
  automations: automationsSchema.default(DEFAULT_AUTOMATIONS),
  /** WhatsApp Business Account id: Meta's template updates name it; with it they only touch this account's numbers. */
  waba_id: z
    .string()
    .regex(/^\d{1,32}$/, 'a WhatsApp Business Account id is a string of digits')
    .optional(),
  templates: z.array(templateDefinitionSchema).default([]),
})

/** `admin` (the default) may do everything; `read` only look (docs/api-keys.md). */
const apiKeyRoleSchema = z.enum(API_KEY_ROLES).default(DEFAULT_API_KEY_ROLE)

const apiKeySchema = z.union(
  [
    z.strictObject({
      name: z.string().min(1).default('config'),
      key: z.string().min(20, 'an API key has at least 20 characters'),
      role: apiKeyRoleSchema,
    }),
    z.strictObject({
      name: z.string().min(1).default('config'),
      key_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'key_sha256 is the lowercase hex SHA-256 of the key'),
      role: apiKeyRoleSchema,
    }),
  ],
  {
    error:
      'an API key is {"key": …} or {"key_sha256": …}, with an optional "name" and "role" ("admin", the default, or "read")',
  },
)

const tenantSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a tenant id is lowercase letters, digits, "-" and "_"'),
  name: z.string().min(1).optional(),
  webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      secret: z.string().min(16, 'the webhook signing secret needs at least 16 characters'),
    })
    .optional(),
  api_keys: z.array(apiKeySchema).default([]),
  channels: z.array(channelSchema).default([]),
})

/**
 * The config file (JSON). Every section is optional; unknown keys are errors so typos never pass silently. Secret
 * fields (tokens, app secrets, verify tokens, webhook secrets) may instead name an environment variable or a file
 * to read them from; those are read before validation (see secrets.ts).
 */
export const configFileSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65_535).optional(),
      /** The URL people reach carewindow at, for printed examples and the OpenAPI document. */
      public_url: z.url().optional(),
      /** Largest request body accepted, in bytes (default 1 MiB). */
      body_limit_bytes: z.number().int().min(1024).optional(),
      /** Longest a request may take to arrive in full, headers and body, in ms (default 30 s); then 408. */
      request_timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
      /** Longest a request's headers may take to arrive, in ms (default 10 s); then 408. */
      headers_timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
      /** Longest a connection may stay silent while a request is handled, in ms (default 60 s); then it is closed. */
      connection_timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
      /** How long an idle keep-alive connection is kept open between requests, in ms (default 72 s). */
      keep_alive_timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
      /** Largest size of a request's headers, in bytes (default 16 KiB); larger ones get 431. */
      max_header_bytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024)
        .optional(),
    })
    .default({}),
  database: z
    .strictObject({
      url: z.string().min(1).optional(),
      migrate_on_start: z.boolean().optional(),
      /** PostgreSQL: connections each carewindow process keeps. */
      pool_size: z.number().int().min(1).max(100).optional(),
      /** PostgreSQL: repeated statements as named prepared statements (off behind PgBouncer's transaction mode). */
      prepared_statements: z.boolean().optional(),
    })
    .default({}),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** `json` (one object a line) or `pretty` (for people; needs the pino-pretty package). Unset: pretty on a terminal. */
  log_format: z.enum(LOG_FORMATS).optional(),
  /** Log every request (method, URL, status, time taken) at info. */
  log_requests: z.boolean().optional(),
  upstream: z
    .strictObject({
      timeout_ms: z.number().int().min(1).optional(),
      retries: z.number().int().min(0).max(10).optional(),
      retry_timeouts: z.boolean().optional(),
    })
    .default({}),
  outbox: z
    .strictObject({
      poll_interval_ms: z.number().int().min(10).optional(),
      max_attempts: z.number().int().min(1).optional(),
      backoff_base_ms: z.number().int().min(1).optional(),
      backoff_max_ms: z.number().int().min(1).optional(),
      request_timeout_ms: z.number().int().min(1).optional(),
    })
    .default({}),
  inbox: z
    .strictObject({
      /**
       * How far processing of acknowledged webhooks may fall behind while requests keep coming (ms): it takes a
       * tenth of the event loop at first and more as the backlog ages, all of it at this lag. 0: never behind.
       */
      max_lag_ms: z.number().int().min(0).optional(),
      /**
       * How long a decision (a send, a dry run, a window read) waits for the notifications about its contact that
       * are stored but not applied yet (ms); then it is refused with 503 and Retry-After.
       */
      decision_wait_ms: z.number().int().min(0).max(120_000).optional(),
    })
    .default({}),
  sandbox: z
    .strictObject({
      /** Delays after a sandbox send for the simulated `sent`, `delivered`, `read` statuses (ms); `[]` for none. */
      status_delays_ms: z.array(z.number().int().min(0)).max(3).optional(),
    })
    .default({}),
  /** Reading each WhatsApp Business Account's message_templates from Meta into the channels' templates. */
  template_sync: z
    .strictObject({
      /** At start (default true). */
      on_start: z.boolean().optional(),
      /** Then every this many ms (default 6 h); 0: never on a schedule (webhooks, the API and the CLI still sync). */
      interval_ms: z
        .number()
        .int()
        .refine(
          (ms) => ms === 0 || (ms >= 60_000 && ms <= 7 * 24 * 3_600_000),
          'use 0 (no scheduled sync) or from 60000 (1 min) to 604800000 (7 days)',
        )
        .optional(),
    })
    .default({}),
  /** Filling each tenant's daily cost totals of the days that are over (PostgreSQL; SQLite keeps them as it goes). */
  cost_days: z
    .strictObject({
      /** At start (default true). */
      on_start: z.boolean().optional(),
      /** Then every this many ms, from 01:05 UTC (default 24 h: nightly); 0: only at start. */
      interval_ms: z
        .number()
        .int()
        .refine(
          (ms) => ms === 0 || (ms >= 3_600_000 && ms <= 7 * 24 * 3_600_000),
          'use 0 (only at start) or from 3600000 (1 h) to 604800000 (7 days)',
        )
        .optional(),
    })
    .default({}),
  rate_cards: rateCardsSchema.optional(),
  tenants: z.array(tenantSchema).default([]),
})

export type ConfigFile = z.output<typeof configFileSchema>
export type TenantConfig = ConfigFile['tenants'][number]
export type ChannelConfig = TenantConfig['channels'][number]
