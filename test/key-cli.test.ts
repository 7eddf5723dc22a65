import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../src/cli/main.js'
import { hashApiKey } from '../src/shared/ids.js'
import { openStore } from '../src/store/open-store.js'
import { createE2eDatabase, type E2eDatabase } from './support/test-gateway.js'
import { carewindow } from './support/run-cli.js'

describe.each(['sqlite', 'postgres'] as const)('carewindow key on %s', { timeout: 60_000 }, (dialect) => {
  let scratch: string
  let database: E2eDatabase
  let config: string

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'carewindow-keys-'))
    database = await createE2eDatabase(dialect)
    config = join(scratch, 'config.json')
    await writeFile(config, JSON.stringify({ database: { url: database.url } }))
    expect((await carewindow('tenant', 'add', '--id', 'acme', '--config', config)).code).toBe(EXIT.ok)
  })
  afterAll(async () => {
    await database.destroy()
    await rm(scratch, { recursive: true, force: true })
  })

  /** The role stored for a key the CLI printed. */
  async function storedRole(printed: string): Promise<string | undefined> {
    const store = await openStore(database.url)
    try {
      return (await store.findApiKey(hashApiKey(printed.trim())))?.role
    } finally {
      await store.close()
    }
  }

  it('creates admin keys unless told otherwise, read keys with --role read, and lists each key’s role', async () => {
    const admin = await carewindow('key', 'create', '--tenant', 'acme', '--name', 'crm', '--config', config)
    const reader = await carewindow(
      'key',
      'create',
      '--tenant',
      'acme',
      '--name',
      'dashboard',
      '--role',
      'read',
      '--config',
      config,
    )
    expect([admin.code, reader.code]).toEqual([EXIT.ok, EXIT.ok])
    expect(await storedRole(admin.stdout)).toBe('admin')
    expect(await storedRole(reader.stdout)).toBe('read')

    const list = await carewindow('key', 'list', '--tenant', 'acme', '--config', config)
    const rows = list.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'))
    expect(rows.map(([, , name, role, state]) => [name, role, state])).toEqual([
      ['crm', 'admin', 'active'],
      ['dashboard', 'read', 'active'],
    ])
  })

  it('refuses a role it does not know (exit 2), creating nothing', async () => {
    const before = (await carewindow('key', 'list', '--tenant', 'acme', '--config', config)).stdout
    const run = await carewindow('key', 'create', '--tenant', 'acme', '--role', 'owner', '--config', config)
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr).toContain('owner')
    expect(run.stderr).toContain('admin, read')
    expect(run.stdout).toBe('')
    expect((await carewindow('key', 'list', '--tenant', 'acme', '--config', config)).stdout).toBe(before)
  })
})
