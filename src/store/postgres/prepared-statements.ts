import { sha256Hex } from '../../shared/ids.js'

/**
 * Which statements go to PostgreSQL as named prepared statements: a statement sent unnamed is parsed and planned
 * on every call, and planning was 40 % of the database's time for an inbound message's fused statement (0.171 ms
 * planning against 0.245 ms executing, `pg_stat_statements` with `track_planning`). Named, each connection parses
 * it once and reuses the parse (and, where PostgreSQL finds it no worse, the plan), and the client sends the
 * statement's text once per connection instead of with every call.
 *
 * A text is named the second time it is seen with parameters, so one-off statements (a migration, an operator's
 * report) are never kept on the server; and at most {@link MAX_NAMED} texts are named, so statements whose text
 * varies (an `in` list of as many values as a request brought) cannot grow the server's memory for ever. Off for
 * a connection pooler that hands each transaction another server connection (PgBouncer in transaction mode before
 * 1.21): a statement prepared on one would not exist on the next (`database.prepared_statements: false`).
 */
export class PreparedStatements {
  /** Texts seen once, and the names given to those seen again. */
  private readonly seen = new Map<string, string | null>()
  private named = 0
  /** Bumped when PostgreSQL refuses a prepared statement's plan: every text is prepared afresh under a new name. */
  private generation = 0

  constructor(private readonly maxNamed = MAX_NAMED) {}

  /** The name to send `text` under, or `undefined` to send it unnamed. */
  nameOf(text: string, parameterCount: number): string | undefined {
    if (parameterCount === 0) return undefined
    const name = this.seen.get(text)
    if (name !== undefined) {
      if (name !== null) return name
      if (this.named >= this.maxNamed) return undefined
      const given = `cw${this.generation}_${sha256Hex(text).slice(0, 24)}`
      this.seen.set(text, given)
      this.named++
      return given
    }
    // Past the bound, the texts seen only once so far are forgotten (the named ones are kept), so a burst of
    // one-off texts never keeps a statement seen later from being named.
    if (this.seen.size >= this.maxNamed * 4)
      for (const [seenText, seenName] of this.seen) if (seenName === null) this.seen.delete(seenText)
    this.seen.set(text, null)
    return undefined
  }

  /**
   * After a query under a prepared statement failed: when PostgreSQL refused the statement's plan — a migration
   * changed a table the statement reads with `*`, so its result has other columns now — every name is given
   * anew, so the next call prepares the statement again instead of failing the same way on this connection for
   * ever. Returns whether that was the failure.
   */
  failed(error: unknown): boolean {
    if (!isStalePreparedStatement(error)) return false
    this.generation++
    this.seen.clear()
    this.named = 0
    return true
  }
}

/** Distinct texts named per process: carewindow's own hot statements are a few dozen. */
export const MAX_NAMED = 256

/** PostgreSQL refused a prepared statement's plan: its result type changed ({@link PreparedStatements.failed}). */
export function isStalePreparedStatement(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown }
  return code === '0A000' && typeof message === 'string' && message.startsWith('cached plan must not change')
}
