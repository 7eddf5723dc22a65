/**
 * `npm run bench -- import`: `carewindow import`'s rate — Meta webhook notifications taken from a JSON-lines file,
 * validated, stored and applied by the inbox's handlers in batches — on a fresh SQLite file and on a PostgreSQL schema
 * of its own, then the same file again (every notification a duplicate, as when a cut-short import is run again).
 * The file is made by the tests' generator: per 20 lines nine customer messages, five sends' `sent` statuses with
 * Meta's pricing, two later statuses, a marketing preference, a STOP and two Messenger messages.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { resolveConfig } from '../src/config/config.js'
import { applyConfig } from '../src/gateway/bootstrap.js'
import { importHistory, IMPORT_BATCH, type ImportCounts } from '../src/gateway/history/import-history.js'
import { systemClock } from '../src/shared/clock.js'
import { openStore } from '../src/store/open-store.js'
import { writeHistoryFile } from '../test/support/history-generator.js'
import { createBenchSchema, DEFAULT_BENCH_POSTGRES_URL, redactPassword } from './bench-postgres.js'
import { APP_SECRET, PHONE_NUMBER_ID } from './http-fixture.js'

type StoreKind = 'sqlite' | 'postgres'
type Write = (text: string) => void

export interface ImportBenchSettings {
  readonly notifications: number
  readonly batchSize: number
  readonly postgresUrl: string
  readonly stores: ReadonlySet<StoreKind>
}

const PAGE_ID = '1234567890'

export function importBenchSettings(env: NodeJS.ProcessEnv): ImportBenchSettings {
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name] ?? fallback)
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`)
    return value
  }
  const stores = env.BENCH_IMPORT_STORES?.split(',').map((item) => item.trim()) ?? []
  if (stores.some((store) => store !== 'sqlite' && store !== 'postgres'))
    throw new Error('BENCH_IMPORT_STORES: choose from sqlite, postgres')
  return {
    notifications: number('BENCH_IMPORT_NOTIFICATIONS', 50_000),
    batchSize: number('BENCH_IMPORT_BATCH', IMPORT_BATCH),
    postgresUrl: env.CAREWINDOW_BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL,
    stores: new Set<StoreKind>(stores.length === 0 ? ['sqlite', 'postgres'] : (stores as StoreKind[])),
  }
}

function benchConfig(databaseUrl: string): unknown {
  const channel = {
    upstream: { mode: 'sandbox' },
    app_secret: APP_SECRET,
    verify_token: 'bench-verify-token',
  }
  return {
    database: { url: databaseUrl },
    log_level: 'warn',
    tenants: [
      {
        id: 'bench',
        webhook: { url: 'http://127.0.0.1:9/carewindow-events', secret: 'bench-webhook-secret-0123456789' },
        channels: [
          { platform: 'whatsapp', id: PHONE_NUMBER_ID, ...channel },
          { platform: 'messenger', id: PAGE_ID, ...channel },
        ],
      },
    ],
  }
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US')

export async function benchImport(settings: ImportBenchSettings, write: Write): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'carewindow-bench-import-'))
  try {
    const file = join(directory, 'history.jsonl')
    await writeHistoryFile(file, {
      notifications: settings.notifications,
      phoneNumberId: PHONE_NUMBER_ID,
      pageId: PAGE_ID,
      contacts: Math.max(1, Math.floor(settings.notifications / 20)),
      startAt: Date.UTC(2025, 8, 1),
    })
    const { size } = await stat(file)
    write(
      `import: ${format(settings.notifications)} notifications (${format(size / 1024 / 1024)} MiB of JSON lines), ` +
        `batches of ${settings.batchSize}, in process, ${cpus().length} cores (${process.version})\n`,
    )
    write('  store                          notifications/s   again (all duplicates)/s\n')
    if (settings.stores.has('sqlite'))
      await benchOneStore(settings, file, `sqlite:${join(directory, 'carewindow.db')}`, 'SQLite (WAL)', write)
    if (!settings.stores.has('postgres')) return
    const schema = await createBenchSchema(settings.postgresUrl)
    if ('problem' in schema) {
      write(
        `  PostgreSQL skipped: ${redactPassword(settings.postgresUrl)} is unreachable (${schema.problem}); ` +
          'set CAREWINDOW_BENCH_DATABASE_URL\n',
      )
      return
    }
    try {
      const label = `PostgreSQL ${schema.serverVersion.split(' ')[0] ?? ''}`
      await benchOneStore(settings, file, schema.url, label, write)
    } finally {
      await schema.drop()
    }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

async function benchOneStore(
  settings: ImportBenchSettings,
  file: string,
  databaseUrl: string,
  label: string,
  write: Write,
): Promise<void> {
  const store = await openStore(databaseUrl, { migrate: true })
  try {
    await applyConfig(store, resolveConfig(benchConfig(databaseUrl), {}, 'bench'), systemClock)
    const run = async (): Promise<{ readonly counts: ImportCounts; readonly perSecond: number }> => {
      const started = performance.now()
      const counts = await importHistory(file, {
        store,
        clock: systemClock,
        logger: pino({ level: 'warn' }),
        rateCards: [],
        maxLineBytes: 1024 * 1024,
        batchSize: settings.batchSize,
      })
      const seconds = (performance.now() - started) / 1000
      return { counts, perSecond: (counts.imported + counts.duplicates) / seconds }
    }
    const first = await run()
    const again = await run()
    if (
      first.counts.imported !== settings.notifications ||
      again.counts.duplicates !== settings.notifications
    )
      throw new Error(
        `${label}: the import did not take every notification once: ${JSON.stringify([first, again])}`,
      )
    write(
      `  ${label.padEnd(30)} ${format(first.perSecond).padStart(15)} ${format(again.perSecond).padStart(26)}\n`,
    )
  } finally {
    await store.close()
  }
}
