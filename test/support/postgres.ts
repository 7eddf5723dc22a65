import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server of this test run, found by ./postgres-global-setup.ts. */
    postgresUrl: string
  }
}

/**
 * The test run's PostgreSQL (`CAREWINDOW_TEST_DATABASE_URL`, or the throwaway server the global setup
 * started). Suites and parallel workers share it: each suite works in a schema of its own
 * ({@link uniqueSchemaName}, created by `openPostgresStore({ url, schema })`) and drops it afterwards
 * ({@link dropSchema}); nothing writes to `public`.
 */
export function postgresUrl(): string {
  return inject('postgresUrl')
}

/** `cw_test_` and 64 random bits: a schema name no other suite or run will pick. */
export function uniqueSchemaName(): string {
  return `cw_test_${randomBytes(8).toString('hex')}`
}

/** Drops a test schema and everything in it (no error when it is already gone). */
export async function dropSchema(schema: string): Promise<void> {
  await withPostgresClient((client) => client.query(`drop schema if exists ${quoteSchema(schema)} cascade`))
}

/** Runs `work` with one connection to the test server, closed afterwards. */
export async function withPostgresClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl() })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** A schema name, quoted; only test schema names (lower case, digits, `_`) are accepted. */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a test schema name: ${schema}`)
  return `"${schema}"`
}
