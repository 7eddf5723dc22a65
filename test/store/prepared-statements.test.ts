import { afterEach, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { isStalePreparedStatement, PreparedStatements } from '../../src/store/postgres/prepared-statements.js'
import { isStoreUnavailable } from '../../src/store/store-errors.js'
import type { Store } from '../../src/store/store.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'
import { tenant, TENANT_ID } from './records.js'

const STALE = Object.assign(new Error('cached plan must not change result type'), { code: '0A000' })

describe('PreparedStatements: which statements are named', () => {
  it('names a text with parameters the second time it is seen, under the same name from then on', () => {
    const prepared = new PreparedStatements()
    expect(prepared.nameOf('select * from t where id = $1', 1)).toBeUndefined()
    const name = prepared.nameOf('select * from t where id = $1', 1)
    expect(name).toMatch(/^cw0_[0-9a-f]{24}$/)
    expect(prepared.nameOf('select * from t where id = $1', 1)).toBe(name)
    expect(prepared.nameOf('select * from t where id = $2', 1)).toBeUndefined()
  })

  it('never names a text without parameters (begin, commit, a migration)', () => {
    const prepared = new PreparedStatements()
    for (let i = 0; i < 3; i++) expect(prepared.nameOf('commit', 0)).toBeUndefined()
  })

  it('names at most its bound of texts, so texts that vary cannot fill the server', () => {
    const prepared = new PreparedStatements(2)
    const texts = ['a = $1', 'b = $1', 'c = $1']
    for (const text of texts) prepared.nameOf(text, 1)
    expect(texts.map((text) => prepared.nameOf(text, 1) !== undefined)).toEqual([true, true, false])
  })

  it('still names a text that comes after a burst of one-off texts, and keeps the names given', () => {
    const prepared = new PreparedStatements(2)
    prepared.nameOf('hot = $1', 1)
    const hot = prepared.nameOf('hot = $1', 1)
    for (let i = 0; i < 20; i++) prepared.nameOf(`once_${i} = $1`, 1)
    prepared.nameOf('late = $1', 1)
    expect(prepared.nameOf('late = $1', 1)).toMatch(/^cw0_/)
    expect(prepared.nameOf('hot = $1', 1)).toBe(hot)
  })

  it('gives every text a new name after PostgreSQL refused a stale plan, and only then', () => {
    const prepared = new PreparedStatements()
    prepared.nameOf('a = $1', 1)
    const before = prepared.nameOf('a = $1', 1)
    expect(prepared.failed(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false)
    expect(prepared.nameOf('a = $1', 1)).toBe(before)
    expect(prepared.failed(STALE)).toBe(true)
    expect(prepared.nameOf('a = $1', 1)).toBeUndefined()
    const after = prepared.nameOf('a = $1', 1)
    expect(after).toMatch(/^cw1_/)
    expect(after).not.toBe(before)
  })

  it('counts a stale plan as a passing failure: the next try prepares afresh', () => {
    expect(isStalePreparedStatement(STALE)).toBe(true)
    expect(isStoreUnavailable(STALE)).toBe(true)
  })
})

describe('prepared statements on PostgreSQL', () => {
  const stores: Store[] = []
  const schemas: string[] = []

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
    await Promise.all(schemas.splice(0).map(dropSchema))
  })

  async function open(preparedStatements: boolean): Promise<{ store: Store; schema: string }> {
    const schema = uniqueSchemaName()
    schemas.push(schema)
    const store = await openPostgresStore({ url: postgresUrl(), schema, poolSize: 1, preparedStatements })
    stores.push(store)
    await store.upsertTenant(tenant())
    return { store, schema }
  }

  /** The tenant read in a transaction, as a webhook's relay reads it. */
  function tenantInTransaction(store: Store): Promise<string | undefined> {
    return store.transaction(async (tx) => (await tx.getTenant(TENANT_ID))?.id)
  }

  /** A migration of another instance: `select * from tenants` has another column now. */
  async function addColumn(schema: string, column: string): Promise<void> {
    await withPostgresClient((client) =>
      client.query(`alter table ${quoteSchema(schema)}.tenants add column ${column} text`),
    )
  }

  it('a statement prepared before a migration changed its table fails its transaction once, then is prepared afresh', async () => {
    const { store, schema } = await open(true)
    for (let i = 0; i < 3; i++) expect(await tenantInTransaction(store)).toBe(TENANT_ID)
    await addColumn(schema, 'added_later')
    const failure = await tenantInTransaction(store).then(
      () => null,
      (error: unknown) => error,
    )
    // Only a prepared statement fails this way: the failure shows the statement was prepared.
    expect(isStalePreparedStatement(failure)).toBe(true)
    expect(isStoreUnavailable(failure)).toBe(true)
    for (let i = 0; i < 3; i++) expect(await tenantInTransaction(store)).toBe(TENANT_ID)
  })

  it('outside a transaction the statement is prepared afresh at once, and the caller never sees the failure', async () => {
    const { store, schema } = await open(true)
    for (let i = 0; i < 3; i++) expect((await store.getTenant(TENANT_ID))?.id).toBe(TENANT_ID)
    await addColumn(schema, 'added_later')
    expect((await store.getTenant(TENANT_ID))?.id).toBe(TENANT_ID)
    await addColumn(schema, 'added_after_that')
    expect((await store.getTenant(TENANT_ID))?.id).toBe(TENANT_ID)
  })

  it('with prepared statements off (a pooler that does not keep them) nothing is prepared, so nothing goes stale', async () => {
    const { store, schema } = await open(false)
    for (let i = 0; i < 3; i++) expect(await tenantInTransaction(store)).toBe(TENANT_ID)
    await addColumn(schema, 'added_later')
    expect(await tenantInTransaction(store)).toBe(TENANT_ID)
  })
})
