import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY_SETTINGS, NEW_CONTACT } from '../../src/domain/index.js'
import { emitEvent, type EventInput } from '../../src/gateway/outbox/events.js'
import type { CommittedEvent, Store } from '../../src/store/store.js'
import { channel, CONTACT_ID, T0, tenant, TENANT_ID } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const opened = (key: string): EventInput => ({
  type: 'window.opened',
  channel: channel(),
  contactId: CONTACT_ID,
  key,
  state: NEW_CONTACT,
  settings: DEFAULT_POLICY_SETTINGS,
  at: T0,
})

for (const dialect of DIALECTS) {
  describe(`events for whoever hears them, on ${dialect.name}`, () => {
    let database: TestDatabase | undefined
    let store: Store

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
      await store.upsertTenant(tenant({ webhookUrl: null }))
      await store.upsertChannel(channel())
    })
    afterAll(async () => {
      await database?.destroy()
    })

    it('says whether anyone listens, from the root store and from its transactions', async () => {
      expect(store.isHeard).toBe(false)
      const stop = store.listen(() => undefined)
      expect(store.isHeard).toBe(true)
      await store.transaction((tx) => {
        expect(tx.isHeard).toBe(true)
        return Promise.resolve()
      })
      stop()
      expect(store.isHeard).toBe(false)
    })

    it('tells a listener an event of a tenant without a webhook URL, and queues no delivery either way', async () => {
      // Nobody listens and there is no webhook: nothing is told, nothing queued.
      expect(await store.transaction((tx) => emitEvent(tx, opened('unheard')))).toBeNull()
      const heard: CommittedEvent[] = []
      const stop = store.listen((event) => heard.push(event))
      expect(await store.transaction((tx) => emitEvent(tx, opened('heard')))).toBeNull()
      stop()
      expect(heard).toHaveLength(1)
      expect(heard[0]).toMatchObject({ tenantId: TENANT_ID, type: 'window.opened' })
      expect(JSON.parse(heard[0]?.payload ?? '{}')).toMatchObject({
        type: 'window.opened',
        contact_id: CONTACT_ID,
        window: { state: 'closed' },
      })
      expect(await store.countDeliveries('pending', TENANT_ID)).toBe(0)
    })

    it('queues the delivery of a tenant with a webhook URL whether or not anyone listens', async () => {
      await store.upsertTenant(tenant())
      const id = await store.transaction((tx) => emitEvent(tx, opened('delivered')))
      expect(id).toMatch(/^evt_/)
      expect((await store.listDeliveries(TENANT_ID, 10)).map((delivery) => delivery.id)).toEqual([id])
    })
  })
}
