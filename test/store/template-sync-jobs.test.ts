import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { graphPassthrough, type GraphPassthrough } from '../../src/channels/graph-passthrough.js'
import { HOUR_MS, MINUTE_MS } from '../../src/domain/index.js'
import {
  FAILED_SYNC_RETRY_MS,
  scheduleStartSyncs,
  templateSyncHandler,
  templateSyncJobId,
  type TemplateSyncJobDependencies,
  type TemplateSyncSchedule,
} from '../../src/gateway/templates/template-sync-jobs.js'
import { JOB_KINDS } from '../../src/scheduler/jobs.js'
import { Scheduler } from '../../src/scheduler/scheduler.js'
import type { Store } from '../../src/store/store.js'
import { FakeGraph } from '../support/fake-graph.js'
import { FakeGraphTemplates } from '../support/fake-graph-templates.js'
import { channel, T0, tenant } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const WABA_ID = '102290129340398'
const SIX_HOURS: TemplateSyncSchedule = { onStart: true, intervalMs: 6 * HOUR_MS }
const silent = pino({ level: 'silent' })

/** The sync as timed work in the database: scheduled at start, run once by one of several instances, rescheduled. */
for (const dialect of DIALECTS) {
  describe(`template sync jobs on ${dialect.name}`, { timeout: 30_000 }, () => {
    let database: TestDatabase | undefined
    let store: Store
    let other: Store
    let graph: FakeGraph
    let templates: FakeGraphTemplates
    let passthrough: GraphPassthrough
    let now = T0

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
      other = await database.open()
      graph = await FakeGraph.start()
      passthrough = graphPassthrough(2_000)
    })
    afterAll(async () => {
      await passthrough.close()
      await graph.close()
      await database?.destroy()
    })
    beforeEach(async () => {
      await database?.empty()
      templates = new FakeGraphTemplates(graph)
      now = T0
      const cloud = { mode: 'cloud' as const, baseUrl: graph.url, accessToken: 'EAAGjobs' }
      await store.upsertTenant(tenant())
      await store.upsertChannel(channel({ wabaId: WABA_ID, upstream: cloud }))
      await store.upsertChannel(channel({ id: 'channel-2', externalId: '106540352242999', upstream: cloud }))
      templates.add(WABA_ID, {
        name: 'order_update',
        language: 'en',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Your order {{1}} has shipped.' }],
      })
    })

    const depsOn = (on: Store): TemplateSyncJobDependencies => ({
      store: on,
      clock: () => now,
      logger: silent,
      passthroughFor: () => passthrough,
      channelById: async (id) => (await on.listChannels()).find((each) => each.id === id),
    })

    it('schedules a sync due now for each channel with a waba_id at start, unless it synced moments ago', async () => {
      await scheduleStartSyncs(depsOn(store), SIX_HOURS)

      expect(await store.getJob(templateSyncJobId('channel-1'))).toMatchObject({
        dueAt: T0,
        status: 'pending',
      })
      expect(await store.getJob(templateSyncJobId('channel-2'))).toBeUndefined()

      // Synced a minute ago by another instance: its job waits an interval from then.
      await store.scheduleJob({ ...jobOf('channel-1'), dueAt: T0 - MINUTE_MS + SIX_HOURS.intervalMs }, T0)
      await scheduleStartSyncs(depsOn(store), SIX_HOURS)
      expect((await store.getJob(templateSyncJobId('channel-1')))?.dueAt).toBe(
        T0 - MINUTE_MS + SIX_HOURS.intervalMs,
      )

      await scheduleStartSyncs(depsOn(store), { ...SIX_HOURS, onStart: false })
      now = T0 + HOUR_MS
      await scheduleStartSyncs(depsOn(store), SIX_HOURS)
      expect((await store.getJob(templateSyncJobId('channel-1')))?.dueAt).toBe(T0 + HOUR_MS)
    })

    it('runs a due sync once among two instances, then again one interval later', async () => {
      await scheduleStartSyncs(depsOn(store), SIX_HOURS)
      const instances = [store, other].map(
        (on) =>
          new Scheduler(
            on,
            () => now,
            { [JOB_KINDS.templateSync]: templateSyncHandler(depsOn(on), SIX_HOURS) },
            silent,
          ),
      )

      const ran = await Promise.all(instances.map((instance) => instance.tick()))

      expect(ran.reduce((sum, count) => sum + count, 0)).toBe(1)
      expect(templates.calls).toHaveLength(1)
      expect((await store.listTemplates('channel-1')).map((each) => each.name)).toEqual(['order_update'])
      expect(await store.getJob(templateSyncJobId('channel-1'))).toMatchObject({
        status: 'pending',
        dueAt: T0 + SIX_HOURS.intervalMs,
      })
    })

    it('tries a failed sync again after the retry pause, without changing anything meanwhile', async () => {
      await scheduleStartSyncs(depsOn(store), SIX_HOURS)
      templates.failListCall(1)
      const scheduler = new Scheduler(
        store,
        () => now,
        { [JOB_KINDS.templateSync]: templateSyncHandler(depsOn(store), SIX_HOURS) },
        silent,
      )

      await scheduler.tick()

      expect(await store.listTemplates('channel-1')).toEqual([])
      expect((await store.getJob(templateSyncJobId('channel-1')))?.dueAt).toBe(T0 + FAILED_SYNC_RETRY_MS)
      now = T0 + FAILED_SYNC_RETRY_MS
      await scheduler.tick()
      expect(await store.listTemplates('channel-1')).toHaveLength(1)
    })

    it('finishes the job of a channel that lost its waba_id, and with no interval once it synced', async () => {
      await scheduleStartSyncs(depsOn(store), SIX_HOURS)
      const once = new Scheduler(
        store,
        () => now,
        { [JOB_KINDS.templateSync]: templateSyncHandler(depsOn(store), { onStart: true, intervalMs: 0 }) },
        silent,
      )

      await once.tick()

      expect(await store.getJob(templateSyncJobId('channel-1'))).toMatchObject({ status: 'done' })
      await store.upsertChannel({
        ...(await store.findChannel('whatsapp', '106540352242922'))!,
        wabaId: null,
      })
      await store.scheduleJob(jobOf('channel-1'), now)
      await once.tick()
      expect(await store.getJob(templateSyncJobId('channel-1'))).toMatchObject({ status: 'done' })
      expect(templates.calls).toHaveLength(1)
    })
  })
}

function jobOf(channelId: string) {
  return {
    id: templateSyncJobId(channelId),
    kind: JOB_KINDS.templateSync,
    channelId,
    contactId: '',
    dueAt: T0,
    payload: {},
  }
}
