/**
 * Cost reports over a month of 1 M stored messages (costs-seed.ts), on a fresh SQLite file and on a PostgreSQL
 * schema of its own: the cost report use case (`costReport`, what `GET /v1/costs` and `carewindow report costs`
 * run, without HTTP) grouped several ways, each timed once cold (on PostgreSQL the first report of the month fills
 * each day's totals) and then again; and the first page of a message search. Target: every report of the month in
 * at most 1 s on each store.
 */
import { cpus } from 'node:os'
import { DAY_MS, type Instant } from '../src/domain/index.js'
import { DEFAULT_AUTOMATIONS } from '../src/config/automations.js'
import { costReport, type CostReportQuery } from '../src/gateway/api/costs.js'
import type { CostDimension } from '../src/gateway/costs/cost-groups.js'
import { messageFilterOf } from '../src/gateway/api/message-filter.js'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'
import { DEFAULT_BENCH_POSTGRES_URL, onEachBenchStore } from './bench-postgres.js'
import { BENCH_CHANNELS, BENCH_TENANT, seedMessages } from './costs-seed.js'

type StoreKind = 'sqlite' | 'postgres'
type Write = (text: string) => void

export interface CostsBenchSettings {
  readonly messages: number
  readonly runs: number
  readonly postgresUrl: string
  readonly stores: ReadonlySet<StoreKind>
  /**
   * `nightly` (the default): the daily totals are filled after seeding as the `costs.fill-days` job does each night,
   * timed on its own; `on-read`: not, so on PostgreSQL the first report of the month fills them.
   */
  readonly fill: 'nightly' | 'on-read'
}

export const COSTS_TARGET_MS = 1_000

export function costsBenchSettings(env: NodeJS.ProcessEnv): CostsBenchSettings {
  const stores = env.BENCH_COSTS_STORES?.split(',').map((item) => item.trim()) ?? []
  if (stores.some((store) => store !== 'sqlite' && store !== 'postgres'))
    throw new Error('BENCH_COSTS_STORES: choose from sqlite, postgres')
  const messages = Number(env.BENCH_COSTS_MESSAGES ?? 1_000_000)
  const runs = Number(env.BENCH_COSTS_RUNS ?? 5)
  if (!Number.isSafeInteger(messages) || messages < 1_000)
    throw new Error('BENCH_COSTS_MESSAGES: at least 1,000')
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('BENCH_COSTS_RUNS: a whole number from 1')
  const fill = env.BENCH_COSTS_FILL ?? 'nightly'
  if (fill !== 'nightly' && fill !== 'on-read') throw new Error('BENCH_COSTS_FILL: nightly or on-read')
  return {
    fill,
    messages,
    runs,
    postgresUrl: env.CAREWINDOW_BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL,
    stores: new Set<StoreKind>(stores.length === 0 ? ['sqlite', 'postgres'] : (stores as StoreKind[])),
  }
}

const MONTH = { from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-04-01T00:00:00Z') }

/** The reports timed: the month grouped several ways, filtered, and a period that starts and ends inside a day. */
const REPORTS: readonly { readonly label: string; readonly query: CostReportQuery }[] = [
  { label: 'month by day, channel', query: month(['day', 'channel']) },
  { label: 'month by week, category, billing type', query: month(['week', 'category', 'billing_type']) },
  { label: 'month by month, market', query: month(['month', 'market']) },
  {
    label: 'month by channel, market, category, model, type',
    query: month(['channel', 'market', 'category', 'pricing_model', 'billing_type']),
  },
  {
    label: 'month by day, marketing in NL and DE only',
    query: { ...month(['day', 'category']), categories: ['marketing'], markets: ['NL', 'DE'] },
  },
  {
    label: '16.75 days from midday, by day',
    query: {
      ...month(['day']),
      from: MONTH.from + 2 * DAY_MS + DAY_MS / 2,
      to: MONTH.from + 19 * DAY_MS + DAY_MS / 4,
    },
  },
]

function month(dimensions: readonly CostDimension[]): CostReportQuery {
  return { ...MONTH, direction: 'outbound', allowed: true, dimensions }
}

export async function benchCosts(settings: CostsBenchSettings, write: Write): Promise<void> {
  write(
    `costs: cost reports over ${format(settings.messages)} stored messages in one month (March 2026), ` +
      `${cpus().length} cores (${process.version})\n` +
      '  costReport() as GET /v1/costs runs it (store + grouping, no HTTP), one tenant, 3 numbers, 10 markets;\n' +
      (settings.fill === 'nightly'
        ? "  the month's daily totals filled first, as the nightly costs.fill-days job does (timed on its own);\n" +
          `  each report once cold, then ${settings.runs} more. `
        : `  each report once cold (PostgreSQL fills the month's daily totals in the first), then ${settings.runs} more. `) +
      `Target: every report at most ${format(COSTS_TARGET_MS)} ms (worst run, the cold one included)\n`,
  )
  await onEachBenchStore(settings.stores, settings.postgresUrl, write, async (store) => {
    await benchOneStore(settings, store.url, store.label, write)
    if (store.where !== undefined) write(`    (${store.where}, dropped afterwards)\n`)
  })
}

async function benchOneStore(
  settings: CostsBenchSettings,
  url: string,
  label: string,
  write: Write,
): Promise<void> {
  write(`\n  ${label}\n`)
  const setup = await openStore(url)
  try {
    await createTenant(setup)
  } finally {
    await setup.close()
  }
  const started = performance.now()
  const showProgress = process.stdout.isTTY
  await seedMessages(url, settings.messages, MONTH, (written) => {
    if (showProgress)
      write(
        `\r    seeding: ${format(written)} / ${format(settings.messages)} messages, ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s`.padEnd(60),
      )
  })
  if (showProgress) write('\r'.padEnd(70) + '\r')
  write(
    `    seeded ${format(settings.messages)} messages in ${((performance.now() - started) / 1000).toFixed(1)} s (not measured below)\n`,
  )

  const store = await openStore(url)
  try {
    if (settings.fill === 'nightly') {
      const fillStarted = performance.now()
      // The job runs past 01:05 UTC: every day of the month is over.
      const days = await store.fillCostDays(BENCH_TENANT, MONTH.to + DAY_MS)
      write(
        `    nightly fill (costs.fill-days): ${format(days)} days filled in ` +
          `${((performance.now() - fillStarted) / 1000).toFixed(1)} s (a job, not a request)\n`,
      )
    }
    write(
      `    ${'report'.padEnd(50)} ${'rows'.padStart(6)} ${'cold'.padStart(9)} ${'best'.padStart(9)} ` +
        `${'median'.padStart(9)} ${'worst'.padStart(9)}\n`,
    )
    let worstOfAll = 0
    for (const { label: name, query } of REPORTS) {
      const cold = performance.now()
      const report = await costReport({ store }, BENCH_TENANT, query)
      const coldMs = performance.now() - cold
      const times: number[] = []
      for (let run = 0; run < settings.runs; run++) {
        const t = performance.now()
        await costReport({ store }, BENCH_TENANT, query)
        times.push(performance.now() - t)
      }
      times.sort((a, b) => a - b)
      const worst = times[times.length - 1] ?? 0
      worstOfAll = Math.max(worstOfAll, worst, coldMs)
      write(
        `    ${name.padEnd(50)} ${format(report.groups.length).padStart(6)} ${ms(coldMs)} ${ms(times[0] ?? 0)} ` +
          `${ms(times[Math.floor(times.length / 2)] ?? 0)} ${ms(worst)}  (${format(report.messages)} messages)\n`,
      )
    }
    write(
      `    worst of all: ${worstOfAll.toFixed(1)} ms — target at most ${format(COSTS_TARGET_MS)} ms: ` +
        `${worstOfAll <= COSTS_TARGET_MS ? 'meets' : 'BELOW'}\n`,
    )
    await benchSearch(store, settings.runs, write)
  } finally {
    await store.close()
  }
}

/** The first page of a search, newest first: all messages, and a rare kind. */
async function benchSearch(store: Store, runs: number, write: Write): Promise<void> {
  for (const [name, input] of [
    ['search: first page of 50, newest first', {}],
    [
      'search: first page of 50 authentication sends in NL',
      { categories: ['authentication'], markets: ['NL'] },
    ],
  ] as const) {
    const { filter } = await messageFilterOf(store, BENCH_TENANT, input)
    const times: number[] = []
    for (let run = 0; run <= runs; run++) {
      const t = performance.now()
      await store.searchMessages(filter, { limit: 51 })
      if (run > 0) times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    write(
      `    ${name.padEnd(57)} ${ms(times[0] ?? 0)} ${ms(times[Math.floor(times.length / 2)] ?? 0)} ${ms(times[times.length - 1] ?? 0)}\n`,
    )
  }
}

async function createTenant(store: Store): Promise<void> {
  const now: Instant = MONTH.from
  await store.upsertTenant({
    id: BENCH_TENANT,
    name: 'Bench',
    webhookUrl: null,
    webhookSecret: null,
    createdAt: now,
  })
  for (const [index, id] of BENCH_CHANNELS.entries())
    await store.upsertChannel({
      id,
      tenantId: BENCH_TENANT,
      platform: 'whatsapp',
      externalId: `10654035224${String(2900 + index)}`,
      upstream: { mode: 'sandbox' },
      appSecret: 'bench-app-secret',
      verifyToken: 'bench-verify-token',
      settings: {},
      automations: DEFAULT_AUTOMATIONS,
      wabaId: null,
      createdAt: now,
      updatedAt: now,
    })
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (value: number): string => `${value.toFixed(1)} ms`.padStart(9)
