import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'
import { ensureSandbox, SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT } from './bootstrap.js'
import { hashApiKey } from '../shared/ids.js'

const clock = () => Date.parse('2025-09-01T09:00:00Z')

describe('ensureSandbox', () => {
  let directory: string
  let keyFile: string
  let store: Store

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-sandbox-'))
    keyFile = join(directory, 'data', 'sandbox.json')
    store = await openSqliteStore({ path: ':memory:' })
  })
  afterEach(async () => {
    await store.close()
    await rm(directory, { recursive: true, force: true })
  })

  const addTenant = (id: string) =>
    store.upsertTenant({ id, name: id, webhookUrl: null, webhookSecret: null, createdAt: clock() })

  it('creates the sandbox on a first start, keeping its key in the key file (mode 600)', async () => {
    const sandbox = await ensureSandbox(store, clock, keyFile)
    expect(sandbox).toMatchObject({
      tenantId: SANDBOX_TENANT,
      channel: { externalId: SANDBOX_PHONE_NUMBER_ID, upstream: { mode: 'sandbox' } },
      keyFile,
      isNew: true,
    })
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toEqual({ api_key: sandbox?.apiKey })
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    expect(await store.findApiKey(hashApiKey(sandbox?.apiKey ?? ''))).toMatchObject({
      tenantId: SANDBOX_TENANT,
    })
  })

  it('shows the same key at later starts', async () => {
    const first = await ensureSandbox(store, clock, keyFile)
    const later = await ensureSandbox(store, clock, keyFile)
    expect(later).toMatchObject({ apiKey: first?.apiKey, isNew: false })
  })

  it('still shows the sandbox after another tenant was added (carewindow tenant add, or the config file)', async () => {
    const first = await ensureSandbox(store, clock, keyFile)
    await addTenant('acme')
    expect(await ensureSandbox(store, clock, keyFile)).toMatchObject({ apiKey: first?.apiKey, isNew: false })
    expect(await ensureSandbox(store, clock, keyFile, { mayCreate: false })).toMatchObject({
      apiKey: first?.apiKey,
      isNew: false,
    })
  })

  it('creates no sandbox next to tenants that were there first, or when tenants are configured', async () => {
    expect(await ensureSandbox(store, clock, keyFile, { mayCreate: false })).toBeNull()
    await addTenant('acme')
    expect(await ensureSandbox(store, clock, keyFile)).toBeNull()
    expect((await store.listTenants()).map((tenant) => tenant.id)).toEqual(['acme'])
  })

  it('gives the sandbox a new key when its key file was lost', async () => {
    const first = await ensureSandbox(store, clock, keyFile)
    await rm(keyFile)
    const again = await ensureSandbox(store, clock, keyFile)
    expect(again).toMatchObject({ isNew: true, channel: { id: first?.channel.id } })
    expect(again?.apiKey).not.toBe(first?.apiKey)
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toEqual({ api_key: again?.apiKey })
  })
})
