import { maxHeaderSize } from 'node:http'
import fc from 'fast-check'
import { CHANNEL_NAMES, CHANNELS, TENANT_KEYS, type TenantName } from './fuzz-config.js'
import type { Changes } from './change-log.js'
import { fuzzCase, type FuzzCase } from './endpoints.js'
import {
  ERROR_LEVEL,
  type FuzzTarget,
  type HttpRequest,
  type HttpResponse,
  type LogEntry,
} from './fuzz-target.js'
import { describeRequest, IdPools, printable, resolveCase } from './requests.js'
import { WHATSAPP_CONTACTS, PSIDS } from './seeds.js'

/** How a run goes: how many cases, from which seed; `path` replays one case of that seed (and shrinks it). */
export interface FuzzSettings {
  readonly runs: number
  readonly seed: number
  readonly path?: string
  /** Print progress every so many cases. */
  readonly progressEvery: number
  /** Read back every channel's contacts, cases and consent every so many cases. */
  readonly sweepEvery: number
  /** How long fast-check may spend shrinking a failure, in ms. */
  readonly shrinkTimeMs: number
}

/** What went wrong with one case. */
export interface Failure {
  /** The case's index in the run: with the seed, the `path` that replays it. */
  readonly index: number
  readonly route: string
  readonly request: string
  readonly status: number | null
  readonly response: string
  readonly problems: readonly string[]
  readonly errors: readonly LogEntry[]
  /** Failures with the same cause share it: the route, the kind of problem and the error's message. */
  readonly cause: string
}

export interface RouteTally {
  cases: number
  ok: number
  clientErrors: number
  serverErrors: number
}

export interface FuzzReport {
  readonly dialect: string
  readonly cases: number
  readonly elapsedMs: number
  readonly serverErrors: number
  readonly crashes: number
  readonly partialWrites: number
  readonly loggedErrors: number
  /** Signed notifications that are not notifications, kept by the inbox with the parser's refusal (by design). */
  readonly deadLetters: number
  readonly failures: readonly Failure[]
  readonly routes: Readonly<Record<string, RouteTally>>
  /** fast-check's report of the first failing case, replayed and shrunk. */
  readonly replay: string | null
}

/**
 * The writes a request refused for its input may leave: none. A refused send's recorded decision: the message with
 * its decision, its contact, the `message.refused` event, the idempotency key with the answer, on PostgreSQL the
 * window row the send locked (created empty for a new contact; never shown, see `lockWindow`), and on SQLite the
 * day's cost totals the message's trigger keeps (see migrations/0013-message-costs.ts).
 */
const DECISION_WRITES: Readonly<Record<string, number>> = {
  'messages.insert': 1,
  'message_cost_days.insert': 1,
  'message_cost_days.update': 1,
  'contacts.insert': 1,
  'windows.insert': 1,
  'windows.update': 1,
  'webhook_deliveries.insert': 1,
  'idempotency_keys.insert': 1,
  'idempotency_keys.update': 1,
}

const HEALTH_CHECK_EVERY = 50
const PRUNE_EVERY = 2_000

/**
 * Sends generated requests to `target` one after the other, checking each: no 5xx, an answer and a live
 * `/healthz` (no crash), no row written by a request answered 4xx (beyond the record of a refused send), no error
 * logged by the background work it started, and no 5xx when what it stored is read back. Every failure is
 * collected; the first one is then replayed by fast-check, which shrinks it and prints its counterexample with
 * the seed and path.
 */
export async function fuzz(target: FuzzTarget, settings: FuzzSettings): Promise<FuzzReport> {
  const run = new FuzzRun(target, settings)
  const started = performance.now()
  console.log(
    `[fuzz ${target.dialect}] seed ${settings.seed}, ${settings.runs} cases` +
      (settings.path === undefined ? '' : `, replaying path ${settings.path}`),
  )
  const property = (strict: boolean) =>
    fc.asyncProperty(fuzzCase.map(printable), async (fuzz) => {
      const failure = await run.check(fuzz)
      if (failure !== null && strict)
        throw new Error(`${failure.problems.join('\n')}\n${failure.request}\nanswer: ${failure.response}`)
    })
  if (settings.path !== undefined) {
    await fc.assert(property(true), {
      seed: settings.seed,
      path: settings.path,
      numRuns: settings.runs,
      interruptAfterTimeLimit: settings.shrinkTimeMs,
      markInterruptAsFailure: true,
    })
  } else {
    await fc.assert(property(false), { seed: settings.seed, numRuns: settings.runs })
    await run.finalSweep()
  }
  const report = run.report(performance.now() - started)
  const [first] = report.failures
  if (first === undefined || settings.path !== undefined) return report
  // fast-check replays the first failure (on the state the run left) and shrinks it, printing seed and path.
  try {
    await fc.assert(property(true), {
      seed: settings.seed,
      path: String(first.index),
      numRuns: settings.runs,
      interruptAfterTimeLimit: settings.shrinkTimeMs,
      markInterruptAsFailure: true,
    })
    return { ...report, replay: 'the replay passed: the failure depends on what the run stored before it' }
  } catch (error) {
    return { ...report, replay: error instanceof Error ? error.message : String(error) }
  }
}

class FuzzRun {
  readonly pools = new IdPools()
  readonly failures: Failure[] = []
  readonly routes: Record<string, RouteTally> = {}
  private index = 0
  private mark: number | null = null
  private serverErrors = 0
  private crashes = 0
  private partialWrites = 0
  private loggedErrors = 0
  private deadLetters = 0
  private lastProgress = performance.now()
  private readonly started = performance.now()
  private readonly onUncaught = (error: unknown) => {
    this.uncaught.push(error instanceof Error ? (error.stack ?? error.message) : String(error))
  }
  private readonly uncaught: string[] = []

  constructor(
    private readonly target: FuzzTarget,
    private readonly settings: FuzzSettings,
  ) {
    process.on('uncaughtException', this.onUncaught)
    process.on('unhandledRejection', this.onUncaught)
  }

  /** Sends one case and checks it; the failure, or `null`. */
  async check(fuzz: FuzzCase): Promise<Failure | null> {
    const index = this.index++
    const { target } = this
    this.mark ??= await target.changes.mark()
    const { request, tenant } = resolveCase(fuzz, this.pools, index)
    const tally = (this.routes[fuzz.route] ??= { cases: 0, ok: 0, clientErrors: 0, serverErrors: 0 })
    tally.cases++
    const answer = await target.send(request)
    const problems: string[] = []
    if (answer === null && isPastHeaderLimit(request)) {
      // Node's HTTP parser answers 431 and closes the connection, or closes it first: carewindow never saw it.
      tally.clientErrors++
    } else if (answer === null) {
      problems.push('no answer (connection closed or timed out)')
      if (!(await target.isHealthy())) {
        this.crashes++
        problems.push('crash: /healthz does not answer any more')
      }
    } else if (answer.status >= 500) {
      this.serverErrors++
      tally.serverErrors++
      problems.push(`answered ${answer.status}`)
      if (!(await target.isHealthy())) {
        this.crashes++
        problems.push('crash: /healthz does not answer any more')
      }
    } else if (answer.status >= 400) tally.clientErrors++
    else if (answer.status >= 200) tally.ok++
    // A request refused without writing anything started no background work: nothing to settle.
    let isQuiet = false
    if (answer !== null && answer.status >= 400) {
      const changes = await target.changes.since(this.mark)
      isQuiet = Object.keys(changes).length === 0
      // A 5xx is a failure of its own; what it wrote (an idempotency key claimed, then released) is not judged.
      const written = answer.status < 500 ? unexpectedWrites(changes, answer) : null
      if (written !== null) {
        this.partialWrites++
        problems.push(`partial write: answered ${answer.status} but wrote ${written}`)
      }
    }
    if (answer !== null) this.learn(fuzz, answer, tenant)
    if (!isQuiet && !(await target.settle())) problems.push('background work did not settle within a minute')
    if (answer !== null && (answer.status < 300 || answer.headers['x-carewindow-message-id'] !== undefined))
      problems.push(...(await this.readBack(answer, tenant)))
    if (index % HEALTH_CHECK_EVERY === 0 && !(await target.isHealthy())) {
      this.crashes++
      problems.push('crash: /healthz does not answer any more')
    }
    if (index % PRUNE_EVERY === 0 && this.mark > 0) await target.changes.prune(this.mark)
    if (!isQuiet) this.mark = await target.changes.mark()
    if (index > 0 && index % this.settings.sweepEvery === 0)
      problems.push(...(await this.sweep()).map((problem) => `found by the read-back sweep: ${problem}`))
    const errors = this.takeErrors(problems)
    if (index % 1_000 === 0) target.forgetRecorded()
    this.progress()
    if (problems.length === 0) return null
    return this.fail({
      index,
      route: fuzz.route,
      request: describeRequest(request),
      status: answer?.status ?? null,
      response: (answer?.text ?? '').slice(0, 1_000),
      problems,
      errors,
      cause: causeOf(fuzz.route, answer, problems, errors),
    })
  }

  /** The last read-back, after the last case: a failure of its own when a read answers 5xx. */
  async finalSweep(): Promise<void> {
    const problems = (await this.sweep()).map((problem) => `found by the read-back sweep: ${problem}`)
    const errors = this.takeErrors(problems)
    if (problems.length > 0)
      this.fail({
        index: this.index - 1,
        route: 'read-back sweep',
        request: 'GET every page of every list, and each known contact, case, held reply and message',
        status: null,
        response: '',
        problems,
        errors,
        cause: causeOf('read-back sweep', null, problems, errors),
      })
  }

  private fail(failure: Failure): Failure {
    this.failures.push(failure)
    return failure
  }

  /**
   * The errors carewindow logged (an unhandled error behind a 5xx, a notification the inbox could not process) and what
   * escaped to the process, added to `problems`.
   */
  private takeErrors(problems: string[]): LogEntry[] {
    if (this.uncaught.length > 0) {
      this.crashes++
      problems.push(...this.uncaught.splice(0).map((stack) => `uncaught in the process: ${stack}`))
    }
    const logged = this.target.takeLogs().filter((entry) => entry.level >= ERROR_LEVEL)
    const errors = logged.filter((entry) => !isDeadLetter(entry))
    this.deadLetters += logged.length - errors.length
    if (errors.length > 0) {
      this.loggedErrors++
      problems.push(...errors.map((entry) => `logged: ${entry.msg}: ${entry.err?.message ?? ''}`))
    }
    return errors
  }

  /** Remembers the ids an answer gave out. */
  private learn(fuzz: FuzzCase, answer: HttpResponse, tenant: TenantName): void {
    const { pools } = this
    const messageId = answer.headers['x-carewindow-message-id']
    if (messageId !== undefined) pools.add(pools.message, { id: messageId, tenant })
    const holdId = answer.headers['x-carewindow-hold-id']
    if (holdId !== undefined) pools.add(pools.hold, { id: holdId, tenant })
    if (answer.status >= 300) return
    const json = parseJson(answer.text)
    if (fuzz.route === 'POST /v1/channels/:channelId/cases' && typeof json?.id === 'string')
      pools.add(pools.case, { id: json.id, tenant })
    if (fuzz.route.endsWith('/messages') && fuzz.route.startsWith('POST /:version')) {
      const messages = json?.messages
      const wamid = Array.isArray(messages) ? (messages[0] as { id?: unknown } | undefined)?.id : undefined
      if (typeof wamid === 'string') pools.add(pools.wamid, wamid)
      if (typeof json?.message_id === 'string') pools.add(pools.mid, json.message_id)
    }
  }

  /** Reads back what a request stored: the message it recorded, the first contacts of the tenant's channels. */
  private async readBack(answer: HttpResponse, tenant: TenantName): Promise<string[]> {
    const reads: string[] = []
    const messageId = answer.headers['x-carewindow-message-id']
    if (messageId !== undefined) reads.push(`/v1/messages/${encodeURIComponent(messageId)}`)
    for (const name of CHANNEL_NAMES)
      if (CHANNELS[name].tenant === tenant) reads.push(`/v1/channels/${CHANNELS[name].id}/contacts?limit=3`)
    const problems: string[] = []
    for (const url of reads) {
      const read = await this.read(url, tenant)
      if (read !== null) problems.push(read)
    }
    return problems
  }

  /**
   * Reads everything back through the API — every page of every channel's contacts and cases, each known
   * contact's window, consent and held replies — so stored data that breaks a later read is found.
   */
  async sweep(): Promise<string[]> {
    const problems: string[] = []
    const report = (problem: string | null) => {
      if (problem !== null) problems.push(problem)
    }
    for (const name of CHANNEL_NAMES) {
      const { id, tenant, platform } = CHANNELS[name]
      for (const list of ['contacts?sort=expires_at', 'contacts?sort=contact_id', 'cases?'])
        for (let cursor: string | null = '', pages = 0; cursor !== null && pages < 100; pages++) {
          const url = `/v1/channels/${id}/${list}&limit=500${cursor === '' ? '' : `&cursor=${cursor}`}`
          const page = await this.get(url, tenant)
          if (page.problem !== null) {
            problems.push(page.problem)
            break
          }
          cursor = nextCursor(page.json)
        }
      for (const path of ['automations', 'templates'])
        report(await this.read(`/v1/channels/${id}/${path}`, tenant))
      for (const contact of platform === 'whatsapp' ? WHATSAPP_CONTACTS : PSIDS)
        for (const path of ['window', 'consent', 'held'])
          report(
            await this.read(`/v1/channels/${id}/contacts/${encodeURIComponent(contact)}/${path}`, tenant),
          )
    }
    for (const { id, tenant } of this.pools.case.slice(-20))
      report(await this.read(`/v1/cases/${id}`, tenant))
    for (const { id, tenant } of this.pools.hold.slice(-20)) report(await this.read(`/v1/held/${id}`, tenant))
    for (const { id, tenant } of this.pools.message.slice(-20))
      report(await this.read(`/v1/messages/${id}`, tenant))
    return problems
  }

  private async read(url: string, tenant: TenantName): Promise<string | null> {
    return (await this.get(url, tenant)).problem
  }

  private async get(url: string, tenant: TenantName): Promise<{ problem: string | null; json: unknown }> {
    const request: HttpRequest = {
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${TENANT_KEYS[tenant]}` },
      body: null,
      transport: 'inject',
    }
    const answer = await this.target.send(request)
    if (answer === null) return { problem: `reading back GET ${url}: no answer`, json: null }
    if (answer.status >= 500)
      return { problem: `reading back GET ${url} answered ${answer.status}`, json: null }
    return { problem: null, json: parseJson(answer.text) }
  }

  private progress(): void {
    const now = performance.now()
    const done = this.index
    if (
      done % this.settings.progressEvery !== 0 &&
      now - this.lastProgress < 30_000 &&
      done !== this.settings.runs
    )
      return
    this.lastProgress = now
    console.log(
      `[fuzz ${this.target.dialect}] ${done}/${this.settings.runs} cases, ${this.serverErrors} answered 5xx, ` +
        `${this.crashes} crashes, ${this.partialWrites} partial writes, ${this.loggedErrors} logged errors, ` +
        `${Math.round((now - this.started) / 1000)} s`,
    )
  }

  report(elapsedMs: number): FuzzReport {
    process.off('uncaughtException', this.onUncaught)
    process.off('unhandledRejection', this.onUncaught)
    return {
      dialect: this.target.dialect,
      cases: this.index,
      elapsedMs,
      serverErrors: this.serverErrors,
      crashes: this.crashes,
      partialWrites: this.partialWrites,
      loggedErrors: this.loggedErrors,
      deadLetters: this.deadLetters,
      failures: [...this.failures],
      routes: structuredClone(this.routes),
      replay: null,
    }
  }
}

/** Whether a request's head is more than Node's HTTP server reads (`maxHeaderSize`, 16 KiB by default). */
function isPastHeaderLimit(request: HttpRequest): boolean {
  const headers = Object.entries(request.headers).reduce(
    (size, [name, value]) => size + name.length + value.length + 4,
    0,
  )
  return (
    request.transport === 'socket' && request.method.length + request.url.length + headers > maxHeaderSize
  )
}

/**
 * A signed notification the inbox kept with its error because it is not a notification at all (the parser refused
 * its shape): acknowledged to Meta, never retried for ever — by design, so not a failure. Any other error while
 * processing a notification (a database error, a TypeError) is one.
 */
function isDeadLetter(entry: LogEntry): boolean {
  return (
    entry.msg === 'webhook notification could not be processed; kept with its error' &&
    /^not a (WhatsApp|Messenger) notification: /.test(entry.err?.message ?? '')
  )
}

/** What a request answered 4xx or 5xx wrote that it should not have, in words; `null` when nothing. */
export function unexpectedWrites(changes: Changes, answer: HttpResponse): string | null {
  // A refused send is recorded (the message with its decision) and answered 4xx: that record may be written.
  const isRecordedDecision = answer.status < 500 && answer.headers['x-carewindow-message-id'] !== undefined
  const unexpected = Object.entries(changes).filter(
    ([change, rows]) => !isRecordedDecision || rows > (DECISION_WRITES[change] ?? 0),
  )
  return unexpected.length === 0 ? null : unexpected.map(([change, rows]) => `${change} × ${rows}`).join(', ')
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

function nextCursor(json: unknown): string | null {
  const paging = (json as { paging?: { next_cursor?: unknown } } | null)?.paging
  return typeof paging?.next_cursor === 'string' ? paging.next_cursor : null
}

/** The cause of a failure, to group failures by: route, kind of problem, and the error's message without ids. */
function causeOf(
  route: string,
  answer: HttpResponse | null,
  problems: readonly string[],
  errors: readonly LogEntry[],
): string {
  const message =
    errors[0]?.err?.message ?? (answer !== null && answer.status >= 500 ? answer.text : problems[0]) ?? ''
  const kind = problems[0]?.replace(/:.*$/s, '') ?? ''
  const words = message
    .split('\n')[0]
    ?.replace(/\d+/g, '#')
    .replace(/"[^"]{20,}"/g, '"…"')
    .slice(0, 200)
  return `${route} — ${kind} — ${words ?? ''}`
}

/** The report as text: figures per store, per route, and each distinct cause with how to replay it. */
export function describeReport(report: FuzzReport, seed: number): string {
  const lines = [
    `fuzz run on ${report.dialect}: ${report.cases} cases in ${(report.elapsedMs / 1000).toFixed(1)} s, ` +
      `${report.serverErrors} answered 5xx, ${report.crashes} crashes, ${report.partialWrites} partial writes, ` +
      `${report.loggedErrors} with errors logged, ${report.failures.length} failing cases (seed ${seed}); ` +
      `${report.deadLetters} signed notifications that are not notifications kept by the inbox with their error`,
    '',
    'route: cases / 2xx / 4xx / 5xx',
    ...Object.entries(report.routes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([route, tally]) =>
          `  ${route}: ${tally.cases} / ${tally.ok} / ${tally.clientErrors} / ${tally.serverErrors}`,
      ),
  ]
  const causes = new Map<string, Failure[]>()
  for (const failure of report.failures)
    causes.set(failure.cause, [...(causes.get(failure.cause) ?? []), failure])
  if (causes.size > 0) lines.push('', `${causes.size} distinct causes:`)
  for (const [cause, failures] of causes) {
    const [first] = failures
    if (first === undefined) continue
    const stack = first.errors.find((entry) => entry.err?.stack !== undefined)?.err?.stack
    lines.push(
      '',
      `● ${cause} (${failures.length} cases; first at path ${first.index}: replay with ` +
        `CAREWINDOW_FUZZ_SEED=${seed} CAREWINDOW_FUZZ_PATH=${first.index} npm run fuzz)`,
      ...first.problems.map((problem) => `  ${problem.slice(0, 2_000)}`),
      `  ${first.request.replaceAll('\n', '\n  ')}`,
      `  answer ${first.status ?? 'none'}: ${first.response.slice(0, 500)}`,
      ...(stack === undefined ? [] : [`  ${stack.split('\n').slice(0, 12).join('\n    ')}`]),
    )
  }
  if (report.replay !== null) lines.push('', 'fast-check replayed the first failing case:', report.replay)
  return lines.join('\n')
}
