import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SAMPLE_RATE_CARDS, type RateCard } from '../../src/domain/index.js'
import { DIRECTORY_TTL_MS, Directory } from '../../src/gateway/directory.js'
import { saveTenantRateCard } from '../../src/gateway/api/rate-cards.js'
import type { Store, StoredRateCard } from '../../src/store/store.js'
import { T0, TENANT_ID, tenant } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const OTHER_TENANT = 'tenant-2'

function card(id: string, effectiveFrom: number, overrides: Partial<RateCard> = {}): RateCard {
  return {
    id,
    label: `card ${id}`,
    currency: 'EUR',
    effectiveFrom,
    isSample: false,
    rates: { NL: { marketing: 159_700, utility: 50_000 }, '*': { utility: 6_400 } },
    ...overrides,
  }
}

function stored(item: RateCard, overrides: Partial<StoredRateCard> = {}): StoredRateCard {
  return { tenantId: TENANT_ID, card: item, source: 'api', createdAt: T0, updatedAt: T0, ...overrides }
}

/** The RateCardStore's part of the Store contract, and the directory that caches what it holds. */
for (const dialect of DIALECTS) {
  describe(`the ${dialect.name} store's rate cards`, () => {
    let database: TestDatabase | undefined
    let store: Store
    /** A second connection to the same database, as another carewindow instance (or the CLI) would have. */
    let other: Store

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
      other = await database.open()
    })
    afterAll(async () => {
      await database?.destroy()
    })
    beforeEach(async () => {
      await database?.empty()
      await store.upsertTenant(tenant())
      await store.upsertTenant(tenant({ id: OTHER_TENANT }))
    })

    it('keeps a card as it was given, countries and samples included, and lists a tenant’s by effective date', async () => {
      const regional = card('b-later', T0 + 1000, {
        isSample: true,
        countries: { BE: 'Rest of Western Europe' },
        rates: { 'Rest of Western Europe': { authentication_international: 25_200 } },
      })
      await store.saveRateCard(stored(regional, { source: 'csv' }))
      await store.saveRateCard(stored(card('a-earlier', T0)))
      expect(await other.listRateCards(TENANT_ID)).toEqual([
        stored(card('a-earlier', T0)),
        stored(regional, { source: 'csv' }),
      ])
    })

    it('replaces a card with the same id, keeping when it was first stored', async () => {
      await store.saveRateCard(stored(card('acme', T0)))
      const replacement = card('acme', T0 + 1, { label: 'replaced', rates: { NL: { utility: 1 } } })
      await store.saveRateCard(stored(replacement, { createdAt: T0 + 5000, updatedAt: T0 + 5000 }))
      expect(await store.listRateCards(TENANT_ID)).toEqual([stored(replacement, { updatedAt: T0 + 5000 })])
    })

    it('keeps each tenant’s cards apart, even under the same id', async () => {
      await store.saveRateCard(stored(card('shared-id', T0)))
      await store.saveRateCard(stored(card('shared-id', T0, { label: 'theirs' }), { tenantId: OTHER_TENANT }))
      expect((await store.listRateCards(OTHER_TENANT)).map((item) => item.card.label)).toEqual(['theirs'])
      expect(await store.deleteRateCard(OTHER_TENANT, 'shared-id')).toBe(true)
      expect(await store.listRateCards(TENANT_ID)).toHaveLength(1)
      expect(await store.deleteRateCard(OTHER_TENANT, 'shared-id')).toBe(false)
    })

    it('writes a card in a transaction only when it commits', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.saveRateCard(stored(card('acme', T0)))
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect(await store.listRateCards(TENANT_ID)).toEqual([])
    })

    it('shows a card stored by one instance to the next decision there, and to another within the directory’s TTL', async () => {
      let now = T0
      const clock = () => now
      const here = new Directory(store, clock, SAMPLE_RATE_CARDS)
      const there = new Directory(other, clock, SAMPLE_RATE_CARDS)
      expect(await here.rateCardsOf(TENANT_ID)).toBe(SAMPLE_RATE_CARDS)
      expect(await there.rateCardsOf(TENANT_ID)).toBe(SAMPLE_RATE_CARDS)

      await saveTenantRateCard({ store, directory: here, clock }, TENANT_ID, card('acme', T0 - 1000), 'api')
      // The samples still price what came before the tenant's own card.
      expect((await here.rateCardsOf(TENANT_ID)).map((item) => item.id)).toEqual([
        'sample-2018-nbp',
        'sample-2022-cbp',
        'sample-2023-cbp',
        'acme',
      ])
      // The other instance keeps what it read until its cache runs out, and not a moment longer.
      now += DIRECTORY_TTL_MS - 1
      expect(await there.rateCardsOf(TENANT_ID)).toBe(SAMPLE_RATE_CARDS)
      now += 1
      expect((await there.rateCardsOf(TENANT_ID)).at(-1)?.id).toBe('acme')
      expect(await there.rateCardsOf(OTHER_TENANT)).toBe(SAMPLE_RATE_CARDS)
    })
  })
}
