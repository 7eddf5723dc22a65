import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/config/config.js'
import { openStore, redactDatabaseUrl } from '../../src/store/open-store.js'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { DEFAULT_SQLITE_PATH } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'
import { tenant, TENANT_ID } from './records.js'

describe('openStore', () => {
  const stores: Store[] = []
  const schemas: string[] = []
  let directory: string

  /** Opens a store that is closed after the test. */
  async function open(url: string, options?: { readonly migrate?: boolean }): Promise<Store> {
    const store = await openStore(url, options)
    stores.push(store)
    return store
  }

  /** A test schema of its own (dropped after the test), and a URL whose connections work in it. */
  async function schemaUrl(protocol: 'postgres:' | 'postgresql:'): Promise<{ schema: string; url: string }> {
    const schema = uniqueSchemaName()
    schemas.push(schema)
    await withPostgresClient((client) => client.query(`create schema ${quoteSchema(schema)}`))
    const url = new URL(postgresUrl())
    url.searchParams.set('options', `-c search_path=${schema}`)
    return { schema, url: url.href.replace(/^[a-z]+:/, protocol) }
  }

  async function tablesIn(schema: string): Promise<string[]> {
    const result = await withPostgresClient((client) =>
      client.query<{ table_name: string }>(
        'select table_name from information_schema.tables where table_schema = $1 order by table_name',
        [schema],
      ),
    )
    return result.rows.map((row) => row.table_name)
  }

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-open-store-'))
  })
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
    await Promise.all(schemas.splice(0).map(dropSchema))
    await rm(directory, { recursive: true, force: true })
  })

  it('opens SQLite at the path after `sqlite:`', async () => {
    const path = join(directory, 'nested', 'carewindow.db')

    const store = await open(`sqlite:${path}`)
    await store.upsertTenant(tenant())

    expect(store.dialect).toBe('sqlite')
    expect(existsSync(path)).toBe(true)
    expect(await store.getTenant(TENANT_ID)).toEqual(tenant())
  })

  it('opens SQLite at an absolute path written as `sqlite://` and the path', async () => {
    const path = join(directory, 'carewindow.db')

    const store = await open(`sqlite://${path}`)

    expect(store.dialect).toBe('sqlite')
    expect(existsSync(path)).toBe(true)
  })

  it('opens SQLite at a plain path', async () => {
    const path = join(directory, 'plain.db')

    const store = await open(path)
    await store.ping()

    expect(store.dialect).toBe('sqlite')
    expect(existsSync(path)).toBe(true)
  })

  it.each(['mysql://x', 'postgress://db/carewindow'])(
    'refuses %s rather than creating a SQLite file named after it',
    async (url) => {
      await expect(openStore(url)).rejects.toThrow(ConfigError)
      await expect(openStore(url)).rejects.toThrow('use postgres://… (or postgresql://…) for PostgreSQL')
      expect(existsSync(url.slice(0, url.indexOf(':') + 1))).toBe(false)
    },
  )

  it('leaves the database unmigrated when migrations are turned off', async () => {
    const store = await open(`sqlite:${join(directory, 'bare.db')}`, { migrate: false })

    await expect(store.ping()).rejects.toThrow(/no such table/)
  })

  it.each(['postgres:', 'postgresql:'] as const)(
    'opens PostgreSQL for a %s// URL and migrates the schema its connections use',
    async (protocol) => {
      const { schema, url } = await schemaUrl(protocol)

      const store = await open(url)
      await store.upsertTenant(tenant())

      expect(store.dialect).toBe('postgres')
      expect(await store.getTenant(TENANT_ID)).toEqual(tenant())
      expect(await tablesIn(schema)).toContain('tenants')
    },
  )

  it('migrates a PostgreSQL schema though another schema of the same database is migrated already', async () => {
    const migrated = uniqueSchemaName()
    schemas.push(migrated)
    stores.push(await openPostgresStore({ url: postgresUrl(), schema: migrated }))
    const { schema, url } = await schemaUrl('postgres:')

    const store = await open(url)

    await expect(store.ping()).resolves.toBeUndefined()
    expect(await tablesIn(schema)).toEqual(await tablesIn(migrated))
  })
})

describe('redactDatabaseUrl', () => {
  it.each([
    [
      'postgres://carewindow:s3cret@db.example:5432/carewindow',
      'postgres://carewindow:***@db.example:5432/carewindow',
    ],
    [
      'postgresql://app:p%40ss%3Aw0rd@10.0.0.5/cw?sslmode=require',
      'postgresql://app:***@10.0.0.5/cw?sslmode=***',
    ],
    ['postgres://app:pa:ss/w0rd@db.example/cw', 'postgres://app:***@db.example/cw'],
    ['postgres://db.example/cw?user=app&password=s3cret', 'postgres://db.example/cw?user=***&password=***'],
  ])('hides the password in %s', (url, redacted) => {
    expect(redactDatabaseUrl(url)).toBe(redacted)
  })

  it.each(['postgres://db.example/carewindow', 'sqlite:./data/other.db', '/var/lib/carewindow.db'])(
    'leaves %s, which has no credentials, as it is',
    (url) => {
      expect(redactDatabaseUrl(url)).toBe(url)
    },
  )

  it('names the embedded default when no URL is given', () => {
    expect(redactDatabaseUrl(undefined)).toBe(`sqlite:${DEFAULT_SQLITE_PATH}`)
    expect(redactDatabaseUrl('')).toBe(`sqlite:${DEFAULT_SQLITE_PATH}`)
  })
})
