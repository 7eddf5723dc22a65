/**
 * carewindow against the simple designs a user might build instead (http-simple-designs.ts): insert-per-message on
 * PostgreSQL and TTL keys in Redis, on the same requests and machine, every server forwarding its sends over the
 * pooled client to the same local fake Graph.
 *
 * What counts is *applied* throughput: carewindow acknowledges a webhook once it is stored and applies it in the
 * background, so its figure is the inbound messages applied over the run and the drain of what the run left
 * behind; the simple designs apply before they answer. Database CPU is the PostgreSQL or Redis server processes'
 * CPU time over the same span (read from /proc), per request.
 */
import { createBenchSchema, databaseCpuMicros, redactPassword } from './bench-postgres.js'
import { startBenchServer, type BenchServer } from './bench-server.js'
import { SignedNotifications } from './http-fixture.js'
import type { LoadFigures, LoadRequest } from './http-load.js'
import {
  format,
  HEADER,
  measure,
  openWindows,
  row,
  sendLoad,
  sendPath,
  sqliteDatabase,
  warmUp,
  type HttpBenchSettings,
  type Write,
} from './http-runs.js'

/** The bars: carewindow's applied throughput against the simple design on the same kind of store. */
const TARGETS = { postgresAgainstInsert: 3, sqliteAgainstRedis: 1 } as const

const INGEST_PATH = '/webhooks/whatsapp'

type ServerKind =
  'carewindow, SQLite (WAL)' | 'carewindow, PostgreSQL' | 'insert per message, PostgreSQL' | 'TTL keys, Redis'

interface Result {
  readonly figures: LoadFigures
  /** Requests (ingest: inbound messages) applied per second over the run and its drain. */
  readonly appliedPerSecond: number
  readonly drainSeconds: number
  /** The database server's CPU per request over the run and the drain (µs), or null when it cannot be read. */
  readonly databaseCpuMicros: number | null
}

/** A fresh store and server of `kind` for one run; `stop` removes both. */
type Started = { readonly server: BenchServer; stop(): Promise<void> }

export async function benchDesigns(settings: HttpBenchSettings, write: Write): Promise<void> {
  const redisUrl = process.env.CAREWINDOW_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  write(
    '\n  against simple designs: the same requests to insert-per-message on PostgreSQL (a row per message; a send decides\n' +
      '  with max(created_at)) and TTL keys in Redis (a 24 h key per sender; a send checks it) — bench/http-simple-designs.ts —\n' +
      '  all forwarding sends over the pooled client to one local fake Graph. applied/s: inbound messages (ingest) or\n' +
      '  accepted sends applied over the run plus the drain of its backlog; db CPU: PostgreSQL’s or Redis’s CPU per request\n' +
      `  (Redis at ${redactPassword(redisUrl)}, PostgreSQL at ${redactPassword(settings.postgresUrl)})\n`,
  )
  const graph = await startBenchServer(['graph'])
  try {
    const start = starter(settings, graph.url, redisUrl)
    const ingest = new Map<ServerKind, Result>()
    const sends = new Map<ServerKind, Result>()
    write(`\n  webhook ingest, applied\n${designHeader()}`)
    for (const kind of KINDS) {
      const result = await run(settings, start, kind, 'ingest', write)
      if (result === null) continue
      ingest.set(kind, result)
      write(designRow(kind, result))
    }
    write(`\n  sends forwarded to the fake Graph, to contacts with open windows\n${designHeader()}`)
    for (const kind of KINDS) {
      const result = await run(settings, start, kind, 'send', write)
      if (result === null) continue
      sends.set(kind, result)
      write(designRow(kind, result))
    }
    for (const [what, results] of [
      ['ingest applied', ingest],
      ['sends applied', sends],
    ] as const) {
      write(
        verdict(
          what,
          'PostgreSQL',
          results.get('carewindow, PostgreSQL'),
          results.get('insert per message, PostgreSQL'),
          TARGETS.postgresAgainstInsert,
        ),
      )
      write(
        verdict(
          what,
          'SQLite',
          results.get('carewindow, SQLite (WAL)'),
          results.get('TTL keys, Redis'),
          TARGETS.sqliteAgainstRedis,
        ),
      )
    }
  } finally {
    await graph.stop()
  }
}

const KINDS: readonly ServerKind[] = [
  'carewindow, SQLite (WAL)',
  'carewindow, PostgreSQL',
  'insert per message, PostgreSQL',
  'TTL keys, Redis',
]

function starter(
  settings: HttpBenchSettings,
  graphUrl: string,
  redisUrl: string,
): (kind: ServerKind) => Promise<Started | { readonly problem: string }> {
  return async (kind) => {
    if (kind === 'TTL keys, Redis') {
      const server = await startBenchServer(['redis-ttl', redisUrl, graphUrl]).catch(
        (error: unknown) => error,
      )
      if (!isServer(server))
        return { problem: `Redis unreachable (${String(server)}); set CAREWINDOW_BENCH_REDIS_URL` }
      return { server, stop: () => server.stop() }
    }
    if (kind === 'carewindow, SQLite (WAL)') {
      const database = await sqliteDatabase()
      const server = await startBenchServer(['carewindow', database.url, graphUrl, 'pooled'])
      return {
        server,
        async stop() {
          await server.stop()
          await database.remove()
        },
      }
    }
    const schema = await createBenchSchema(settings.postgresUrl)
    if ('problem' in schema)
      return { problem: `PostgreSQL unreachable (${schema.problem}); set CAREWINDOW_BENCH_DATABASE_URL` }
    const args =
      kind === 'carewindow, PostgreSQL'
        ? ['carewindow', schema.url, graphUrl, 'pooled']
        : ['naive-pg', schema.url, graphUrl]
    const server = await startBenchServer(args)
    return {
      server,
      async stop() {
        await server.stop()
        await schema.drop()
      },
    }
  }
}

function isServer(value: unknown): value is BenchServer {
  return typeof value === 'object' && value !== null && 'url' in value && 'stats' in value
}

async function run(
  settings: HttpBenchSettings,
  start: (kind: ServerKind) => Promise<Started | { readonly problem: string }>,
  kind: ServerKind,
  path: 'ingest' | 'send',
  write: Write,
): Promise<Result | null> {
  const started = await start(kind)
  if ('problem' in started) {
    write(`    ${kind.padEnd(34)}skipped: ${started.problem}\n`)
    return null
  }
  const { server } = started
  try {
    let next: () => () => LoadRequest
    if (path === 'ingest') {
      const prepared = Math.ceil((settings.warmupSeconds + settings.seconds) * 40_000)
      const notifications = new SignedNotifications(0, prepared)
      next = () => () => {
        const { body, signature } = notifications.next()
        return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } }
      }
    } else {
      await openWindows(server, settings.sendContacts)
      next = sendLoad(settings.sendContacts)
    }
    const url = path === 'ingest' ? INGEST_PATH : sendPath()
    await warmUp(settings, server, url, next())
    await server.drain()
    const before = await server.stats()
    const databaseBefore = databaseCpuMicros()
    const figures = await measure(settings, server, url, next())
    const drainStarted = performance.now()
    await server.drain()
    const drainSeconds = (performance.now() - drainStarted) / 1000
    const databaseAfter = databaseCpuMicros()
    const after = await server.stats()
    const applied =
      path === 'ingest'
        ? after.inboundMessages - before.inboundMessages
        : after.acceptedSends - before.acceptedSends
    const requests = Math.max(1, figures.responses2xx + figures.non2xx)
    return {
      figures,
      appliedPerSecond: applied / (settings.seconds + drainSeconds),
      drainSeconds,
      databaseCpuMicros:
        kind === 'carewindow, SQLite (WAL)' || databaseBefore === null || databaseAfter === null
          ? null
          : (databaseAfter - databaseBefore) / requests,
    }
  } finally {
    await started.stop()
  }
}

function designHeader(): string {
  return `${HEADER.trimEnd()}${'applied/s'.padStart(11)}${'drain'.padStart(8)}${'db CPU'.padStart(9)}\n`
}

function designRow(kind: ServerKind, result: Result): string {
  const [line = '', ...rest] = row(kind, result.figures, null).split('\n')
  const extra =
    format(result.appliedPerSecond).padStart(11) +
    `${result.drainSeconds.toFixed(1)} s`.padStart(8) +
    (result.databaseCpuMicros === null ? '—' : `${format(result.databaseCpuMicros)} µs`).padStart(9)
  return [line + extra, ...rest].join('\n')
}

function verdict(
  what: string,
  store: string,
  carewindow: Result | undefined,
  design: Result | undefined,
  target: number,
): string {
  if (carewindow === undefined || design === undefined) return `      ${what} on ${store}: not measured\n`
  const ratio = carewindow.appliedPerSecond / Math.max(1, design.appliedPerSecond)
  return (
    `      ${what}, carewindow on ${store} against the simple design: ${ratio.toFixed(2)}×` +
    `   target ≥ ${target}×: ${ratio >= target ? 'meets' : 'BELOW'}\n`
  )
}
