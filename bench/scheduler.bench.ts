/**
 * The scheduler with 1 M open windows in the store: a real Gateway (its Scheduler, automation handlers, directory
 * and store, nothing else started — no inbox, no outbox deliveries) on a fresh SQLite file and on a PostgreSQL
 * schema of its own, seeded in bulk (scheduler-seed.ts). Two phases, on the real clock shifted to the seeded
 * timeline (it runs at real speed; only its origin is moved):
 *
 * - delay: windows of the steady cohort expire at a steady rate (5,000/s for 20 s by default) while the scheduler
 *   runs as `carewindow serve` runs it (`start()`); a window's delay is the end of the scheduler round that
 *   wrote its `window.closed` event (the event and the job's completion are committed by then) minus its
 *   `expires_at`;
 * - throughput: the clock jumps an hour ahead, where a backlog of due jobs waits — windows that closed
 *   meanwhile (`window.closed`) and windows about to close (`window.expiring`) — and `runDue()` works it off;
 *   events/s are the events written per second.
 *
 * Afterwards the outbox is checked: exactly one event per window due, with the expiry in its id, none for the
 * others, no job failed.
 */
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import pino from 'pino'
import { resolveConfig } from '../src/config/config.js'
import { applyConfig } from '../src/gateway/bootstrap.js'
import { eventId, type EventType } from '../src/gateway/outbox/events.js'
import { Gateway } from '../src/gateway/gateway.js'
import { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from '../src/scheduler/scheduler.js'
import { openStore } from '../src/store/open-store.js'
import {
  databaseCpuMicros,
  DEFAULT_BENCH_POSTGRES_URL,
  onEachBenchStore,
  walBytes,
} from './bench-postgres.js'
import { APP_SECRET, PHONE_NUMBER_ID } from './http-fixture.js'
import {
  BACKLOG_CLOCK_JUMP_MS,
  seedStore,
  windowsOf,
  type SeededWindow,
  type SeedLayout,
} from './scheduler-seed.js'

type StoreKind = 'sqlite' | 'postgres'

export interface SchedulerBenchSettings {
  /** Contacts with an open window in the store. */
  readonly contacts: number
  /** Due jobs in the backlog of the throughput phase (half `window.closed`, half `window.expiring`). */
  readonly due: number
  /** Windows expiring per second during the delay phase, and for how many seconds. */
  readonly steadyPerSecond: number
  readonly steadySeconds: number
  readonly postgresUrl: string
  readonly stores: ReadonlySet<StoreKind>
  /** Scheduler options given to the Gateway (the defaults unless set). */
  readonly scheduler: Partial<SchedulerOptions>
}

export function schedulerBenchSettings(env: NodeJS.ProcessEnv): SchedulerBenchSettings {
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name] ?? fallback)
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
    return value
  }
  const stores = env.BENCH_SCHEDULER_STORES?.split(',').map((item) => item.trim()) ?? []
  if (stores.some((store) => store !== 'sqlite' && store !== 'postgres'))
    throw new Error('BENCH_SCHEDULER_STORES: choose from sqlite, postgres')
  const scheduler: Partial<Record<keyof SchedulerOptions, number>> = {}
  for (const [name, option] of [
    ['BENCH_SCHEDULER_BATCH_SIZE', 'batchSize'],
    ['BENCH_SCHEDULER_CONCURRENCY', 'concurrency'],
    ['BENCH_SCHEDULER_POLL_MS', 'pollIntervalMs'],
  ] as const) {
    if (env[name] !== undefined) scheduler[option] = Math.round(number(name, 0))
  }
  const settings = {
    contacts: Math.round(number('BENCH_SCHEDULER_CONTACTS', 1_000_000)),
    due: Math.round(number('BENCH_SCHEDULER_DUE', 100_000)),
    steadyPerSecond: Math.round(number('BENCH_SCHEDULER_RATE', 5_000)),
    steadySeconds: number('BENCH_SCHEDULER_SECONDS', 20),
    postgresUrl: env.CAREWINDOW_BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL,
    stores: new Set<StoreKind>(stores.length === 0 ? ['sqlite', 'postgres'] : (stores as StoreKind[])),
    scheduler,
  }
  if (settings.contacts > 90_000_000) throw new Error('BENCH_SCHEDULER_CONTACTS: at most 90,000,000')
  if (settings.due + settings.steadyPerSecond * settings.steadySeconds > settings.contacts)
    throw new Error('BENCH_SCHEDULER_CONTACTS must exceed the due backlog plus the steady cohort')
  return settings
}

export const SCHEDULER_TARGETS = { p99DelayMs: 2_000, eventsPerSecond: 5_000 } as const

/** How long after the last steady expiry the scheduler is given to catch up before the phase ends anyway. */
const STEADY_GRACE_MS = 60_000

type Write = (text: string) => void

export async function benchScheduler(settings: SchedulerBenchSettings, write: Write): Promise<void> {
  const options = { ...DEFAULT_SCHEDULER_OPTIONS, ...settings.scheduler }
  write(
    `scheduler: ${format(settings.contacts)} open windows in the store, one carewindow instance ` +
      `(batch ${options.batchSize}, concurrency ${options.concurrency}, poll ${options.pollIntervalMs} ms, ` +
      `lease ${format(options.leaseMs)} ms), ${cpus().length} cores (${process.version})\n`,
  )
  write(
    '  a Gateway with only its scheduler running (no inbox, no outbox deliveries: events stay queued), one tenant\n' +
      '  with a webhook URL, one WhatsApp channel with the default automations (window events only). Its clock is the\n' +
      '  real one with the origin moved onto the seeded timeline. delay: expires_at → end of the scheduler round\n' +
      '  that recorded window.closed. CPU: share of one core used by this process (the database runs elsewhere).\n',
  )
  await onEachBenchStore(settings.stores, settings.postgresUrl, write, async (store) => {
    await benchOneStore(settings, store.url, store.label, write)
    if (store.where !== undefined) write(`    (${store.where}, pool of 10, dropped afterwards)\n`)
  })
}

function benchConfig(databaseUrl: string): unknown {
  return {
    database: { url: databaseUrl },
    log_level: 'warn',
    sandbox: { status_delays_ms: [] },
    tenants: [
      {
        id: 'bench',
        // Events are queued only for tenants with a webhook; the outbox is not started, so nothing is sent.
        webhook: { url: 'http://127.0.0.1:9/carewindow-events', secret: 'bench-webhook-secret-0123456789' },
        channels: [
          {
            platform: 'whatsapp',
            id: PHONE_NUMBER_ID,
            upstream: { mode: 'sandbox' },
            app_secret: APP_SECRET,
            verify_token: 'bench-verify-token',
          },
        ],
      },
    ],
  }
}

async function benchOneStore(
  settings: SchedulerBenchSettings,
  databaseUrl: string,
  label: string,
  write: Write,
): Promise<void> {
  write(`\n  ${label}\n`)
  const config = resolveConfig(benchConfig(databaseUrl), {}, 'bench')
  const t0 = Date.now()
  const setup = await openStore(databaseUrl)
  let channelId: string
  let expiringLeadMs: number
  try {
    await applyConfig(setup, config, () => t0 - 25 * 3_600_000)
    const channel = await setup.findChannel('whatsapp', PHONE_NUMBER_ID)
    if (channel === undefined) throw new Error('the bench channel was not created')
    channelId = channel.id
    expiringLeadMs = channel.automations.window_expiring_lead_minutes * 60_000
  } finally {
    await setup.close()
  }
  const layout: SeedLayout = {
    contacts: settings.contacts,
    t0,
    expiringLeadMs,
    steady: Math.round(settings.steadyPerSecond * settings.steadySeconds),
    steadyPerSecond: settings.steadyPerSecond,
    closedBacklog: Math.ceil(settings.due / 2),
    expiringBacklog: Math.floor(settings.due / 2),
  }

  const seedStarted = performance.now()
  const showProgress = process.stdout.isTTY
  await seedStore(databaseUrl, channelId, layout, (written) => {
    const seconds = ((performance.now() - seedStarted) / 1000).toFixed(0)
    if (showProgress)
      write(
        `\r    seeding: ${format(written)} / ${format(settings.contacts)} contacts, ${seconds} s`.padEnd(60),
      )
  })
  const seedSeconds = (performance.now() - seedStarted) / 1000
  if (showProgress) write('\r'.padEnd(61) + '\r')
  write(
    `    seeded ${format(settings.contacts)} contacts with open windows and ${format(2 * settings.contacts)} ` +
      `window jobs in ${seedSeconds.toFixed(1)} s (not measured below)\n`,
  )

  const problems: string[] = []
  let clockOffsetMs = 0
  const clock = (): number => Date.now() + clockOffsetMs
  const store = await openStore(databaseUrl)
  const gateway = new Gateway({
    store,
    config,
    logger: pino({ level: 'warn' }, { write: (line: string) => void problems.push(line) }),
    clock,
    scheduler: settings.scheduler,
  })
  const rounds = recordRounds(gateway, clock)
  try {
    // Delay: the clock starts at t0, the first steady window expires STEADY_LEAD_MS later.
    clockOffsetMs = t0 - Date.now()
    const steady = windowsOf(layout, 'steady')
    const lastExpiry = steady[steady.length - 1]?.expiresAt ?? t0
    const steadyCpu = process.cpuUsage()
    const steadyStarted = performance.now()
    gateway.scheduler.start()
    await waitUntil(() => {
      const last = rounds[rounds.length - 1]
      const caughtUp = last !== undefined && last.startedAt > lastExpiry && last.ran === 0
      return caughtUp || clock() > lastExpiry + STEADY_GRACE_MS
    })
    await gateway.scheduler.stop()
    const steadyCpuShare = cpuShare(process.cpuUsage(steadyCpu), performance.now() - steadyStarted)

    // Throughput: the clock jumps to t1, where the backlog is due.
    clockOffsetMs = t0 + BACKLOG_CLOCK_JUMP_MS - Date.now()
    const backlogCpu = process.cpuUsage()
    const backlogWritten = writtenBytes()
    const isPostgres = store.dialect === 'postgres'
    const databaseCpuBefore = isPostgres ? databaseCpuMicros() : null
    const walBefore = isPostgres ? await walBytes(databaseUrl) : null
    const backlogStarted = performance.now()
    const jobsRun = await gateway.scheduler.runDue()
    const backlogMs = performance.now() - backlogStarted
    const databaseCpuUsed =
      databaseCpuBefore === null ? null : (databaseCpuMicros() ?? databaseCpuBefore) - databaseCpuBefore
    const walWritten = walBefore === null ? null : ((await walBytes(databaseUrl)) ?? walBefore) - walBefore
    const backlogCpuUsed = process.cpuUsage(backlogCpu)
    const backlogCpuShare = cpuShare(backlogCpuUsed, backlogMs)
    const backlogBytes = backlogWritten === null ? null : (writtenBytes() ?? backlogWritten) - backlogWritten

    const outbox = await readOutbox(databaseUrl)
    try {
      const events = await outbox.events()
      const delays = steadyDelays(steady, events, rounds, channelId)
      const backlogEvents = events.filter((event) => event.createdAt >= t0 + BACKLOG_CLOCK_JUMP_MS).length
      const eventsPerSecond = backlogEvents / (backlogMs / 1000)
      const steadyRounds = rounds.filter((round) => round.startedAt < t0 + BACKLOG_CLOCK_JUMP_MS)

      const p99 = delays.percentile(0.99)
      write(
        `    delay: ${format(layout.steady)} windows expiring at ${format(settings.steadyPerSecond)}/s over ` +
          `${settings.steadySeconds} s while the scheduler runs (start())\n` +
          `      p50 ${ms(delays.percentile(0.5))}  p95 ${ms(delays.percentile(0.95))}  p99 ${ms(p99)}  ` +
          `max ${ms(delays.max)}   (${format(steadyRounds.filter((round) => round.ran > 0).length)} rounds with ` +
          `jobs, CPU ${percent(steadyCpuShare)})` +
          `   target p99 < ${SCHEDULER_TARGETS.p99DelayMs / 1000} s: ${p99 < SCHEDULER_TARGETS.p99DelayMs ? 'meets' : 'BELOW'}\n`,
      )
      if (delays.missing > 0)
        write(
          `      ${format(delays.missing)} windows had no window.closed ${STEADY_GRACE_MS / 1000} s after the last expiry ` +
            '(counted as missing, not in the percentiles)\n',
        )
      write(
        `    throughput: a backlog of ${format(layout.closedBacklog)} window.closed + ${format(layout.expiringBacklog)} ` +
          `window.expiring jobs, worked off by runDue() in ${(backlogMs / 1000).toFixed(1)} s\n` +
          `      ${format(jobsRun / (backlogMs / 1000))} jobs/s, ${format(eventsPerSecond)} events/s ` +
          `(CPU ${percent(backlogCpuShare)})` +
          `   target ≥ ${format(SCHEDULER_TARGETS.eventsPerSecond)} events/s: ` +
          `${eventsPerSecond >= SCHEDULER_TARGETS.eventsPerSecond ? 'meets' : 'BELOW'}\n` +
          `      per event: ${format((backlogCpuUsed.user + backlogCpuUsed.system) / Math.max(1, backlogEvents))} µs ` +
          'of this process’s CPU' +
          (backlogBytes === null
            ? ''
            : `, ${format(backlogBytes / Math.max(1, backlogEvents))} B written by it`) +
          ' (steadier than events/s when the machine is busy)\n' +
          (databaseCpuUsed === null || walWritten === null
            ? ''
            : `      PostgreSQL per event: ${format(databaseCpuUsed / Math.max(1, backlogEvents))} µs of its CPU, ` +
              `${format(walWritten / Math.max(1, backlogEvents))} B of write-ahead log\n`),
      )
      const verdict = verify(layout, channelId, events, await outbox.jobCounts(), jobsRun, problems)
      write(`    ${verdict}\n`)
    } finally {
      await outbox.close()
    }
  } finally {
    await gateway.scheduler.stop()
    await store.close()
  }
}

interface Round {
  readonly startedAt: number
  readonly endedAt: number
  readonly ran: number
}

/**
 * Times every scheduler round on the gateway's clock. The loop calls `tick()` through the instance, so wrapping
 * it there sees the rounds `start()` runs as well as those of `runDue()`.
 */
function recordRounds(gateway: Gateway, clock: () => number): Round[] {
  const rounds: Round[] = []
  const scheduler = gateway.scheduler
  const tick = scheduler.tick.bind(scheduler)
  scheduler.tick = async () => {
    const startedAt = clock()
    const ran = await tick()
    rounds.push({ startedAt, endedAt: clock(), ran })
    return ran
  }
  return rounds
}

interface StoredEvent {
  readonly id: string
  readonly type: string
  readonly createdAt: number
}

interface Delays {
  readonly missing: number
  readonly max: number
  percentile(share: number): number
}

/**
 * An event's `created_at` is the instant of the round that wrote it (the clock read when the round began), so the
 * round that recorded it is the last one to begin at or before that instant; its end is when the event was
 * committed at the latest.
 */
function steadyDelays(
  steady: readonly SeededWindow[],
  events: readonly StoredEvent[],
  rounds: readonly Round[],
  channelId: string,
): Delays {
  if (rounds.length === 0)
    throw new Error('no scheduler round was recorded: is tick() still what the loop calls?')
  const createdAt = new Map(events.map((event) => [event.id, event.createdAt]))
  const delays: number[] = []
  let missing = 0
  for (const window of steady) {
    const at = createdAt.get(eventId('window.closed', channelId, window.contactId, String(window.expiresAt)))
    if (at === undefined) {
      missing++
      continue
    }
    const round = rounds[lastIndexAtOrBefore(rounds, at)] as Round
    delays.push(round.endedAt - window.expiresAt)
  }
  delays.sort((a, b) => a - b)
  return {
    missing,
    max: delays[delays.length - 1] ?? Number.NaN,
    percentile: (share) =>
      delays[Math.min(delays.length - 1, Math.ceil(share * delays.length) - 1)] ?? Number.NaN,
  }
}

function lastIndexAtOrBefore(rounds: readonly Round[], instant: number): number {
  let low = 0
  let high = rounds.length - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if ((rounds[middle] as Round).startedAt <= instant) low = middle
    else high = middle - 1
  }
  return low
}

/** Exactly one event per window due, keyed by its expiry; none for the rest; every due job ran once and none failed. */
function verify(
  layout: SeedLayout,
  channelId: string,
  events: readonly StoredEvent[],
  jobs: ReadonlyMap<string, number>,
  jobsRun: number,
  problems: readonly string[],
): string {
  const failures: string[] = []
  const expected = (type: EventType, windows: readonly SeededWindow[]) =>
    windows.map((window) => eventId(type, channelId, window.contactId, String(window.expiresAt)))
  const closed = [
    ...expected('window.closed', windowsOf(layout, 'steady')),
    ...expected('window.closed', windowsOf(layout, 'closedBacklog')),
  ]
  const expiring = expected('window.expiring', windowsOf(layout, 'expiringBacklog'))
  for (const [type, ids] of [
    ['window.closed', closed],
    ['window.expiring', expiring],
  ] as const) {
    const stored = new Set(events.filter((event) => event.type === type).map((event) => event.id))
    const absent = ids.filter((id) => !stored.has(id)).length
    if (absent > 0 || stored.size !== ids.length)
      failures.push(
        `${type}: ${format(stored.size)} stored, ${format(ids.length)} expected, ${format(absent)} absent`,
      )
  }
  const others = events.filter((event) => event.type !== 'window.closed' && event.type !== 'window.expiring')
  if (others.length > 0) failures.push(`${format(others.length)} other events (${others[0]?.type ?? ''} …)`)
  const pending = jobs.get('pending') ?? 0
  // Pending at the end: both jobs of the background windows, window.closed of the expiring backlog.
  const background = layout.contacts - layout.steady - layout.closedBacklog - layout.expiringBacklog
  const expectedPending = 2 * background + layout.expiringBacklog
  if (pending !== expectedPending)
    failures.push(`${format(pending)} jobs pending, ${format(expectedPending)} expected`)
  if (jobsRun !== layout.closedBacklog + layout.expiringBacklog)
    failures.push(
      `runDue() ran ${format(jobsRun)} jobs, ${format(layout.closedBacklog + layout.expiringBacklog)} expected`,
    )
  const failed = jobs.get('failed') ?? 0
  if (failed > 0) failures.push(`${format(failed)} jobs recorded a failed run`)
  if (problems.length > 0)
    failures.push(`${format(problems.length)} warnings logged: ${problems[0]?.slice(0, 200) ?? ''}`)
  return failures.length === 0
    ? `verified: ${format(closed.length)} window.closed and ${format(expiring.length)} window.expiring events, exactly ` +
        `one per window due, with its expiry; none for the other ${format(layout.contacts - closed.length - expiring.length)} ` +
        'windows; no job failed'
    : `VERIFICATION FAILED: ${failures.join('; ')}`
}

/** Reads what the gateway wrote, over a connection of its own. */
async function readOutbox(databaseUrl: string): Promise<{
  events(): Promise<StoredEvent[]>
  /** Jobs per status, and `failed`: jobs with a recorded failed run. */
  jobCounts(): Promise<Map<string, number>>
  close(): Promise<void>
}> {
  const EVENTS = 'select id, event_type as type, created_at from webhook_deliveries'
  const JOBS =
    'select status, count(*) as n from jobs group by status ' +
    "union all select 'failed', count(*) from jobs where attempts > 0"
  const toEvent = (row: { id: string; type: string; created_at: number | string }): StoredEvent => ({
    id: row.id,
    type: row.type,
    createdAt: Number(row.created_at),
  })
  const toCounts = (rows: { status: string; n: number | string }[]) =>
    new Map(rows.map((row) => [row.status, Number(row.n)]))
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    return {
      events: async () =>
        (await client.query<{ id: string; type: string; created_at: string }>(EVENTS)).rows.map(toEvent),
      jobCounts: async () => toCounts((await client.query<{ status: string; n: string }>(JOBS)).rows),
      close: () => client.end(),
    }
  }
  const database = new BetterSqlite3(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), { readonly: true })
  return {
    events: () =>
      Promise.resolve(
        (database.prepare(EVENTS).all() as { id: string; type: string; created_at: number }[]).map(toEvent),
      ),
    jobCounts: () =>
      Promise.resolve(toCounts(database.prepare(JOBS).all() as { status: string; n: number }[])),
    close: () => {
      database.close()
      return Promise.resolve()
    },
  }
}

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50))
}

const cpuShare = (usage: NodeJS.CpuUsage, elapsedMs: number): number =>
  (usage.user + usage.system) / 1000 / elapsedMs
const format = (n: number): string => Math.round(n).toLocaleString('en-US')
const percent = (share: number): string => `${Math.round(share * 100)} %`
const ms = (value: number): string => (Number.isNaN(value) ? '—' : `${format(value)} ms`)

/**
 * Bytes this process has written through system calls so far (`wchar` of /proc/self/io: SQLite's WAL frames and
 * checkpoints; on PostgreSQL only the protocol's), or null where there is no /proc.
 */
function writtenBytes(): number | null {
  try {
    const match = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))
    return match === null ? null : Number(match[1])
  } catch {
    return null
  }
}
