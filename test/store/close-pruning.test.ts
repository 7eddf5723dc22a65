import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS, NEW_CONTACT } from '../../src/domain/index.js'
import {
  pruneClosesHandler,
  pruneClosesJobId,
  scheduleClosePrunes,
} from '../../src/gateway/contacts/close-pruning.js'
import { JOB_KINDS } from '../../src/scheduler/jobs.js'
import { createLogger } from '../../src/shared/logging.js'
import type { Store } from '../../src/store/store.js'
import { channel, contactRecord, T0, tenant, windowRecord } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const opened = { ...NEW_CONTACT, lastUserMessageAt: T0, openedAt: T0, windowsOpened: 1, asOf: T0 }
const CLOSES_AT = T0 + DAY_MS

for (const dialect of DIALECTS) {
  describe(`the daily prune of spent window closes (${dialect.name})`, () => {
    let database: TestDatabase
    let store: Store
    let channelId: string
    const logger = createLogger('silent')

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
      await store.upsertTenant(tenant())
      channelId = (await store.upsertChannel(channel())).id
    })
    afterAll(async () => {
      await database.destroy()
    })

    it('is scheduled at start for each channel, due now, and not again while it is pending', async () => {
      await scheduleClosePrunes({ store, clock: () => T0, logger })
      expect(await store.getJob(pruneClosesJobId(channelId))).toMatchObject({
        kind: JOB_KINDS.pruneCloses,
        status: 'pending',
        dueAt: T0,
      })
      await scheduleClosePrunes({ store, clock: () => T0 + 1_000, logger })
      expect((await store.getJob(pruneClosesJobId(channelId)))?.dueAt).toBe(T0)
    })

    it('removes the spent closes of windows announced open again, keeps the others, and runs again a day later', async () => {
      const contacts = Array.from({ length: 12 }, (_, n) => `316000001${String(n).padStart(2, '0')}`)
      for (const contactId of contacts) {
        await store.saveWindowWithJobs(windowRecord(channelId, contactId, CLOSES_AT, opened), [], T0, {
          state: 'open',
          expiresAt: CLOSES_AT,
        })
      }
      expect(
        await store.claimClosedAnnouncements(
          contacts.map((contactId) => ({ channelId, contactId, expiresAt: CLOSES_AT })),
        ),
      ).toEqual(contacts.map(() => true))
      // Half the customers wrote again: their closes are spent.
      const returned = contacts.slice(0, 6)
      for (const contactId of returned)
        await store.saveWindowWithJobs(
          windowRecord(channelId, contactId, CLOSES_AT + DAY_MS, opened),
          [],
          CLOSES_AT,
          {
            state: 'open',
            expiresAt: CLOSES_AT + DAY_MS,
          },
        )

      const job = await store.getJob(pruneClosesJobId(channelId))
      if (job === undefined) throw new Error('the prune job was not scheduled')
      const now = CLOSES_AT + 2 * DAY_MS
      expect(await pruneClosesHandler({ store, clock: () => now, logger })(job, now)).toEqual({
        done: false,
        runAt: now + DAY_MS,
      })

      expect(await store.pruneSpentCloses(channelId, now)).toBe(0)
      for (const contactId of contacts) {
        const { announced } = await store.lockContactWindow(contactRecord(channelId, contactId))
        expect(announced).toEqual(
          returned.includes(contactId)
            ? { state: 'open', expiresAt: CLOSES_AT + DAY_MS }
            : { state: 'closed', expiresAt: CLOSES_AT },
        )
      }
    })
  })
}
