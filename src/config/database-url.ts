/** The database a URL names: a PostgreSQL server, or a SQLite file. */
export type DatabaseLocation =
  { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'sqlite'; readonly path: string }

/** The database URLs carewindow understands, for messages. */
export const SUPPORTED_DATABASE_URLS =
  'postgres://… (or postgresql://…) for PostgreSQL, or sqlite:PATH (or a plain file path, no scheme) for SQLite'

// A URL scheme (RFC 3986). One letter before `:\` or `:/` is a Windows drive, not a scheme.
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/
const WINDOWS_DRIVE = /^[a-zA-Z]:[\\/]/

/**
 * Reads a database URL: `postgres://…` / `postgresql://…`, `sqlite:PATH` (also `sqlite://PATH`), or a plain path.
 * Any other scheme — `mysql://`, a misspelt `postgress://`, `http://` — is `null`: taken for a file name, it would
 * silently become a new SQLite database.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation | null {
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url }
  if (url.startsWith('sqlite:'))
    return { kind: 'sqlite', path: url.slice('sqlite:'.length).replace(/^\/\//, '') }
  if (SCHEME.test(url) && !WINDOWS_DRIVE.test(url)) return null
  return { kind: 'sqlite', path: url }
}
