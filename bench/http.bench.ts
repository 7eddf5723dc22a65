/**
 * carewindow over a real socket, next to a bare Fastify route that parses the same body and answers 200:
 *
 * - webhook ingest: `POST /webhooks/whatsapp`, Meta's inbound text notification, signed, each request from a new
 *   contact with a new message id (a repeated id would be deduplicated, which is cheaper than real traffic);
 * - proxy sends: `POST /v21.0/{phone_number_id}/messages`, a text to a contact whose window is open, on the
 *   sandbox upstream;
 * - forwarded sends: the same sends forwarded over a real socket to a local fake Graph, with the pooled client and
 *   with `fetch` (http-forward.ts).
 *
 * Each server runs in a child process and autocannon in this one. Every carewindow run starts on a fresh database,
 * is warmed up, then measured; afterwards the rows it stored are counted (the work happened) and the inbox
 * backlog left at the end of the run is reported and then drained, timed — an ingest rate that only holds
 * because processing fell behind shows up there.
 */
import { cpus } from 'node:os'
import { startBenchServer, type BenchServer } from './bench-server.js'
import { createBenchSchema, redactPassword } from './bench-postgres.js'
import { SEND_NUMBERS, SignedNotifications } from './http-fixture.js'
import { benchDesigns } from './http-designs.js'
import { benchForward } from './http-forward.js'
import type { LoadFigures, LoadRequest } from './http-load.js'
import {
  cpuMicros,
  format,
  HEADER,
  measure,
  openWindows,
  row,
  sendPath,
  sendLoad,
  sqliteDatabase,
  warmUp,
  withCarewindow,
  type HttpBenchSettings,
  type Write,
} from './http-runs.js'
import type { StoredCounts } from './http-server.js'

export { httpBenchSettings, type HttpBenchSettings } from './http-runs.js'

const TARGETS = { sqliteIngest: 0.7, sqliteSend: 0.6, postgresIngest: 0.5 } as const

/**
 * Notifications built and signed before a run, per second of it: comfortably more than any server here answers,
 * so autocannon's process does no signing while it measures (past them it signs on demand, and says so). They
 * take about half a gigabyte for a 10 s run.
 */
const PREPARED_PER_SECOND = 40_000

export async function benchHttp(settings: HttpBenchSettings, write: Write): Promise<void> {
  const { seconds, warmupSeconds, connections } = settings
  write(
    `http: autocannon 8 over 127.0.0.1, ${connections} connections, ${seconds} s measured after a ${warmupSeconds} s warm-up, ` +
      `${cpus().length} cores (${process.version})\n`,
  )
  write(
    '  each server runs in a child process of its own, autocannon in this one: neither shares the other’s event loop.\n' +
      '  carewindow runs as `carewindow serve` would (startServer, log level warn), one tenant and four WhatsApp numbers\n' +
      '  at Meta’s highest tier (1,000 messages/s each; the ingest runs write to the first) on the sandbox upstream with\n' +
      '  sandbox.status_delays_ms: [] (no simulated sent/delivered/read statuses add load),\n' +
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
    const sendBaseline = settings.paths.has('send') ? await benchSend(settings, bare, write) : null
    if (settings.paths.has('forward')) await benchForward(settings, sendBaseline, write)
    if (settings.paths.has('designs')) await benchDesigns(settings, write)
  } finally {
    await bare.stop()
  }
}

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

/** The proxy sends on the sandbox upstream; returns the bare baseline, which the forwarded sends compare with. */
async function benchSend(settings: HttpBenchSettings, bare: BenchServer, write: Write): Promise<LoadFigures> {
  const path = sendPath()
  write(
    `\n  proxy sends: POST ${path} and ${SEND_NUMBERS - 1} more numbers at 1,000/s, a text message, Bearer API key, round robin over ${format(settings.sendContacts)}\n` +
      '  contacts whose windows inbound webhooks opened first (inbox drained); decided, recorded, forwarded to the sandbox\n',
  )
  write(HEADER)
  const sends = sendLoad(settings.sendContacts)
  await warmUp(settings, bare, path, sends())
  const baseline = await measure(settings, bare, path, sends())
  write(row('bare Fastify (JSON.parse, 200)', baseline, null))

  const floor = await measureFloor(
    settings,
    {
      store: 'sqlite',
      label: 'floor, SQLite (WAL)',
      path,
      next: sends(),
      baseline,
      openWindowsFirst: true,
    },
    write,
  )
  const sqlite = await sqliteDatabase()
  try {
    await withCarewindow(settings, sqlite.url, async (server) => {
      await openWindows(server, settings.sendContacts)
      await warmUp(settings, server, path, sends())
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
      await measureCarewindow(settings, server, path, sends(), baseline, run, write)
    })
  } finally {
    await sqlite.remove()
  }
  return baseline
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
