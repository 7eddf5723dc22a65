import { redactUrl } from '../logging.js'
import { openPostgresStore } from './postgres/postgres-store.js'
import { DEFAULT_SQLITE_PATH, openSqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/**
 * Opens the store a database URL names: `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:PATH`
 * (or a plain path) for SQLite. No URL: the embedded SQLite default.
 */
export function openStore(
  url: string | undefined,
  options: { readonly migrate?: boolean } = {},
): Promise<Store> {
  if (url === undefined || url === '') return openSqliteStore({ path: DEFAULT_SQLITE_PATH, ...options })
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore({ url, ...options })
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\//, '') : url
  return openSqliteStore({ path, ...options })
}

/** A database URL fit to print (see {@link redactUrl}); no URL names the embedded default. */
export function redactDatabaseUrl(url: string | undefined): string {
  if (url === undefined || url === '') return `sqlite:${DEFAULT_SQLITE_PATH}`
  return redactUrl(url)
}
