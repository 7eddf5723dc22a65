import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS } from '../../src/domain/index.js'
import type {
  CostGrouping,
  CostSum,
  MessageCursor,
  MessageFilter,
  MessageRecord,
  Store,
} from '../../src/store/store.js'
import { channel, message, T0, tenant } from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

/** Midnight UTC before T0: the ledger's days start here. */
const DAY0 = Math.floor(T0 / DAY_MS) * DAY_MS
const CATEGORIES = ['marketing', 'utility', 'service', null] as const
const TYPES = ['regular', 'free_customer_service', 'free_entry_point'] as const
const MARKETS = ['NL', 'DE', null] as const
const STATUSES = ['accepted', 'delivered', 'read'] as const

/** Message `i` of a fixed mix: two tenants, three channels, every kind of price, several per millisecond. */
function mixed(i: number): MessageRecord {
  const allowed = i % 9 !== 0
  const inbound = i % 13 === 0
  const priced = allowed && !inbound && i % 7 !== 0
  const category = allowed && !inbound ? CATEGORIES[i % 4] : null
  return message(`m${String(i).padStart(4, '0')}`, ['ch-a', 'ch-b', 'ch-g'][i % 3] ?? 'ch-a', {
    tenantId: i % 3 === 2 ? 'globex' : 'acme',
    contactId: `3161234${String(i % 5).padStart(4, '0')}`,
    direction: inbound ? 'inbound' : 'outbound',
    // Four days and a bit, three messages to the millisecond.
    at: DAY0 + Math.floor(i / 3) * 47 * 60_000 + 1,
    allowed: inbound ? null : allowed,
    reason: inbound
      ? null
      : allowed
        ? i % 2 === 0
          ? 'IN_CARE_WINDOW'
          : 'OPTED_IN_TEMPLATE'
        : 'WINDOW_CLOSED',
    priceMicros: priced ? (i % 11) * 1_000 : null,
    currency: priced ? (i % 5 === 0 ? 'EUR' : 'USD') : allowed && !inbound ? 'USD' : null,
    status: inbound ? 'received' : allowed ? (STATUSES[i % 3] ?? 'read') : 'refused',
    category: category ?? null,
    pricingModel: category === null ? null : 'PMP',
    billingType: category === null ? null : (TYPES[i % 3] ?? null),
    market: inbound ? null : (MARKETS[i % 3] ?? null),
  })
}

const MESSAGES = Array.from({ length: 400 }, (_, i) => mixed(i))

for (const dialect of DIALECTS) {
  describe(`the ${dialect.name} message ledger`, () => {
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
      await store.upsertTenant(tenant({ id: 'acme' }))
      await store.upsertTenant(tenant({ id: 'globex' }))
      await store.upsertChannel(channel({ id: 'ch-a', tenantId: 'acme', externalId: '1001' }))
      await store.upsertChannel(channel({ id: 'ch-b', tenantId: 'acme', externalId: '1002' }))
      await store.upsertChannel(channel({ id: 'ch-g', tenantId: 'globex', externalId: '2001' }))
      await store.transaction(async (tx) => {
        for (const each of MESSAGES) await tx.insertMessage(each)
      })
    })

    /** Every message the filter matches, page by page of `limit`. */
    async function everyPage(filter: MessageFilter, limit: number): Promise<MessageRecord[][]> {
      const pages: MessageRecord[][] = []
      let before: MessageCursor | undefined
      for (;;) {
        const page = await store.searchMessages(filter, {
          limit,
          ...(before === undefined ? {} : { before }),
        })
        if (page.length === 0) return pages
        pages.push(page)
        const last = page[page.length - 1]
        before = last === undefined ? undefined : { at: last.at, id: last.id }
      }
    }

    function expected(filter: MessageFilter): MessageRecord[] {
      return MESSAGES.filter(
        (each) =>
          (filter.tenantId === null || each.tenantId === filter.tenantId) &&
          (filter.from === undefined || each.at >= filter.from) &&
          (filter.to === undefined || each.at < filter.to) &&
          (filter.direction === undefined || each.direction === filter.direction) &&
          (filter.allowed === undefined || each.allowed === filter.allowed) &&
          (filter.channelIds?.includes(each.channelId) ?? true) &&
          (filter.contactIds?.includes(each.contactId) ?? true) &&
          (filter.reasons?.includes(each.reason ?? '') ?? true) &&
          (filter.categories?.includes(each.category ?? '') ?? true) &&
          (filter.pricingModels?.includes(each.pricingModel ?? '') ?? true) &&
          (filter.billingTypes?.includes(each.billingType ?? '') ?? true) &&
          (filter.markets?.includes(each.market ?? '') ?? true) &&
          (filter.statuses?.includes(each.status) ?? true),
      ).sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    }

    /** The sums a report must show, added up message by message. */
    function summed(messages: readonly MessageRecord[], grouping: CostGrouping): Map<string, CostSum> {
      const sums = new Map<string, CostSum>()
      for (const each of messages) {
        const sum = costSumOf(each, grouping)
        const key = keyOf(sum)
        const known = sums.get(key)
        sums.set(key, {
          ...sum,
          messages: (known?.messages ?? 0) + 1,
          amountMicros: (known?.amountMicros ?? 0) + sum.amountMicros,
        })
      }
      return sums
    }

    it('lists messages newest first, and pages through equal instants without losing or repeating one', async () => {
      const filter: MessageFilter = { tenantId: 'acme' }
      const pages = await everyPage(filter, 7)

      expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true)
      expect(pages.flat().map((each) => each.id)).toEqual(expected(filter).map((each) => each.id))
    })

    it('lists messages oldest first when asked, and pages through equal instants without losing or repeating one', async () => {
      const filter: MessageFilter = { tenantId: 'acme', from: DAY0 + DAY_MS, to: DAY0 + 3 * DAY_MS }
      const seen: string[] = []
      let after: MessageCursor | undefined
      for (;;) {
        const page = await store.searchMessages(filter, {
          limit: 6,
          oldestFirst: true,
          ...(after === undefined ? {} : { after }),
        })
        seen.push(...page.map((each) => each.id))
        const last = page.at(-1)
        if (last === undefined || page.length < 6) break
        after = { at: last.at, id: last.id }
      }

      expect(seen).toEqual(
        expected(filter)
          .reverse()
          .map((each) => each.id),
      )
      expect(seen.length).toBeGreaterThan(50)
    })

    it.each<[string, MessageFilter]>([
      [
        'a period, from included and to excluded',
        { tenantId: 'acme', from: DAY0 + DAY_MS + 1, to: DAY0 + 2 * DAY_MS + 1 },
      ],
      ['a channel and its contact', { tenantId: 'acme', channelIds: ['ch-b'], contactIds: ['31612340002'] }],
      ['refused sends', { tenantId: 'acme', direction: 'outbound', allowed: false }],
      [
        'reasons, categories and pricing models',
        {
          tenantId: 'acme',
          reasons: ['OPTED_IN_TEMPLATE'],
          categories: ['marketing', 'utility'],
          pricingModels: ['PMP'],
        },
      ],
      [
        'billing types and markets',
        { tenantId: 'acme', billingTypes: ['free_entry_point'], markets: ['DE'] },
      ],
      ['delivery statuses', { tenantId: 'acme', statuses: ['delivered', 'received'] }],
      ['every tenant', { tenantId: null, direction: 'inbound' }],
      ['an empty list, which matches nothing', { tenantId: 'acme', categories: [] }],
    ])('finds exactly the messages of %s', async (_title, filter) => {
      expect((await everyPage(filter, 50)).flat()).toEqual(expected(filter))
    })

    it('keeps another tenant’s messages out of a tenant’s search and costs', async () => {
      const found = (await everyPage({ tenantId: 'globex' }, 100)).flat()
      const costs = await store.sumMessageCosts(
        { tenantId: 'globex', from: DAY0, to: DAY0 + 10 * DAY_MS },
        { byDay: false, columns: ['channel'] },
        100,
      )

      expect(new Set(found.map((each) => each.channelId))).toEqual(new Set(['ch-g']))
      expect(costs.map((sum) => sum.channelId)).toEqual(costs.map(() => 'ch-g'))
    })

    it.each<[string, MessageFilter & { from: number; to: number }, CostGrouping]>([
      [
        'whole days, by day and every column',
        { tenantId: 'acme', from: DAY0, to: DAY0 + 5 * DAY_MS },
        { byDay: true, columns: ['channel', 'category', 'pricingModel', 'billingType', 'market'] },
      ],
      [
        'a period starting and ending inside a day',
        { tenantId: 'acme', from: DAY0 + 5 * HOUR_MS, to: DAY0 + 3 * DAY_MS + 7 * HOUR_MS },
        { byDay: true, columns: ['category'] },
      ],
      [
        'less than a day',
        { tenantId: 'acme', from: DAY0 + DAY_MS + HOUR_MS, to: DAY0 + DAY_MS + 9 * HOUR_MS },
        { byDay: false, columns: ['market'] },
      ],
      [
        'allowed sends of some categories, by channel',
        {
          tenantId: 'acme',
          from: DAY0 + HOUR_MS,
          to: DAY0 + 4 * DAY_MS,
          direction: 'outbound',
          allowed: true,
          categories: ['marketing', 'service'],
        },
        { byDay: false, columns: ['channel'] },
      ],
      [
        'a contact',
        { tenantId: 'acme', from: DAY0, to: DAY0 + 5 * DAY_MS, contactIds: ['31612340001'] },
        { byDay: true, columns: [] },
      ],
      [
        'a delivery status',
        { tenantId: 'acme', from: DAY0, to: DAY0 + 5 * DAY_MS, statuses: ['read'] },
        { byDay: false, columns: ['billingType'] },
      ],
      ['every tenant', { tenantId: null, from: DAY0, to: DAY0 + 5 * DAY_MS }, { byDay: false, columns: [] }],
    ])('sums exactly what the messages of %s cost', async (_title, filter, grouping) => {
      const costs = await store.sumMessageCosts(filter, grouping, 10_000)

      expect(new Map(costs.map((sum) => [keyOf(sum), sum]))).toEqual(summed(expected(filter), grouping))
      expect(costs.length).toBe(summed(expected(filter), grouping).size)
    })

    it('follows a price cleared after the fact (a send held back by a throughput limit)', async () => {
      const filter = { tenantId: 'acme', from: DAY0, to: DAY0 + 12 * DAY_MS }
      const grouping: CostGrouping = { byDay: true, columns: ['category'] }
      // Alone on its day: once its price is cleared, nothing is left of what that day cost.
      const alone = message('alone', 'ch-a', {
        tenantId: 'acme',
        at: DAY0 + 10 * DAY_MS,
        priceMicros: 9_000,
        currency: 'USD',
        category: 'marketing',
      })
      await store.insertMessage(alone)
      const priced = [
        alone,
        ...MESSAGES.filter((each) => each.tenantId === 'acme' && each.priceMicros !== null).slice(0, 5),
      ]
      for (const each of priced)
        await store.updateMessage(each.id, { priceMicros: null, status: 'throttled' })
      const now = [...expected(filter), alone].map((each) =>
        priced.some((cleared) => cleared.id === each.id) ? { ...each, priceMicros: null } : each,
      )

      const costs = await store.sumMessageCosts(filter, grouping, 10_000)

      expect(new Map(costs.map((sum) => [keyOf(sum), sum]))).toEqual(summed(now, grouping))
      expect(costs.filter((sum) => sum.day === Math.floor(alone.at / DAY_MS))).toEqual([
        {
          day: Math.floor(alone.at / DAY_MS),
          category: 'marketing',
          currency: null,
          messages: 1,
          amountMicros: 0,
        },
      ])
    })

    it('keeps what a day already reported cost in step with messages written to it afterwards', async () => {
      const filter = { tenantId: 'acme', from: DAY0, to: DAY0 + 5 * DAY_MS }
      const grouping: CostGrouping = { byDay: true, columns: ['channel', 'category'] }
      await store.sumMessageCosts(filter, grouping, 10_000)
      // A message of the past imported late, and a price cleared: both in days the report just read.
      const late = message('late', 'ch-b', {
        tenantId: 'acme',
        at: DAY0 + DAY_MS + 5,
        priceMicros: 7_000,
        currency: 'USD',
        category: 'utility',
      })
      await store.insertMessage(late)
      const cleared = MESSAGES.find((each) => each.tenantId === 'acme' && each.priceMicros !== null)
      if (cleared === undefined) throw new Error('the mix has no priced message')
      await store.updateMessage(cleared.id, { priceMicros: null })
      const now = [...expected(filter), late].map((each) =>
        each.id === cleared.id ? { ...each, priceMicros: null } : each,
      )

      const costs = await store.sumMessageCosts(filter, grouping, 10_000)

      expect(new Map(costs.map((sum) => [keyOf(sum), sum]))).toEqual(summed(now, grouping))
    })

    it('says at most `limit` groups', async () => {
      const costs = await store.sumMessageCosts(
        { tenantId: 'acme', from: DAY0 + HOUR_MS, to: DAY0 + 4 * DAY_MS },
        { byDay: true, columns: ['channel', 'category', 'market'] },
        3,
      )

      expect(costs).toHaveLength(3)
    })

    it('reads a message’s category, pricing model, billing type and market from its decision when not given', async () => {
      const decisionJson = JSON.stringify({
        platform: 'whatsapp',
        allowed: true,
        billing: { pricing_model: 'CBP', category: 'utility', type: 'free_tier', price: null },
      })
      const given = message('derived', 'ch-a', { tenantId: 'acme', contactId: '4915123456789', decisionJson })
      const { category: _c, pricingModel: _p, billingType: _b, market: _m, ...withoutColumns } = given
      await store.insertMessage(withoutColumns)

      expect(await store.getMessage('derived')).toMatchObject({
        category: 'utility',
        pricingModel: 'CBP',
        billingType: 'free_tier',
        market: 'DE',
      })
    })
  })
}

function costSumOf(each: MessageRecord, grouping: CostGrouping): CostSum {
  const priced = each.priceMicros !== null
  return {
    ...(grouping.byDay ? { day: Math.floor(each.at / DAY_MS) } : {}),
    ...(grouping.columns.includes('channel') ? { channelId: each.channelId } : {}),
    ...(grouping.columns.includes('category') ? { category: each.category ?? null } : {}),
    ...(grouping.columns.includes('pricingModel') ? { pricingModel: each.pricingModel ?? null } : {}),
    ...(grouping.columns.includes('billingType') ? { billingType: each.billingType ?? null } : {}),
    ...(grouping.columns.includes('market') ? { market: each.market ?? null } : {}),
    currency: priced ? each.currency : null,
    messages: 1,
    amountMicros: each.priceMicros ?? 0,
  }
}

function keyOf(sum: CostSum): string {
  return JSON.stringify([
    sum.day,
    sum.channelId,
    sum.category,
    sum.pricingModel,
    sum.billingType,
    sum.market,
    sum.currency,
  ])
}
