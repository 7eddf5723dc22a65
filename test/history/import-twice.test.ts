import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/main.js'
import { writeHistoryFile } from '../support/history-generator.js'
import { historyState, type HistoryState } from '../support/history-state.js'
import {
  createE2eDatabase,
  PHONE_NUMBER_ID,
  type Dialect,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { carewindow, historyConfig, PAGE_ID, scratchDirectory } from './history-setup.js'

const NOTIFICATIONS = 10_000

describe.each<Dialect>(['sqlite', 'postgres'])('carewindow import on %s', { timeout: 180_000 }, (dialect) => {
  let scratch: Awaited<ReturnType<typeof scratchDirectory>>
  let database: E2eDatabase
  let config: string
  let file: string

  beforeAll(async () => {
    scratch = await scratchDirectory()
    database = await createE2eDatabase(dialect)
    config = join(scratch.path, 'carewindow.json')
    await writeFile(config, JSON.stringify(historyConfig(database.url)))
    file = join(scratch.path, 'history.jsonl')
    await writeHistoryFile(file, {
      notifications: NOTIFICATIONS,
      phoneNumberId: PHONE_NUMBER_ID,
      pageId: PAGE_ID,
      contacts: 400,
      startAt: Date.UTC(2025, 8, 1),
    })
  })

  afterAll(async () => {
    await database.destroy()
    await scratch.remove()
  })

  it('importing 10,000 notifications twice leaves exactly the state importing them once does', async () => {
    const first = await carewindow('import', file, '--config', config)
    expect(first.stderr).not.toContain('history.jsonl:')
    expect(first.code).toBe(EXIT.ok)
    expect(first.stdout).toContain('10,000 notifications imported, 0 duplicates')
    const once: HistoryState = await historyState(database.url)
    expect(once.counts).toMatchObject({
      imported: NOTIFICATIONS,
      notifications: NOTIFICATIONS,
      unprocessed: 0,
    })
    // Customers' messages (WhatsApp and Messenger), and the sends their statuses speak of.
    expect(once.messages.length).toBe(6_000 + 2_500)
    expect(once.windows.length).toBeGreaterThan(0)
    expect(once.consent.length).toBeGreaterThan(0)

    const second = await carewindow('import', file, '--config', config)
    expect(second.code).toBe(EXIT.ok)
    expect(second.stdout).toContain('0 notifications imported, 10,000 duplicates')
    expect(await historyState(database.url)).toEqual(once)
  })

  it('relays nothing and announces nothing to the business, and schedules nothing for windows long closed', async () => {
    const state = await historyState(database.url)
    expect(state.counts).toMatchObject({ deliveries: 0, jobs: 0 })
  })
})
