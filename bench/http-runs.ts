/**
 * What the HTTP benchmarks share: their settings, carewindow and its databases for a run, the runs themselves and
 * the lines of figures they print.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBenchServer, type BenchServer } from './bench-server.js'
import { DEFAULT_BENCH_POSTGRES_URL } from './bench-postgres.js'
import {
  API_KEY,
  contactNumber,
  GRAPH_VERSION,
  inboundTextNotification,
  numberOfContact,
  PHONE_NUMBER_ID,
  signed,
  textSend,
} from './http-fixture.js'
import { runLoad, type LoadFigures, type LoadRequest } from './http-load.js'

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
  readonly paths: ReadonlySet<'ingest' | 'send' | 'forward' | 'designs'>
  readonly stores: ReadonlySet<'sqlite' | 'postgres'>
  /** Rounds of the forwarded sends (each measures the sandbox, the pooled client and fetch once). */
  readonly forwardRounds: number
}

/** The settings from the environment (`BENCH_HTTP_*`, `CAREWINDOW_BENCH_DATABASE_URL`). */
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
    // A 12 s run at 3,000 sends/s gives each of 8,000 contacts about 5 sends, well inside the pair rate's burst.
    sendContacts: Math.round(number('BENCH_HTTP_SEND_CONTACTS', 8_000)),
    postgresUrl: env.CAREWINDOW_BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL,
    cpuProfileDir: env.BENCH_HTTP_CPU_PROFILE_DIR,
    paths: list('BENCH_HTTP_PATHS', ['ingest', 'send', 'forward', 'designs'] as const),
    stores: list('BENCH_HTTP_STORES', ['sqlite', 'postgres'] as const),
    forwardRounds: Math.round(number('BENCH_HTTP_FORWARD_ROUNDS', 2)),
  }
}

/** Where the figures go. */
export type Write = (line: string) => void

/** Where the proxy sends go: the path of number `phoneNumberId` (the first number's for the run's label). */
export function sendPath(phoneNumberId: string = PHONE_NUMBER_ID): string {
  return `/${GRAPH_VERSION}/${phoneNumberId}/messages`
}

/**
 * The proxy sends' requests: a text to each of `contacts` contacts in turn, on the contact's number
 * (`numberOfContact`), with the API key. Each call starts a new round robin over the same requests (built once).
 */
export function sendLoad(contacts: number): () => () => LoadRequest {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` }
  const requests: LoadRequest[] = Array.from({ length: contacts }, (_, i) => ({
    path: sendPath(numberOfContact(i)),
    body: Buffer.from(textSend(i)),
    headers,
  }))
  return () => {
    let next = 0
    return () => requests[next++ % requests.length]!
  }
}

/** The columns `row` fills. */
export const HEADER =
  `    ${'server'.padEnd(34)}${'req/s'.padStart(8)}${'p50'.padStart(8)}${'p99'.padStart(8)}` +
  `${'errors'.padStart(8)}${'non-2xx'.padStart(9)}${'× bare'.padStart(8)}${'CPU/req'.padStart(9)}` +
  `${'server'.padStart(8)}${'cannon'.padStart(8)}${'machine'.padStart(9)}\n`

/** A fresh SQLite database in a temporary directory of its own. */
export async function sqliteDatabase(): Promise<{ url: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'carewindow-bench-'))
  return {
    url: `sqlite:${join(directory, 'carewindow.db')}`,
    remove: () => rm(directory, { recursive: true, force: true }),
  }
}

/** A carewindow server on `databaseUrl` for the length of `run`. */
export async function withCarewindow(
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

/** Posts one signed inbound notification per contact (25 at a time), then waits until the inbox has applied them. */
export async function openWindows(server: BenchServer, contacts: number): Promise<void> {
  const now = Date.now()
  for (let start = 0; start < contacts; start += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, contacts - start) }, async (_, offset) => {
        const { body, signature } = signed(
          inboundTextNotification(start + offset, now, numberOfContact(start + offset)),
        )
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

/** A run of `settings.warmupSeconds`, whose figures are not reported. */
export function warmUp(
  settings: HttpBenchSettings,
  server: BenchServer,
  path: string,
  next: () => LoadRequest,
): Promise<LoadFigures> {
  return runLoad({ server, path, connections: settings.connections, seconds: settings.warmupSeconds, next })
}

/** A measured run of `settings.seconds`. */
export function measure(
  settings: HttpBenchSettings,
  server: BenchServer,
  path: string,
  next: () => LoadRequest,
): Promise<LoadFigures> {
  return runLoad({ server, path, connections: settings.connections, seconds: settings.seconds, next })
}

export const cpuMicros = (usage: NodeJS.CpuUsage): number => usage.user + usage.system
export const format = (n: number): string => Math.round(n).toLocaleString('en-US')
export const percent = (share: number): string => `${Math.round(share * 100)} %`

/** One line of figures, with its ratio to the bare baseline and the verdict against `target` when given. */
export function row(
  label: string,
  figures: LoadFigures,
  baseline: LoadFigures | null,
  target?: number,
): string {
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
