import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { HistoryCursor, MessageRecord, Store } from '../../src/store/store.js'
import { channel, message, notification, T0, tenant } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

/** The HistoryStore's part of the Store contract: imported notifications, and walks through a channel's history. */
for (const dialect of DIALECTS) {
  describe(`the ${dialect.name} store's history`, () => {
    let database: TestDatabase | undefined
    let store: Store

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
    })
    afterAll(async () => {
      await database?.destroy()
    })
    beforeEach(async () => {
      await database?.empty()
    })

    it('finds the digests recorded as imported, and refuses to record one twice', async () => {
      const [id] = await store.insertNotifications([notification('{"object":"page","entry":[]}')])
      await store.recordImportedNotifications([{ digest: 'a'.repeat(64), notificationId: id ?? 0 }], T0)

      expect(await store.findImportedDigests(['a'.repeat(64), 'b'.repeat(64)])).toEqual(
        new Set(['a'.repeat(64)]),
      )
      expect(await store.findImportedDigests([])).toEqual(new Set())
      await expect(
        store.recordImportedNotifications([{ digest: 'a'.repeat(64), notificationId: id ?? 0 }], T0),
      ).rejects.toThrow()
    })

    it('finds digests beyond the parameters one statement may bind', async () => {
      const digests = Array.from({ length: 1_200 }, (_, index) => `digest-${index}`)
      await store.recordImportedNotifications(
        digests.map((digest, index) => ({ digest, notificationId: index })),
        T0,
      )
      expect((await store.findImportedDigests([...digests, 'unknown'])).size).toBe(1_200)
    })

    it("walks a channel's messages by contact, instant and id, page after page, and no other channel's", async () => {
      await store.upsertTenant(tenant())
      const own = await store.upsertChannel(channel())
      const other = await store.upsertChannel(channel({ id: 'ch_other', externalId: '109999999999999' }))
      const written: MessageRecord[] = []
      for (const [index, contactId] of ['31600000002', '31600000001', '31600000003'].entries())
        for (const at of [T0 + 2_000, T0, T0 + 1_000, T0 + 1_000])
          written.push(
            message(`msg_${contactId}_${at}_${written.length}`, own.id, { contactId, at: at + index }),
          )
      for (const record of written) await store.insertMessage(record)
      await store.insertMessage(message('msg_other', other.id))

      const walked: MessageRecord[] = []
      let after: HistoryCursor | null = null
      for (;;) {
        const page = await store.listChannelHistory(own.id, after, 5)
        walked.push(...page)
        const last = page.at(-1)
        if (last === undefined || page.length < 5) break
        after = { contactId: last.contactId, at: last.at, id: last.id }
      }
      const key = (record: MessageRecord) =>
        [record.contactId, String(record.at).padStart(16, '0'), record.id].join('|')
      expect(walked.map((record) => record.id)).toEqual(
        [...written].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((record) => record.id),
      )
    })
  })
}
