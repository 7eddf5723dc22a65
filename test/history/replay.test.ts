import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/main.js'
import { rateCardSchema, toRateCard } from '../../src/config/rate-cards.js'
import { openStore } from '../../src/store/open-store.js'
import type { ReplayTotals } from '../../src/gateway/history/replay-tally.js'
import { inboundLine, preferenceLine, statusLine, type MetaPricing } from '../support/history-generator.js'
import { historyState } from '../support/history-state.js'
import { createE2eDatabase, PHONE_NUMBER_ID } from '../support/test-gateway.js'
import { carewindow, historyConfig, scratchDirectory } from './history-setup.js'

const HOUR_MS = 3_600_000
/** Monday 2025-09-01, 10:00 UTC: per-message pricing (PMP_2025). */
const DAY_1 = Date.UTC(2025, 8, 1, 10)
const DAY_2 = DAY_1 + 24 * HOUR_MS
const CUSTOMER = '31612345678'

const pmp = (category: string, type: MetaPricing['type']): MetaPricing => ({
  billable: type === 'regular',
  pricing_model: 'PMP',
  type,
  category,
})

/**
 * One customer's history. Day 1: she writes at 10:00; the business answers free-form (10:05), sends a utility
 * (10:10) and a marketing template (10:15) inside the window. Day 2 (her window closed at 10:00): a free-form
 * message at 12:00, her marketing stop at 13:00, a marketing template at 14:00 and a utility one at 15:00; and two
 * messages Meta's statuses say less of: one that failed, one whose pricing never came.
 */
const FIXTURE = [
  inboundLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.in-1', DAY_1),
  statusLine(
    PHONE_NUMBER_ID,
    CUSTOMER,
    'wamid.out-1',
    'sent',
    DAY_1 + 5 * 60_000,
    pmp('service', 'free_customer_service'),
  ),
  statusLine(
    PHONE_NUMBER_ID,
    CUSTOMER,
    'wamid.out-2',
    'sent',
    DAY_1 + 10 * 60_000,
    pmp('utility', 'free_customer_service'),
  ),
  statusLine(
    PHONE_NUMBER_ID,
    CUSTOMER,
    'wamid.out-3',
    'sent',
    DAY_1 + 15 * 60_000,
    pmp('marketing', 'regular'),
  ),
  statusLine(
    PHONE_NUMBER_ID,
    CUSTOMER,
    'wamid.out-4',
    'sent',
    DAY_2 + 2 * HOUR_MS,
    pmp('service', 'regular'),
  ),
  preferenceLine(PHONE_NUMBER_ID, CUSTOMER, 'stop', DAY_2 + 3 * HOUR_MS),
  statusLine(
    PHONE_NUMBER_ID,
    CUSTOMER,
    'wamid.out-5',
    'sent',
    DAY_2 + 4 * HOUR_MS,
    pmp('marketing', 'regular'),
  ),
  statusLine(
    PHONE_NUMBER_ID,
    CUSTOMER,
    'wamid.out-6',
    'sent',
    DAY_2 + 5 * HOUR_MS,
    pmp('utility', 'regular'),
  ),
  statusLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.out-7', 'failed', DAY_2 + 6 * HOUR_MS),
  statusLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.out-8', 'delivered', DAY_2 + 7 * HOUR_MS),
].join('\n')

/** Round figures in USD, the same everywhere (the `*` market). */
const RATE_CARDS = [
  {
    id: 'test-usd',
    label: 'Test rates',
    currency: 'USD',
    effective_from: '2020-01-01',
    rates: { '*': { marketing: '0.10', utility: '0.02', authentication: '0.03', service: '0.005' } },
  },
]

/** What both sides agree on: one customer message, eight sends, of which the decided six are judged alike. */
const COMMON = {
  inbound: 1,
  outbound: 8,
  failed: 1,
  notReplayed: 1,
  allowed: 4,
  refused: { OPTED_OUT: 1, WINDOW_CLOSED: 1 },
  unpriced: 0,
}

/**
 * PMP_2025 as Meta billed it: the free-form reply and the utility template inside the window are free, the
 * marketing template 0.10; on day 2 the free-form message finds the window closed, the marketing template her stop,
 * and the utility template (she is taken as opted in) costs 0.02.
 */
const BASELINE: ReplayTotals = {
  ...COMMON,
  costs: {
    USD: {
      marketing: { messages: 1, amountMicros: 100_000 },
      service: { messages: 1, amountMicros: 0 },
      utility: { messages: 2, amountMicros: 20_000 },
    },
  },
}

describe('carewindow replay', { timeout: 120_000 }, () => {
  let scratch: Awaited<ReturnType<typeof scratchDirectory>>
  let file: string
  let cards: string
  let config: string
  let databasePath: string

  beforeAll(async () => {
    scratch = await scratchDirectory()
    file = await scratch.file('history.jsonl', `${FIXTURE}\n`)
    cards = await scratch.file('cards.json', JSON.stringify(RATE_CARDS))
    databasePath = join(scratch.path, 'never-created.db')
    config = await scratch.file('carewindow.json', JSON.stringify(historyConfig(`sqlite:${databasePath}`)))
  })

  afterAll(async () => {
    await scratch.remove()
  })

  async function replay(...options: string[]): Promise<{ baseline: ReplayTotals; what_if: ReplayTotals }> {
    const run = await carewindow(
      'replay',
      file,
      '--config',
      config,
      '--rate-cards',
      cards,
      '--json',
      ...options,
    )
    expect(run.stderr.split('\n').filter((line) => line.startsWith(file))).toEqual([])
    expect(run.code).toBe(EXIT.ok)
    return JSON.parse(run.stdout) as { baseline: ReplayTotals; what_if: ReplayTotals }
  }

  it('prices the fixture under conversation-based pricing: a conversation per category, free service', async () => {
    const result = await replay('--pricing-model', 'CBP')
    expect(result.baseline).toEqual(BASELINE)
    // CBP_FREE_SERVICE: the service conversation is free; the utility template opens a utility conversation (0.02),
    // the marketing one a marketing conversation (0.10); on day 2 the utility conversation has ended: another 0.02.
    expect(result.what_if).toEqual({
      ...COMMON,
      costs: {
        USD: {
          marketing: { messages: 1, amountMicros: 100_000 },
          service: { messages: 1, amountMicros: 0 },
          utility: { messages: 2, amountMicros: 40_000 },
        },
      },
    })
  })

  it('prices the fixture under the reported 2026 change: service and in-window utility messages are charged', async () => {
    const result = await replay('--pricing-2026', '2025-08-01')
    expect(result.baseline).toEqual(BASELINE)
    expect(result.what_if).toEqual({
      ...COMMON,
      costs: {
        USD: {
          marketing: { messages: 1, amountMicros: 100_000 },
          service: { messages: 1, amountMicros: 5_000 },
          utility: { messages: 2, amountMicros: 40_000 },
        },
      },
    })
  })

  it('decides templates on the consent the file shows only when asked: then the day-2 utility template is refused', async () => {
    const result = await replay('--pricing-model', 'PMP', '--strict-consent')
    expect(result.what_if.refused).toEqual({ NO_OPT_IN: 1, OPTED_OUT: 1, WINDOW_CLOSED: 1 })
    expect(result.what_if.costs.USD?.utility).toEqual({ messages: 1, amountMicros: 0 })
  })

  it('prints both sides and the difference as a table, and writes no database', async () => {
    const run = await carewindow(
      'replay',
      file,
      '--config',
      config,
      '--rate-cards',
      cards,
      '--pricing-model',
      'CBP',
    )
    expect(run.code).toBe(EXIT.ok)
    expect(run.stdout).toMatch(/refused WINDOW_CLOSED +1 +1\n/)
    expect(run.stdout).toMatch(/cost USD +0\.12 +0\.14\n/)
    expect(run.stdout).toContain('difference (what-if − baseline): USD +0.02')
    expect(existsSync(databasePath)).toBe(false)
  })

  it('says what is missing when no what-if is given', async () => {
    const run = await carewindow('replay', file, '--config', config)
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr).toContain('nothing to compare')
  })

  it('prices with the tenant’s own rate cards from the configured database when no --rate-cards is given', async () => {
    const url = `sqlite:${join(scratch.path, 'with-cards.db')}`
    const seeded = await scratch.file('with-cards.json', JSON.stringify(historyConfig(url)))
    const seed = await scratch.file(
      'seed-cards.jsonl',
      `${inboundLine(PHONE_NUMBER_ID, '31600000001', 'wamid.seed', DAY_1)}\n`,
    )
    expect((await carewindow('import', seed, '--config', seeded)).code).toBe(EXIT.ok)
    const store = await openStore(url, { migrate: false })
    try {
      const [card] = RATE_CARDS
      if (card === undefined) throw new Error('no card')
      await store.saveRateCard({
        tenantId: 'acme',
        card: toRateCard(rateCardSchema.parse({ ...card, id: 'acme-eur', currency: 'EUR' })),
        source: 'api',
        createdAt: DAY_1,
        updatedAt: DAY_1,
      })
    } finally {
      await store.close()
    }

    const run = await carewindow('replay', file, '--config', seeded, '--pricing-model', 'CBP', '--json')

    expect(run.code).toBe(EXIT.ok)
    const { baseline } = JSON.parse(run.stdout) as { baseline: ReplayTotals }
    expect(baseline).toEqual({ ...BASELINE, costs: { EUR: BASELINE.costs.USD } })
  })

  it('takes the channels from a PostgreSQL database without writing to it', async () => {
    const database = await createE2eDatabase('postgres')
    try {
      // The channels are in the database (an earlier import put them there), not in the replay's config file.
      const seeded = await scratch.file('seeded.json', JSON.stringify(historyConfig(database.url)))
      const seed = await scratch.file(
        'seed.jsonl',
        `${inboundLine(PHONE_NUMBER_ID, '31600000001', 'wamid.seed', DAY_1)}\n`,
      )
      expect((await carewindow('import', seed, '--config', seeded)).code).toBe(EXIT.ok)
      const before = await historyState(database.url)
      const bare = await scratch.file('bare.json', JSON.stringify({ database: { url: database.url } }))
      const run = await carewindow(
        'replay',
        file,
        '--config',
        bare,
        '--rate-cards',
        cards,
        '--pricing-model',
        'CBP',
        '--json',
      )
      expect(run.code).toBe(EXIT.ok)
      expect((JSON.parse(run.stdout) as { baseline: ReplayTotals }).baseline).toEqual(BASELINE)
      expect(await historyState(database.url)).toEqual(before)
    } finally {
      await database.destroy()
    }
  })
})
