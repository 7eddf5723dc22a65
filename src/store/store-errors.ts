/**
 * Whether an error means the database cannot be used right now — it is down, unreachable, restarting, out of
 * connections, locked or out of space — rather than that the query or the code is wrong. Such a request is answered
 * 503 with `Retry-After` (Meta retries webhooks, clients retry sends), never 500.
 *
 * PostgreSQL (pg): SQLSTATE class 08 (connection exceptions), 57P01–57P03 (the server is shutting down or
 * starting), 53300 (too many connections); network errors (refused, reset, timed out, host unreachable); the pool's
 * "timeout exceeded when trying to connect" and pg's "Connection terminated …"; a prepared statement whose table a
 * migration changed ("cached plan must not change result type", prepared afresh on the next try). SQLite
 * (better-sqlite3): SQLITE_BUSY (another process holds the lock past the busy timeout), SQLITE_IOERR_*, SQLITE_FULL,
 * SQLITE_CANTOPEN, SQLITE_READONLY_*.
 */
export function isStoreUnavailable(error: unknown): boolean {
  return causesOf(error).some(isUnavailableCause)
}

const POSTGRES_STATES = new Set(['57P01', '57P02', '57P03', '53300'])
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
const SQLITE_CODES = /^SQLITE_(BUSY|IOERR|FULL|CANTOPEN|READONLY)(_|$)/
const POSTGRES_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  // A prepared statement planned before a migration changed its table: prepared afresh on the next try
  // (postgres/prepared-statements.ts).
  /^cached plan must not change result type$/,
]

function isUnavailableCause(error: object): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (/^08[0-9A-Z]{3}$/.test(code) || POSTGRES_STATES.has(code)) return true
    if (NETWORK_CODES.has(code) || SQLITE_CODES.test(code)) return true
  }
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && POSTGRES_MESSAGES.some((pattern) => pattern.test(message))
}

/** The error, what caused it, and — for an AggregateError (a connection tried on IPv6 and IPv4) — its parts. */
function causesOf(error: unknown): object[] {
  const found: object[] = []
  const queue: unknown[] = [error]
  while (queue.length > 0 && found.length < 16) {
    const next = queue.shift()
    if (typeof next !== 'object' || next === null || found.includes(next)) continue
    found.push(next)
    queue.push((next as { cause?: unknown }).cause)
    if (next instanceof AggregateError) queue.push(...(next.errors as unknown[]))
  }
  return found
}
