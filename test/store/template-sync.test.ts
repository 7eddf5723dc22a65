import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { graphPassthrough, type GraphPassthrough } from '../../src/channels/graph-passthrough.js'
import { HOUR_MS, type Template } from '../../src/domain/index.js'
import { syncChannelTemplates } from '../../src/gateway/templates/template-sync.js'
import type { ChannelRecord, Store } from '../../src/store/store.js'
import { FakeGraph } from '../support/fake-graph.js'
import { FakeGraphTemplates } from '../support/fake-graph-templates.js'
import { channel, T0, template, tenant } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const WABA_ID = '102290129340398'
const TOKEN = 'EAAGsyncTestToken'

/** Meta's list entry for a plain template, `status` and `category` as Meta says. */
function listed(name: string, status = 'APPROVED', category = 'UTILITY', language = 'en') {
  return {
    name,
    language,
    status,
    category,
    components: [{ type: 'BODY', text: `The ${name.replace(/_/g, ' ')} of order {{1}}.` }],
  }
}

/** carewindow's template of the same entry. */
function known(name: string, overrides: Partial<Template> = {}): Template {
  return template({ name, body: `The ${name.replace(/_/g, ' ')} of order {{1}}.`, ...overrides })
}

/** A sync as the gateway runs it, on every store: the list read from the fake Graph, the registry written. */
for (const dialect of DIALECTS) {
  describe(`template sync with Meta on ${dialect.name}`, { timeout: 30_000 }, () => {
    let database: TestDatabase | undefined
    let store: Store
    let graph: FakeGraph
    let templates: FakeGraphTemplates
    let passthrough: GraphPassthrough
    let whatsapp: ChannelRecord
    let now = T0

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
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
      graph.reset()
      templates = new FakeGraphTemplates(graph)
      templates.pageSize = 2
      now = T0
      await store.upsertTenant(tenant())
      whatsapp = await store.upsertChannel(
        channel({ wabaId: WABA_ID, upstream: { mode: 'cloud', baseUrl: graph.url, accessToken: TOKEN } }),
      )
    })

    const sync = (target: ChannelRecord = whatsapp) =>
      syncChannelTemplates({ store, clock: () => now, passthroughFor: () => passthrough }, target)

    it('adds every template Meta lists, reading page after page with the channel’s token', async () => {
      for (const name of ['a_notice', 'b_notice', 'c_notice', 'd_notice', 'e_notice'])
        templates.add(WABA_ID, listed(name, name === 'e_notice' ? 'PENDING' : 'APPROVED'))

      const result = await sync()

      expect(result).toMatchObject({
        outcome: 'synced',
        added: 5,
        updated: 0,
        unchanged: 0,
        removed: 0,
        pages: 3,
      })
      const cursors = templates.calls.map((call) => call.query.after)
      expect(cursors[0]).toBeUndefined()
      expect(cursors[1]).toEqual(expect.any(String))
      expect(cursors[2]).not.toBe(cursors[1])
      expect(templates.calls[0]?.query).toMatchObject({
        limit: '100',
        fields: expect.stringContaining('components') as string,
      })
      expect(new Set(templates.calls.map((call) => call.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]))
      const stored = await store.listTemplates(whatsapp.id)
      expect(stored.map((each) => [each.name, each.status])).toEqual([
        ['a_notice', 'APPROVED'],
        ['b_notice', 'APPROVED'],
        ['c_notice', 'APPROVED'],
        ['d_notice', 'APPROVED'],
        ['e_notice', 'PENDING'],
      ])
    })

    it('takes Meta’s status and category for known templates, keeping their tag and recording the re-categorisation', async () => {
      const tagged = known('ticket_update', { issueResolution: true, libraryKey: 'ticket_update' })
      await store.upsertTemplates(whatsapp.id, [tagged, known('order_notice')], T0)
      templates.add(WABA_ID, listed('ticket_update', 'PAUSED', 'MARKETING'))
      templates.add(WABA_ID, listed('order_notice'))
      now = T0 + HOUR_MS

      const result = await sync()

      expect(result).toMatchObject({ outcome: 'synced', added: 0, updated: 1, unchanged: 1, removed: 0 })
      expect(await store.getTemplate(whatsapp.id, 'ticket_update', 'en')).toEqual({
        ...tagged,
        status: 'PAUSED',
        category: 'MARKETING',
        categoryChanges: [{ at: T0 + HOUR_MS, previous: 'UTILITY' }],
      })
    })

    it('marks the templates Meta no longer lists DELETED instead of keeping them approved', async () => {
      await store.upsertTemplates(whatsapp.id, [known('kept'), known('gone'), known('gone_before')], T0)
      await store.upsertTemplate(whatsapp.id, known('gone_before', { status: 'DELETED' }), T0)
      templates.add(WABA_ID, listed('kept'))

      const result = await sync()

      expect(result).toMatchObject({ outcome: 'synced', added: 0, updated: 0, unchanged: 1, removed: 1 })
      const stored = await store.listTemplates(whatsapp.id)
      expect(stored.map((each) => [each.name, each.status])).toEqual([
        ['gone', 'DELETED'],
        ['gone_before', 'DELETED'],
        ['kept', 'APPROVED'],
      ])
    })

    it('changes nothing when synced again with nothing new on Meta’s side', async () => {
      await store.upsertTemplates(whatsapp.id, [known('old_one'), known('changed')], T0)
      templates.add(WABA_ID, listed('changed', 'PAUSED'))
      templates.add(WABA_ID, listed('new_one'))
      await sync()
      const afterFirst = await store.listTemplates(whatsapp.id)
      now = T0 + HOUR_MS

      const again = await sync()

      expect(again).toMatchObject({ outcome: 'synced', added: 0, updated: 0, unchanged: 2, removed: 0 })
      expect(await store.listTemplates(whatsapp.id)).toEqual(afterFirst)
    })

    it('changes nothing at all when a page fails, and says which page and what Graph answered', async () => {
      const before = [known('first'), known('second'), known('third')]
      await store.upsertTemplates(whatsapp.id, before, T0)
      for (const name of ['first', 'second', 'fourth']) templates.add(WABA_ID, listed(name, 'PAUSED'))
      templates.failListCall(2, 500)

      const result = await sync()

      expect(result).toEqual({
        outcome: 'failed',
        wabaId: WABA_ID,
        reason: `page 2 of ${WABA_ID}'s message_templates: Graph answered 500: An unexpected error has occurred. Please retry your request later.; nothing was changed`,
      })
      expect(await store.listTemplates(whatsapp.id)).toEqual(before)
    })

    it('says so when Graph cannot be reached, and changes nothing', async () => {
      await store.upsertTemplates(whatsapp.id, [known('first')], T0)
      const unreachable = {
        ...whatsapp,
        upstream: { mode: 'cloud' as const, baseUrl: 'http://127.0.0.1:9', accessToken: TOKEN },
      }

      const result = await sync(unreachable)

      expect(result).toMatchObject({
        outcome: 'failed',
        reason: expect.stringContaining('127.0.0.1:9 did not answer') as string,
      })
      expect(await store.listTemplates(whatsapp.id)).toEqual([known('first')])
    })

    it('leaves a template it cannot read as it is, and lists it as skipped', async () => {
      await store.upsertTemplates(whatsapp.id, [known('summer_carousel')], T0)
      templates.add(WABA_ID, {
        ...listed('summer_carousel'),
        components: [
          { type: 'BODY', text: 'Summer!' },
          { type: 'CAROUSEL', cards: [] },
        ],
      })

      const result = await sync()

      expect(result).toMatchObject({
        outcome: 'synced',
        removed: 0,
        skipped: [
          { name: 'summer_carousel', language: 'en', reason: expect.stringContaining('CAROUSEL') as string },
        ],
      })
      expect(await store.listTemplates(whatsapp.id)).toEqual([known('summer_carousel')])
    })

    it('asks nothing of Meta for a channel without a waba_id, and says how to set one', async () => {
      const result = await sync({ ...whatsapp, wabaId: null })

      expect(result).toMatchObject({
        outcome: 'no_account',
        reason: expect.stringContaining('--waba-id') as string,
      })
      expect(templates.calls).toEqual([])
    })
  })
}
