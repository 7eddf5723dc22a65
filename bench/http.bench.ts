/**
 * carewindow over a real socket, next to a bare Fastify route that parses the same body and answers 200:
 *
 * - webhook ingest: `POST /webhooks/whatsapp`, Meta's inbound text notification, signed, each request from a new
 *   contact with a new message id (a repeated id would be deduplicated, which is cheaper than real traffic);
 * - proxy sends: `POST /v21.0/{phone_number_id}/messages`, a text to a contact whose window is open, on the
 *   sandbox upstream.
 *
 * Each server runs in a child process and autocannon in this one. Every carewindow run starts on a fresh database,
 * is warmed up, then measured; afterwards the rows it stored are counted (the work happened) and the inbox
 * backlog left at the end of the run is reported and then drained, timed — an ingest rate that only holds
 * because processing fell behind shows up there.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBenchServer, type BenchServer } from './bench-server.js'
import { createBenchSchema, DEFAULT_BENCH_POSTGRES_URL, redactPassword } from './bench-postgres.js'
import {
  API_KEY,
  contactNumber,
  GRAPH_VERSION,
  inboundTextNotification,
  PHONE_NUMBER_ID,
  signed,
  SignedNotifications,
  textSend,
} from './http-fixture.js'
import { runLoad, type LoadFigures, type LoadRequest } from './http-load.js'
import type { StoredCounts } from './http-server.js'

export interface HttpBenchSettings {
  /** Measured seconds per run, the same for both sides of a comparison. */
  readonly seconds: number
  readonly warmupSeconds: number
  readonly connections: number
  /** Contacts with an open window the sends go to, round robin. */
  readonly sendContacts: number
  readonly postgresUrl: string
  /** When set, each carewindow server runs under `node --cpu-prof` and writes its profile here. */
  readonly cpuProfileDir: string | undefined
  /** Which comparisons to run (all by default); narrowing them helps when profiling one path. */
  readonly paths: ReadonlySet<'ingest' | 'send'>
  readonly stores: ReadonlySet<'sqlite' | 'postgres'>
}

export function httpBenchSettings(env: NodeJS.ProcessEnv): HttpBenchSettings {
  const list = <T extends string>(name: string, all: readonly T[]): ReadonlySet<T> => {
    const asked = env[name]?.split(',').map((item) => item.trim()) ?? []
    if (asked.length === 0) return new Set(all)
    const unknown = asked.filter((item) => !(all as readonly string[]).includes(item))
    if (unknown.length > 0) throw new Error(`${name}: choose from ${all.join(', ')}`)
    return new Set(asked as T[])
  }
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name] ?? fallback)
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
    return value
  }
  return {
    seconds: number('BENCH_HTTP_SECONDS', 10),
    warmupSeconds: number('BENCH_HTTP_WARMUP_SECONDS', 2),
    connections: Math.round(number('BENCH_HTTP_CONNECTIONS', 50)),
    sendContacts: Math.round(number('BENCH_HTTP_SEND_CONTACTS', 2_000)),
    postgresUrl: env.CAREWINDOW_BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL,
    cpuProfileDir: env.BENCH_HTTP_CPU_PROFILE_DIR,
    paths: list('BENCH_HTTP_PATHS', ['ingest', 'send'] as const),
    stores: list('BENCH_HTTP_STORES', ['sqlite', 'postgres'] as const),
  }
}

const TARGETS = { sqliteIngest: 0.7, sqliteSend: 0.6, postgresIngest: 0.5 } as const

/**
 * Notifications built and signed before a run, per second of it: comfortably more than any server here answers,
 * so autocannon's process does no signing while it measures (past them it signs on demand, and says so). They
 * take about half a gigabyte for a 10 s run.
 */
const PREPARED_PER_SECOND = 40_000

type Write = (line: string) => void

export async function benchHttp(settings: HttpBenchSettings, write: Write): Promise<void> {
  const { seconds, warmupSeconds, connections } = settings
  write(
    `http: autocannon 8 over 127.0.0.1, ${connections} connections, ${seconds} s measured after a ${warmupSeconds} s warm-up, ` +
      `${cpus().length} cores (${process.version})\n`,
  )
  write(
    '  each server runs in a child process of its own, autocannon in this one: neither shares the other’s event loop.\n' +
      '  carewindow runs as `carewindow serve` would (startServer, log level warn), one tenant and one WhatsApp channel\n' +
      '  on the sandbox upstream with sandbox.status_delays_ms: [] (no simulated sent/delivered/read statuses add load),\n' +
      '  no business webhook (nothing relayed). Each carewindow run starts on a fresh database.\n' +
      '  floor: the least a gateway keeping carewindow’s promises does on the same store (bench/http-floor.ts) — checks\n' +
      '  the signature or the key, parses, stores one row per request group-committed as carewindow does, answers;\n' +
      '  applies, logs and counts nothing. Floor against bare is what durability costs on this machine; carewindow\n' +
      '  against floor is what carewindow adds.\n' +
      '  CPU/req: the server’s CPU time per response. server, cannon: share of one core used by the server and by\n' +
      '  autocannon; machine: share of all cores busy (anything running, PostgreSQL included).\n',
  )
  const bare = await startBenchServer(['bare'])
  try {
    if (settings.paths.has('ingest')) await benchIngest(settings, bare, write)
    if (settings.paths.has('send')) await benchSend(settings, bare, write)
  } finally {
    await bare.stop()
  }
}

const HEADER =
  `    ${'server'.padEnd(34)}${'req/s'.padStart(8)}${'p50'.padStart(8)}${'p99'.padStart(8)}` +
  `${'errors'.padStart(8)}${'non-2xx'.padStart(9)}${'× bare'.padStart(8)}${'CPU/req'.padStart(9)}` +
  `${'server'.padStart(8)}${'cannon'.padStart(8)}${'machine'.padStart(9)}\n`

async function benchIngest(settings: HttpBenchSettings, bare: BenchServer, write: Write): Promise<void> {
  const path = '/webhooks/whatsapp'
  write(
    `\n  webhook ingest: POST ${path}, Meta's inbound text notification (meta-platform.md §2.3), signed\n` +
      '  (X-Hub-Signature-256, the channel’s app secret), a new contact and message id per request; carewindow answers\n' +
      '  200 once the notification is committed and applies it in the background (the inbox)\n',
  )
  write(HEADER)
  const prepared = Math.ceil((settings.warmupSeconds + settings.seconds) * PREPARED_PER_SECOND)
  const ingestLoad = (notifications: SignedNotifications) => (): LoadRequest => {
    const { body, signature } = notifications.next()
    return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } }
  }
  const storedNotifications = (before: StoredCounts, after: StoredCounts) => ({
    what: 'notifications',
    count: after.notifications - before.notifications,
  })

  const forBare = new SignedNotifications(0, 20_000, { cycle: true })
  await warmUp(settings, bare, path, ingestLoad(forBare))
  const baseline = await measure(settings, bare, path, ingestLoad(forBare))
  write(row('bare Fastify (JSON.parse, 200)', baseline, null))

  if (settings.stores.has('sqlite')) {
    const floor = await measureFloor(
      settings,
      { store: 'sqlite', label: 'floor, SQLite (WAL)', path, next: ingestLoad(forBare), baseline },
      write,
    )
    const sqlite = await sqliteDatabase()
    try {
      const notifications = new SignedNotifications(0, prepared)
      await withCarewindow(settings, sqlite.url, async (server) => {
        await warmUp(settings, server, path, ingestLoad(notifications))
        const run = {
          label: 'carewindow, SQLite (WAL)',
          target: TARGETS.sqliteIngest,
          stored: storedNotifications,
          notifications,
          floor,
        }
        await measureCarewindow(settings, server, path, ingestLoad(notifications), baseline, run, write)
      })
    } finally {
      await sqlite.remove()
    }
  }

  if (!settings.stores.has('postgres')) return
  const schema = await createBenchSchema(settings.postgresUrl)
  if ('problem' in schema) {
    write(
      `    PostgreSQL skipped: ${redactPassword(settings.postgresUrl)} is unreachable (${schema.problem}); ` +
        'set CAREWINDOW_BENCH_DATABASE_URL\n',
    )
    return
  }
  try {
    const version = schema.serverVersion.split(' ')[0] ?? ''
    const floor = await measureFloor(
      settings,
      { store: 'postgres', label: `floor, PostgreSQL ${version}`, path, next: ingestLoad(forBare), baseline },
      write,
    )
    const notifications = new SignedNotifications(0, prepared)
    await withCarewindow(settings, schema.url, async (server) => {
      await warmUp(settings, server, path, ingestLoad(notifications))
      const run = {
        label: `carewindow, PostgreSQL ${version}`,
        target: TARGETS.postgresIngest,
        stored: storedNotifications,
        notifications,
        floor,
      }
      await measureCarewindow(settings, server, path, ingestLoad(notifications), baseline, run, write)
    })
    write(
      `      (schema ${schema.schema} in ${redactPassword(settings.postgresUrl)}, pool of 10, dropped afterwards)\n`,
    )
  } finally {
    await schema.drop()
  }
}

async function benchSend(settings: HttpBenchSettings, bare: BenchServer, write: Write): Promise<void> {
  const path = `/${GRAPH_VERSION}/${PHONE_NUMBER_ID}/messages`
  write(
    `\n  proxy sends: POST ${path}, a text message, Bearer API key, round robin over ${format(settings.sendContacts)}\n` +
      '  contacts whose windows inbound webhooks opened first (inbox drained); decided, recorded, forwarded to the sandbox\n',
  )
  write(HEADER)
  const bodies = Array.from({ length: settings.sendContacts }, (_, i) => Buffer.from(textSend(i)))
  const sendLoad = (): (() => LoadRequest) => {
    let next = 0
    return () => ({
      body: bodies[next++ % bodies.length]!,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    })
  }
  await warmUp(settings, bare, path, sendLoad())
  const baseline = await measure(settings, bare, path, sendLoad())
  write(row('bare Fastify (JSON.parse, 200)', baseline, null))

  const floor = await measureFloor(
    settings,
    {
      store: 'sqlite',
      label: 'floor, SQLite (WAL)',
      path,
      next: sendLoad(),
      baseline,
      openWindowsFirst: true,
    },
    write,
  )
  const sqlite = await sqliteDatabase()
  try {
    await withCarewindow(settings, sqlite.url, async (server) => {
      await openWindows(server, settings.sendContacts)
      await warmUp(settings, server, path, sendLoad())
      const run = {
        label: 'carewindow, SQLite (WAL)',
        target: TARGETS.sqliteSend,
        stored: (before: StoredCounts, after: StoredCounts) => ({
          what: 'accepted sends',
          count: after.acceptedSends - before.acceptedSends,
        }),
        notifications: null,
        floor,
      }
      await measureCarewindow(settings, server, path, sendLoad(), baseline, run, write)
    })
  } finally {
    await sqlite.remove()
  }
}

interface FloorRun {
  readonly store: 'sqlite' | 'postgres'
  readonly label: string
  readonly path: string
  readonly next: () => LoadRequest
  readonly baseline: LoadFigures
  /** The contacts of the sends write first (their windows open). */
  readonly openWindowsFirst?: boolean
}

/**
 * The floor (http-floor.ts) on a fresh database of its own (a SQLite file, or a PostgreSQL schema): warmed up,
 * measured, and the rows it stored checked against its 2xx responses.
 */
async function measureFloor(settings: HttpBenchSettings, run: FloorRun, write: Write): Promise<LoadFigures> {
  const { label, path, next, baseline } = run
  const database =
    run.store === 'postgres'
      ? await createBenchSchema(settings.postgresUrl).then((schema) => {
          if ('problem' in schema) throw new Error(`the floor's PostgreSQL schema: ${schema.problem}`)
          return { url: schema.url, remove: () => schema.drop() }
        })
      : await sqliteDatabase()
  try {
    const server = await startBenchServer(['floor', database.url])
    try {
      if (run.openWindowsFirst === true) await openWindows(server, settings.sendContacts)
      await warmUp(settings, server, path, next)
      const before = await server.stats()
      const figures = await measure(settings, server, path, next)
      const after = await server.stats()
      write(row(label, figures, baseline))
      const stored = after.notifications + after.acceptedSends - before.notifications - before.acceptedSends
      write(`      stored ${format(stored)} rows for ${format(figures.responses2xx)} 2xx responses\n`)
      return figures
    } finally {
      await server.stop()
    }
  } finally {
    await database.remove()
  }
}

async function sqliteDatabase(): Promise<{ url: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'carewindow-bench-'))
  return {
    url: `sqlite:${join(directory, 'carewindow.db')}`,
    remove: () => rm(directory, { recursive: true, force: true }),
  }
}

/** A carewindow server on `databaseUrl` for the length of `run`. */
async function withCarewindow(
  settings: HttpBenchSettings,
  databaseUrl: string,
  run: (server: BenchServer) => Promise<void>,
): Promise<void> {
  const server = await startBenchServer(['carewindow', databaseUrl], {
    cpuProfileDir: settings.cpuProfileDir,
  })
  try {
    await run(server)
  } finally {
    await server.stop()
  }
}

interface CarewindowRun {
  readonly label: string
  readonly target: number
  /** What the run must have stored: one row per 2xx response. */
  readonly stored: (before: StoredCounts, after: StoredCounts) => { what: string; count: number }
  readonly notifications: SignedNotifications | null
  /** The floor on the same store, measured just before. */
  readonly floor: LoadFigures | null
}

/**
 * Drains what the warm-up left, measures, then reports what was stored, the inbox backlog at the end of the run
 * and how long it took to work it off.
 */
async function measureCarewindow(
  settings: HttpBenchSettings,
  server: BenchServer,
  path: string,
  next: () => LoadRequest,
  baseline: LoadFigures,
  run: CarewindowRun,
  write: Write,
): Promise<void> {
  await server.drain()
  const before = await server.stats()
  const signedBefore = run.notifications?.signedDuringRun ?? 0
  const figures = await measure(settings, server, path, next)
  const atEnd = await server.stats()
  const drainStarted = performance.now()
  const cpuAtEnd = await server.cpu()
  await server.drain()
  const drainSeconds = (performance.now() - drainStarted) / 1000
  const drainCpuMicros = cpuMicros(await server.cpu()) - cpuMicros(cpuAtEnd)
  const after = await server.stats()
  write(row(run.label, figures, baseline, run.target))
  if (run.floor !== null)
    write(
      `      carewindow against the floor on this store: ${(figures.requestsPerSecond / run.floor.requestsPerSecond).toFixed(2)}× ` +
        `its req/s, ${format(figures.serverCpuMicrosPerResponse - run.floor.serverCpuMicrosPerResponse)} µs more server CPU per request\n`,
    )
  const stored = run.stored(before, after)
  const applied = after.inboundMessages - before.inboundMessages
  const inFlight = figures.sent - figures.responses2xx - figures.non2xx
  write(
    `      stored ${format(stored.count)} ${stored.what} for ${format(figures.responses2xx)} 2xx responses ` +
      `(${format(inFlight)} more requests in flight when the run ended); inbox backlog at end of run ` +
      `${format(atEnd.pendingNotifications)} notifications, drained in ${drainSeconds.toFixed(1)} s` +
      (applied === 0
        ? '\n'
        : `; ${format(applied)} inbound messages applied (${format(applied / (settings.seconds + drainSeconds))}/s ` +
          `over run + drain, ${format((figures.serverCpuMicrosPerResponse * (figures.responses2xx + figures.non2xx) + drainCpuMicros) / applied)} µs server CPU each)\n`),
  )
  const signedDuringRun = (run.notifications?.signedDuringRun ?? 0) - signedBefore
  if (signedDuringRun > 0)
    write(
      `      (${format(signedDuringRun)} notifications were signed during the run: the prepared ones ran out)\n`,
    )
}

/** Posts one signed inbound notification per contact (25 at a time), then waits until the inbox has applied them. */
async function openWindows(server: BenchServer, contacts: number): Promise<void> {
  const now = Date.now()
  for (let start = 0; start < contacts; start += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, contacts - start) }, async (_, offset) => {
        const { body, signature } = signed(inboundTextNotification(start + offset, now))
        const response = await fetch(`${server.url}/webhooks/whatsapp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body,
        })
        if (response.status !== 200)
          throw new Error(`seeding ${contactNumber(start + offset)}: HTTP ${response.status}`)
      }),
    )
  }
  await server.drain()
  const { openWindows } = await server.stats()
  if (openWindows < contacts)
    throw new Error(`seeded ${contacts} contacts but ${openWindows} windows are open`)
}

function warmUp(
  settings: HttpBenchSettings,
  server: BenchServer,
  path: string,
  next: () => LoadRequest,
): Promise<LoadFigures> {
  return runLoad({ server, path, connections: settings.connections, seconds: settings.warmupSeconds, next })
}

function measure(
  settings: HttpBenchSettings,
  server: BenchServer,
  path: string,
  next: () => LoadRequest,
): Promise<LoadFigures> {
  return runLoad({ server, path, connections: settings.connections, seconds: settings.seconds, next })
}

const cpuMicros = (usage: NodeJS.CpuUsage): number => usage.user + usage.system
const format = (n: number): string => Math.round(n).toLocaleString('en-US')
const percent = (share: number): string => `${Math.round(share * 100)} %`

function row(label: string, figures: LoadFigures, baseline: LoadFigures | null, target?: number): string {
  const ratio = baseline === null ? null : figures.requestsPerSecond / baseline.requestsPerSecond
  const verdict =
    ratio === null || target === undefined
      ? ''
      : `   target ≥ ${target}×: ${ratio >= target ? 'meets' : 'BELOW'}`
  const columns = [
    format(figures.requestsPerSecond).padStart(8),
    `${figures.p50Ms} ms`.padStart(8),
    `${figures.p99Ms} ms`.padStart(8),
    format(figures.errors).padStart(8),
    format(figures.non2xx).padStart(9),
    (ratio === null ? '—' : `${ratio.toFixed(2)}×`).padStart(8),
    `${format(figures.serverCpuMicrosPerResponse)} µs`.padStart(9),
    percent(figures.serverCpu).padStart(8),
    percent(figures.loadCpu).padStart(8),
    percent(figures.machineBusy).padStart(9),
  ]
  const line = `    ${label.padEnd(34)}${columns.join('')}${verdict}\n`
  return figures.non2xx > 0 ? `${line}      statuses: ${figures.statusCodes}\n` : line
}
