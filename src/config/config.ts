import { readFile } from 'node:fs/promises'
import { redactUrl } from '../shared/logging.js'
import { describeIssues } from '../shared/validation.js'
import { configFileSchema, LOG_FORMATS, type ConfigFile, type TenantConfig } from './config-file.js'
import { parseDatabaseUrl, SUPPORTED_DATABASE_URLS } from './database-url.js'
import { readVariableFiles, resolveSecretReferences } from './secrets.js'

export { configFileSchema, type ChannelConfig, type ConfigFile, type TenantConfig } from './config-file.js'

/** The gateway's configuration, validated once and frozen. Durations are milliseconds; sizes bytes. */
export interface GatewayConfig {
  readonly host: string
  readonly port: number
  readonly publicUrl: string | null
  readonly bodyLimitBytes: number
  /** Longest a request may take to arrive in full (headers and body); then 408 and the connection is closed. */
  readonly requestTimeoutMs: number
  /** Longest a request's headers may take to arrive (at most `requestTimeoutMs`). */
  readonly headersTimeoutMs: number
  /** Longest a connection may stay silent while its request is handled; longer than a send may wait for Graph. */
  readonly connectionTimeoutMs: number
  /** How long an idle keep-alive connection is kept open. */
  readonly keepAliveTimeoutMs: number
  readonly maxHeaderBytes: number
  /** `undefined`: the embedded SQLite default. */
  readonly databaseUrl: string | undefined
  readonly migrateOnStart: boolean
  /** PostgreSQL: the pool's connections, and whether repeated statements are prepared (postgres-store.ts). */
  readonly databasePoolSize: number
  readonly databasePreparedStatements: boolean
  readonly logLevel: NonNullable<ConfigFile['log_level']>
  /** How log lines are written; `null`: pretty when stdout is a terminal and pino-pretty is installed, else JSON. */
  readonly logFormat: NonNullable<ConfigFile['log_format']> | null
  /** Whether every request is logged (an access log). */
  readonly logRequests: boolean
  readonly upstreamTimeoutMs: number
  readonly upstreamRetries: number
  /**
   * Whether an attempt whose outcome is unknown (no answer in time, the connection lost after the request went out)
   * is retried; it may have been delivered, so the default is no (see docs/deployment.md).
   */
  readonly upstreamRetryTimeouts: boolean
  readonly outboxPollIntervalMs: number
  readonly outboxMaxAttempts: number
  readonly outboxBackoffBaseMs: number
  readonly outboxBackoffMaxMs: number
  readonly outboxRequestTimeoutMs: number
  /** How far the inbox may fall behind under load before it takes the whole event loop; 0 never lets it. */
  readonly inboxMaxLagMs: number
  /** How long a decision waits for the notifications about its contact before it is refused (503). */
  readonly inboxDecisionWaitMs: number
  readonly sandboxStatusDelaysMs: readonly number[]
  /** Whether each WhatsApp Business Account's templates are read from Meta at start. */
  readonly templateSyncOnStart: boolean
  /** How often they are read again; 0: never on a schedule. */
  readonly templateSyncIntervalMs: number
  /** Whether each tenant's daily cost totals of the days that are over are filled at start (PostgreSQL). */
  readonly costDaysOnStart: boolean
  /** How often they are filled again, from 01:05 UTC; 0: only at start. */
  readonly costDaysIntervalMs: number
  readonly rateCards: ConfigFile['rate_cards']
  readonly tenants: readonly TenantConfig[]
  /** Where the file came from, for messages; `null` without a file. */
  readonly source: string | null
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  bodyLimitBytes: 1024 * 1024, // 1 MiB: Meta batches up to 1000 updates, well under this
  requestTimeoutMs: 30_000, // 30 s for a whole request to arrive: a 1 MiB body at 35 KB/s
  headersTimeoutMs: 10_000, // 10 s for the headers (a few hundred bytes)
  connectionTimeoutMs: 60_000, // 60 s of silence: a send may wait ~31 s for Graph (3 attempts × 10 s + pauses)
  keepAliveTimeoutMs: 72_000, // 72 s: longer than the 60 s idle timeout of common load balancers
  maxHeaderBytes: 16 * 1024, // 16 KiB, Node's own default
  databasePoolSize: 10, // PostgreSQL connections per process
  upstreamTimeoutMs: 10_000, // 10 s per attempt to Graph
  upstreamRetries: 2, // after the first attempt, on 5xx and timeouts
  upstreamRetryTimeouts: false, // Graph may have taken what it did not answer: at most once, the client learns it
  outboxPollIntervalMs: 500, // how often an idle relay looks for due deliveries
  outboxMaxAttempts: 15, // about a day and a half with the backoff below
  outboxBackoffBaseMs: 1_000, // first retry after ~1 s, doubling
  outboxBackoffMaxMs: 3_600_000, // at most an hour between attempts
  outboxRequestTimeoutMs: 10_000, // per delivery attempt
  inboxMaxLagMs: 30_000, // a webhook storm is acknowledged first and applied within about half a minute
  inboxDecisionWaitMs: 5_000, // a send waits at most 5 s for its contact's notifications, then 503 + Retry-After
  sandboxStatusDelaysMs: [300, 800, 1_500], // sent, delivered, read
  templateSyncIntervalMs: 21_600_000, // 6 h: Meta announces status and category changes by webhook in between
  costDaysIntervalMs: 86_400_000, // nightly, at 01:05 UTC: the day before is over and settled
} as const

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
  }
}

const ENV = {
  config: 'CAREWINDOW_CONFIG',
  databaseUrl: 'CAREWINDOW_DATABASE_URL',
  host: 'CAREWINDOW_HOST',
  port: 'CAREWINDOW_PORT',
  publicUrl: 'CAREWINDOW_PUBLIC_URL',
  logLevel: 'CAREWINDOW_LOG_LEVEL',
  logFormat: 'CAREWINDOW_LOG_FORMAT',
  logRequests: 'CAREWINDOW_LOG_REQUESTS',
  migrateOnStart: 'CAREWINDOW_MIGRATE_ON_START',
  /** The port platforms such as Heroku, Render and Cloud Run tell a web process to listen on. */
  platformPort: 'PORT',
} as const

/** The environment variables carewindow reads, for `--help` and the README. */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.values(ENV)

/**
 * Reads and validates the configuration: the JSON file (`--config` or `CAREWINDOW_CONFIG`, optional), then
 * `CAREWINDOW_*` variables (each also as `CAREWINDOW_*_FILE`, a file holding its value), which win over the file
 * (and `PORT`, below `CAREWINDOW_PORT` and above the file).
 * Throws {@link ConfigError} listing every problem.
 */
export async function loadConfig(
  options: { readonly path?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<GatewayConfig> {
  // Problems reading `CAREWINDOW_*_FILE` variables are reported by resolveConfig, with the rest.
  const env = readVariableFiles(options.env ?? process.env, ENVIRONMENT_VARIABLES).env
  const path = options.path ?? nonEmpty(env[ENV.config])
  let file: unknown = {}
  if (path !== undefined) {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw new ConfigError([
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      ])
    }
    try {
      file = JSON.parse(text)
    } catch (error) {
      throw new ConfigError([`${path} is not valid JSON: ${(error as Error).message}`])
    }
  }
  return resolveConfig(file, env, path ?? null)
}

/** Validates an already parsed config file together with the environment. */
export function resolveConfig(
  file: unknown,
  givenEnv: NodeJS.ProcessEnv,
  source: string | null,
): GatewayConfig {
  const { env, problems: variableProblems } = readVariableFiles(givenEnv, ENVIRONMENT_VARIABLES)
  const secrets = resolveSecretReferences(file, env)
  const parsed = configFileSchema.safeParse(secrets.file)
  const problems = [
    ...variableProblems,
    ...[...secrets.problems, ...(parsed.success ? [] : describeIssues(secrets.restate(parsed.error)))].map(
      (line) => `${source ?? 'config'}: ${line}`,
    ),
  ]
  // PORT is the platform's word, CAREWINDOW_PORT (and --port, which sets it) the operator's: the operator's wins.
  const port =
    nonEmpty(env[ENV.port]) === undefined
      ? parseEnvInteger(env, ENV.platformPort, problems)
      : parseEnvInteger(env, ENV.port, problems)
  const migrate = parseEnvBoolean(env, ENV.migrateOnStart, problems)
  const logRequests = parseEnvBoolean(env, ENV.logRequests, problems)
  const logFormat = nonEmpty(env[ENV.logFormat])?.toLowerCase()
  if (logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(logFormat))
    problems.push(`${ENV.logFormat}: "${logFormat}" is not json or pretty`)
  const logLevel = nonEmpty(env[ENV.logLevel])
  if (
    logLevel !== undefined &&
    !configFileSchema.shape.log_level.unwrap().options.includes(logLevel as never)
  )
    problems.push(
      `${ENV.logLevel}: "${logLevel}" is not one of fatal, error, warn, info, debug, trace, silent`,
    )
  const envDatabaseUrl = nonEmpty(env[ENV.databaseUrl])
  const fileDatabaseUrl = databaseUrlOf(file)
  // The URL in effect is checked, even when the rest of the file is wrong, so every problem is listed at once.
  if (envDatabaseUrl !== undefined) checkDatabaseUrl(envDatabaseUrl, ENV.databaseUrl, problems)
  else if (fileDatabaseUrl !== undefined)
    checkDatabaseUrl(fileDatabaseUrl, `${source ?? 'config'}: database.url`, problems)
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems)
  const config = parsed.data
  problems.push(...duplicates(config))
  const timeBounds = serverTimeBounds(config, problems)
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    host: nonEmpty(env[ENV.host]) ?? config.server.host ?? DEFAULTS.host,
    port: port ?? config.server.port ?? DEFAULTS.port,
    publicUrl: nonEmpty(env[ENV.publicUrl]) ?? config.server.public_url ?? null,
    bodyLimitBytes: config.server.body_limit_bytes ?? DEFAULTS.bodyLimitBytes,
    ...timeBounds,
    databaseUrl: envDatabaseUrl ?? config.database.url,
    migrateOnStart: migrate ?? config.database.migrate_on_start ?? true,
    databasePoolSize: config.database.pool_size ?? DEFAULTS.databasePoolSize,
    databasePreparedStatements: config.database.prepared_statements ?? true,
    logLevel: (logLevel as GatewayConfig['logLevel'] | undefined) ?? config.log_level ?? 'info',
    logFormat: (logFormat as GatewayConfig['logFormat'] | undefined) ?? config.log_format ?? null,
    logRequests: logRequests ?? config.log_requests ?? false,
    upstreamTimeoutMs: config.upstream.timeout_ms ?? DEFAULTS.upstreamTimeoutMs,
    upstreamRetries: config.upstream.retries ?? DEFAULTS.upstreamRetries,
    upstreamRetryTimeouts: config.upstream.retry_timeouts ?? DEFAULTS.upstreamRetryTimeouts,
    outboxPollIntervalMs: config.outbox.poll_interval_ms ?? DEFAULTS.outboxPollIntervalMs,
    outboxMaxAttempts: config.outbox.max_attempts ?? DEFAULTS.outboxMaxAttempts,
    outboxBackoffBaseMs: config.outbox.backoff_base_ms ?? DEFAULTS.outboxBackoffBaseMs,
    outboxBackoffMaxMs: config.outbox.backoff_max_ms ?? DEFAULTS.outboxBackoffMaxMs,
    outboxRequestTimeoutMs: config.outbox.request_timeout_ms ?? DEFAULTS.outboxRequestTimeoutMs,
    inboxMaxLagMs: config.inbox.max_lag_ms ?? DEFAULTS.inboxMaxLagMs,
    inboxDecisionWaitMs: config.inbox.decision_wait_ms ?? DEFAULTS.inboxDecisionWaitMs,
    sandboxStatusDelaysMs: Object.freeze([
      ...(config.sandbox.status_delays_ms ?? DEFAULTS.sandboxStatusDelaysMs),
    ]),
    templateSyncOnStart: config.template_sync.on_start ?? true,
    templateSyncIntervalMs: config.template_sync.interval_ms ?? DEFAULTS.templateSyncIntervalMs,
    costDaysOnStart: config.cost_days.on_start ?? true,
    costDaysIntervalMs: config.cost_days.interval_ms ?? DEFAULTS.costDaysIntervalMs,
    rateCards: config.rate_cards,
    tenants: Object.freeze(config.tenants),
    source,
  })
}

/** Graph's first pause between attempts (src/channels/graph-upstream.ts), doubling after each. */
export const UPSTREAM_RETRY_PAUSE_MS = 200

/** The longest a send may wait for Graph: every attempt timing out, with the pauses between them. */
export function longestUpstreamWaitMs(timeoutMs: number, retries: number): number {
  return timeoutMs * (retries + 1) + UPSTREAM_RETRY_PAUSE_MS * (2 ** retries - 1)
}

/**
 * The server's time bounds, checked against each other: the headers arrive within the request's time, and a
 * connection may stay silent longer than a send may wait for Graph — otherwise a slow Graph would cut the client
 * off before its answer. Unset, the connection timeout grows with the upstream settings.
 */
function serverTimeBounds(
  config: ConfigFile,
  problems: string[],
): Pick<
  GatewayConfig,
  'requestTimeoutMs' | 'headersTimeoutMs' | 'connectionTimeoutMs' | 'keepAliveTimeoutMs' | 'maxHeaderBytes'
> {
  const server = config.server
  const requestTimeoutMs = server.request_timeout_ms ?? DEFAULTS.requestTimeoutMs
  const headersTimeoutMs = server.headers_timeout_ms ?? Math.min(DEFAULTS.headersTimeoutMs, requestTimeoutMs)
  if (headersTimeoutMs > requestTimeoutMs)
    problems.push(
      `server.headers_timeout_ms: ${headersTimeoutMs} ms is longer than server.request_timeout_ms (${requestTimeoutMs} ms), which includes the headers`,
    )
  // A send first waits for its contact's notifications, then for Graph.
  const upstreamWaitMs =
    (config.inbox.decision_wait_ms ?? DEFAULTS.inboxDecisionWaitMs) +
    longestUpstreamWaitMs(
      config.upstream.timeout_ms ?? DEFAULTS.upstreamTimeoutMs,
      config.upstream.retries ?? DEFAULTS.upstreamRetries,
    )
  const connectionTimeoutMs =
    server.connection_timeout_ms ?? Math.max(DEFAULTS.connectionTimeoutMs, upstreamWaitMs + 10_000)
  if (connectionTimeoutMs <= upstreamWaitMs)
    problems.push(
      `server.connection_timeout_ms: ${connectionTimeoutMs} ms is not longer than a send may wait (${upstreamWaitMs} ms: inbox.decision_wait_ms, then upstream.timeout_ms × (upstream.retries + 1) and the pauses between attempts); the client would be cut off before Graph's answer`,
    )
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    connectionTimeoutMs,
    keepAliveTimeoutMs: server.keep_alive_timeout_ms ?? DEFAULTS.keepAliveTimeoutMs,
    maxHeaderBytes: server.max_header_bytes ?? DEFAULTS.maxHeaderBytes,
  }
}

function duplicates(config: ConfigFile): string[] {
  const problems: string[] = []
  const tenants = new Set<string>()
  const channels = new Set<string>()
  for (const [t, tenant] of config.tenants.entries()) {
    if (tenants.has(tenant.id)) problems.push(`tenants[${t}].id: tenant "${tenant.id}" is declared twice`)
    tenants.add(tenant.id)
    for (const [c, channel] of tenant.channels.entries()) {
      const key = `${channel.platform}:${channel.id}`
      if (channels.has(key))
        problems.push(
          `tenants[${t}].channels[${c}].id: ${channel.platform} channel ${channel.id} is declared twice`,
        )
      channels.add(key)
    }
  }
  return problems
}

/** A database URL with a scheme carewindow does not know would otherwise become a SQLite file named after it. */
function checkDatabaseUrl(url: string, where: string, problems: string[]): void {
  if (parseDatabaseUrl(url) === null)
    problems.push(
      `${where}: "${redactUrl(url)}" is not a database URL carewindow supports; use ${SUPPORTED_DATABASE_URLS}`,
    )
}

function databaseUrlOf(file: unknown): string | undefined {
  if (typeof file !== 'object' || file === null) return undefined
  const database = (file as { database?: unknown }).database
  if (typeof database !== 'object' || database === null) return undefined
  const url = (database as { url?: unknown }).url
  return typeof url === 'string' && url !== '' ? url : undefined
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function parseEnvInteger(env: NodeJS.ProcessEnv, name: string, problems: string[]): number | undefined {
  const text = nonEmpty(env[name])
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    problems.push(`${name}: "${text}" is not a port number (0–65535)`)
    return undefined
  }
  return value
}

function parseEnvBoolean(env: NodeJS.ProcessEnv, name: string, problems: string[]): boolean | undefined {
  const text = nonEmpty(env[name])?.toLowerCase()
  if (text === undefined) return undefined
  if (['1', 'true', 'yes'].includes(text)) return true
  if (['0', 'false', 'no'].includes(text)) return false
  problems.push(`${name}: "${text}" is not true or false`)
  return undefined
}
