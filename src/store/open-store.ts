import { ConfigError, type GatewayConfig } from '../config/config.js'
import { parseDatabaseUrl, SUPPORTED_DATABASE_URLS } from '../config/database-url.js'
import { redactUrl } from '../shared/logging.js'
import { openPostgresStore } from './postgres/postgres-store.js'
import { DEFAULT_SQLITE_PATH, openSqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/**
 * Opens the store a database URL names: `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:PATH`
 * (or a plain path) for SQLite. No URL: the embedded SQLite default. Any other scheme is a {@link ConfigError}
 * (the config refuses one already; this keeps a caller that skips it from creating a file named `mysql:/x`).
 */
export function openStore(url: string | undefined, options: OpenStoreOptions = {}): Promise<Store> {
  const { migrate, poolSize, preparedStatements } = options
  if (url === undefined || url === '') return openSqliteStore({ path: DEFAULT_SQLITE_PATH, migrate })
  const location = parseDatabaseUrl(url)
  if (location === null)
    return Promise.reject(
      new ConfigError([`database URL "${redactUrl(url)}" is not supported; use ${SUPPORTED_DATABASE_URLS}`]),
    )
  return location.kind === 'postgres'
    ? openPostgresStore({ url: location.url, migrate, poolSize, preparedStatements })
    : openSqliteStore({ path: location.path, migrate })
}

export interface OpenStoreOptions {
  readonly migrate?: boolean
  /** PostgreSQL only (postgres-store.ts). */
  readonly poolSize?: number
  readonly preparedStatements?: boolean
}

/** The configured database's store, as `carewindow serve` and the commands that share its database open it. */
export function openConfiguredStore(
  config: Pick<GatewayConfig, 'databaseUrl' | 'databasePoolSize' | 'databasePreparedStatements'>,
  migrate: boolean,
): Promise<Store> {
  return openStore(config.databaseUrl, {
    migrate,
    poolSize: config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
  })
}

/** A database URL fit to print (see {@link redactUrl}); no URL names the embedded default. */
export function redactDatabaseUrl(url: string | undefined): string {
  if (url === undefined || url === '') return `sqlite:${DEFAULT_SQLITE_PATH}`
  return redactUrl(url)
}
