import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS, NEW_CONTACT } from '../../src/domain/index.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { fileClose } from '../../src/store/kysely/window-closes.js'
import type { Store } from '../../src/store/store.js'
import { channel, CONTACT_ID, contactRecord, T0, tenant, windowRecord } from './records.js'

/**
 * Announced closes are filed in `window_closes` instead of marking the window row (src/store/kysely/window-closes.ts).
 * The store contract covers what a claim means on both databases; these tests check what SQLite writes for it,
 * behind the store's back — SQLite also removes a spent close at once, where PostgreSQL leaves it to the prune.
 */
describe('SQLite window closes', () => {
  let directory: string
  let path: string
  let store: Store
  let channelId: string
  const opened = { ...NEW_CONTACT, lastUserMessageAt: T0, openedAt: T0, windowsOpened: 1, asOf: T0 }
  const closesAt = T0 + DAY_MS

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-closes-'))
    path = join(directory, 'carewindow.db')
    store = await openSqliteStore({ path })
    await store.upsertTenant(tenant())
    channelId = (await store.upsertChannel(channel())).id
  })
  afterEach(async () => {
    await store.close()
    await rm(directory, { recursive: true, force: true })
  })

  /** Reads the database as another process would. */
  function read<T>(sql: string, ...parameters: unknown[]): T[] {
    const connection = new BetterSqlite3(path, { readonly: true })
    try {
      return connection.prepare(sql).all(...parameters) as T[]
    } finally {
      connection.close()
    }
  }

  const announceOpen = (expiresAt: number) =>
    store.saveWindowWithJobs(windowRecord(channelId, CONTACT_ID, expiresAt, opened), [], T0, {
      state: 'open',
      expiresAt,
    })

  it('files a claimed close beside the window, leaving the window row as it was', async () => {
    await announceOpen(closesAt - HOUR_MS)
    const before = read('select * from windows')

    expect(await store.claimClosedAnnouncement(channelId, CONTACT_ID, closesAt)).toBe(true)

    expect(read('select * from windows')).toEqual(before)
    expect(read('select * from window_closes')).toEqual([
      {
        announced_expires_at: closesAt - HOUR_MS,
        channel_id: channelId,
        contact_id: CONTACT_ID,
        expires_at: closesAt,
      },
    ])
    expect((await store.lockContactWindow(contactRecord(channelId))).announced).toEqual({
      state: 'closed',
      expiresAt: closesAt,
    })
  })

  it('keeps at most one close per window: announcing the window anew removes the one filed', async () => {
    for (let day = 0; day < 3; day++) {
      await announceOpen(closesAt + day * DAY_MS)
      expect(await store.claimClosedAnnouncement(channelId, CONTACT_ID, closesAt + day * DAY_MS)).toBe(true)
      expect(read('select expires_at from window_closes')).toEqual([{ expires_at: closesAt + day * DAY_MS }])
    }
    await announceOpen(closesAt + 3 * DAY_MS)
    expect(read('select * from window_closes')).toEqual([])
    expect((await store.lockContactWindow(contactRecord(channelId))).announced).toEqual({
      state: 'open',
      expiresAt: closesAt + 3 * DAY_MS,
    })
  })

  it('reads a window marked closed on its row (before migration 0021) as announced closed, and claims it no more', async () => {
    await announceOpen(closesAt)
    const connection = new BetterSqlite3(path)
    try {
      connection
        .prepare("update windows set announced = 'closed' where channel_id = ? and contact_id = ?")
        .run(channelId, CONTACT_ID)
    } finally {
      connection.close()
    }

    expect(await store.claimClosedAnnouncement(channelId, CONTACT_ID, closesAt)).toBe(false)
    expect(read('select * from window_closes')).toEqual([])
    expect((await store.lockContactWindow(contactRecord(channelId))).announced).toEqual({
      state: 'closed',
      expiresAt: closesAt,
    })
  })

  it('finds each claimed window by its key, not by scanning the table of windows', () => {
    const plan = read<{ detail: string }>(
      `explain query plan ${fileClose(2).sqlite}`,
      ...[channelId, CONTACT_ID, closesAt, channelId, '31600000002', closesAt],
    )
    const details = plan.map((row) => row.detail)
    expect(details.some((detail) => /SEARCH w USING (INDEX|PRIMARY KEY)/.test(detail))).toBe(true)
    expect(details.some((detail) => /SCAN w\b/.test(detail))).toBe(false)
  })
})
