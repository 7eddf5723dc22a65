import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HOUR_MS } from '../../src/domain/index.js'
import type { Store } from '../../src/store/store.js'
import { channel, T0, template, tenant } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

/** The TemplateStore's batch upsert, which a sync writes with: on every database alike. */
for (const dialect of DIALECTS) {
  describe(`the ${dialect.name} store's template upserts`, () => {
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
      await store.upsertTenant(tenant())
      await store.upsertChannel(channel())
      await store.upsertChannel(channel({ id: 'channel-2', externalId: '106540352242999' }))
    })

    // More than one statement's slice (200 rows), so the slicing is part of what is checked.
    const many = Array.from({ length: 450 }, (_, index) =>
      template({
        name: `template_${String(index).padStart(3, '0')}`,
        language: index % 2 === 0 ? 'en' : 'nl',
      }),
    )
    const byKey = (a: { name: string; language: string }, b: { name: string; language: string }) =>
      a.name === b.name ? a.language.localeCompare(b.language) : a.name.localeCompare(b.name)

    it('creates hundreds of templates in one call, each readable as written', async () => {
      await store.upsertTemplates('channel-1', many, T0)

      expect(await store.listTemplates('channel-1')).toEqual([...many].sort(byKey))
      expect(await store.getTemplate('channel-1', 'template_449', 'nl')).toEqual(many[449])
      expect(await store.listTemplates('channel-2')).toEqual([])
    })

    it('replaces existing templates by name and language and adds the new ones, in the same call', async () => {
      await store.upsertTemplates('channel-1', many.slice(0, 300), T0)
      await store.upsertTemplates('channel-2', [template()], T0)
      const marked = many
        .slice(0, 300)
        .map((each, index) => (index % 3 === 0 ? { ...each, status: 'DELETED' as const } : each))
      const next = [...marked, ...many.slice(300)]

      await store.upsertTemplates('channel-1', next, T0 + HOUR_MS)

      const listed = await store.listTemplates('channel-1')
      expect(listed).toEqual([...next].sort(byKey))
      expect(listed.filter((each) => each.status === 'DELETED')).toHaveLength(100)
      expect(await store.listTemplates('channel-2')).toEqual([template()])
    })

    it('keeps a template marked DELETED, tag and all, and brings it back when it is upserted again', async () => {
      const tagged = template({ issueResolution: true, libraryKey: 'order_update' })
      await store.upsertTemplates('channel-1', [tagged], T0)
      await store.upsertTemplates('channel-1', [{ ...tagged, status: 'DELETED' }], T0 + HOUR_MS)

      expect(await store.getTemplate('channel-1', 'order_update', 'en')).toEqual({
        ...tagged,
        status: 'DELETED',
      })

      await store.upsertTemplates('channel-1', [tagged], T0 + 2 * HOUR_MS)
      expect(await store.getTemplate('channel-1', 'order_update', 'en')).toEqual(tagged)
    })

    it('writes nothing for an empty list', async () => {
      await store.upsertTemplates('channel-1', [], T0)
      expect(await store.listTemplates('channel-1')).toEqual([])
    })
  })
}
