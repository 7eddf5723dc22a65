import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pino from 'pino'
import { afterEach, beforeEach } from 'vitest'
import { Inbox, type InboxOptions, type NotificationHandler } from '../../src/gateway/webhooks/inbox.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Store } from '../../src/store/store.js'

/** When the inbox tests' notifications were received, and where their clock starts. */
export const AT = Date.parse('2025-09-01T10:00:00Z')

/** A stored notification as the inbox left it. */
export interface StoredNotification {
  readonly id: number
  readonly processed: boolean
  readonly error: string | null
  readonly isDead: boolean
}

/** A fresh SQLite store per test, the inbox's clock, and ways to fill the inbox and read what it did. */
export interface InboxHarness {
  /** This test's store. */
  readonly store: Store
  /** The inbox's clock: tests move it on to make a failed notification's retry due. */
  now: number
  /** Stores notifications with these bodies (and subjects), as the webhook intake would. */
  readonly receive: (bodies: readonly string[], subjects?: readonly string[] | null) => Promise<number[]>
  /** Every stored notification, in id order, read from the database file itself. */
  readonly stored: () => StoredNotification[]
  /** An inbox over the test store on the test's clock, unpaced unless `options` pace it, logging nothing. */
  readonly inboxWith: (handler: NotificationHandler, options?: Partial<InboxOptions>) => Inbox
  /** A handler that only counts what it is given. */
  readonly counting: (count: () => void) => NotificationHandler
  /** Processes what is stored, `polls` times over, as the inbox's poll timer would. */
  readonly poll: (inbox: Inbox, polls: number) => Promise<void>
}

/** The harness of a describe block: opens a store before each test and removes it after. */
export function inboxHarness(): InboxHarness {
  let directory = ''
  let path = ''
  let store: Store | undefined

  beforeEach(async () => {
    harness.now = AT
    directory = await mkdtemp(join(tmpdir(), 'carewindow-inbox-'))
    path = join(directory, 'inbox.db')
    store = await openSqliteStore({ path })
  })

  afterEach(async () => {
    await store?.close()
    store = undefined
    await rm(directory, { recursive: true, force: true })
  })

  const harness: InboxHarness = {
    get store(): Store {
      if (store === undefined) throw new Error('the inbox harness has a store only inside a test')
      return store
    },
    now: AT,
    receive: (bodies, subjects = []) =>
      harness.store.insertNotifications(
        bodies.map((body) => ({
          platform: 'whatsapp',
          body,
          signature: 'sha256=00',
          receivedAt: AT,
          subjects,
        })),
      ),
    stored: () => {
      const database = new BetterSqlite3(path, { readonly: true })
      try {
        const rows = database
          .prepare('select id, processed_at, error, dead_at from webhook_notifications order by id')
          .all() as {
          id: number
          processed_at: number | null
          error: string | null
          dead_at: number | null
        }[]
        return rows.map((row) => ({
          id: row.id,
          processed: row.processed_at !== null,
          error: row.error,
          isDead: row.dead_at !== null,
        }))
      } finally {
        database.close()
      }
    },
    inboxWith: (handler, options = {}) =>
      new Inbox(harness.store, () => harness.now, handler, pino({ level: 'silent' }), options),
    counting: (count) => () => {
      count()
      return Promise.resolve()
    },
    poll: async (inbox, polls) => {
      for (let round = 0; round < polls; round++) {
        inbox.kick()
        await inbox.drain()
      }
    },
  }
  return harness
}
