import { CompiledQuery, type Kysely, type QueryResult } from 'kysely'
import type { SqlDialect } from './migrations/migrations.js'

export type SqlValue = string | number | null

/** SQL text per dialect, written once with `?` placeholders (PostgreSQL's are numbered). */
export interface Statement {
  readonly sqlite: string
  readonly postgres: string
}

export function statement(text: string): Statement {
  let index = 0
  return { sqlite: text, postgres: text.replace(/\?/g, () => `$${++index}`) }
}

/** `?, ?, ?` for `count` parameters. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ')
}

/** Runs a statement written out as SQL text on `db`, in the dialect's form. */
export function runStatement<R>(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  sql: Statement,
  parameters: readonly SqlValue[],
): Promise<QueryResult<R>> {
  return db.executeQuery<R>(CompiledQuery.raw(sql[dialect], parameters as SqlValue[]))
}
