/**
 * One load run with autocannon (in this process), and the CPU each side used meanwhile: a figure only means
 * something next to who was saturated — the server, the load generator, or the machine.
 */
import { cpus } from 'node:os'
import autocannon from 'autocannon'
import type { BenchServer } from './bench-server.js'

export interface LoadRequest {
  /** The request's own path, when it is not `LoadOptions.path`. */
  readonly path?: string
  readonly body: Buffer | string
  readonly headers: Readonly<Record<string, string>>
}

export interface LoadOptions {
  readonly server: BenchServer
  readonly path: string
  readonly connections: number
  readonly seconds: number
  /** Called for every request: its body and headers. */
  readonly next: () => LoadRequest
}

export interface LoadFigures {
  /** Mean of autocannon's per-second samples. */
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly responses2xx: number
  /** Requests written to a socket; the difference to the responses was in flight when the run ended. */
  readonly sent: number
  readonly non2xx: number
  /** Connection errors and timeouts. */
  readonly errors: number
  readonly statusCodes: string
  /** Share of one core each process used during the run (1 = a whole core). */
  readonly serverCpu: number
  /** The server's CPU time during the run per response: less sensitive than req/s to what else runs. */
  readonly serverCpuMicrosPerResponse: number
  readonly loadCpu: number
  /** Share of all the machine's cores that were busy (anything: server, autocannon, PostgreSQL, …). */
  readonly machineBusy: number
}

export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const serverBefore = await options.server.cpu()
  const loadBefore = process.cpuUsage()
  const machineBefore = machineTimes()
  const started = process.hrtime.bigint()
  const result = await autocannon({
    url: `${options.server.url}${options.path}`,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const { path, body, headers } = options.next()
          return {
            ...request,
            ...(path === undefined ? {} : { path }),
            body,
            headers: { ...request.headers, ...headers },
          }
        },
      },
    ],
  })
  const elapsedMicros = Number(process.hrtime.bigint() - started) / 1000
  const serverUsed = cpuMicros(await options.server.cpu()) - cpuMicros(serverBefore)
  const loadUsed = cpuMicros(process.cpuUsage(loadBefore))
  const machineAfter = machineTimes()
  const busy = machineAfter.busy - machineBefore.busy
  const total = busy + (machineAfter.idle - machineBefore.idle)
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    responses2xx: result['2xx'],
    sent: result.requests.sent,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: Object.entries(result.statusCodeStats ?? {})
      .map(([status, stats]) => `${status}: ${stats.count ?? 0}`)
      .join(', '),
    serverCpu: serverUsed / elapsedMicros,
    serverCpuMicrosPerResponse: serverUsed / Math.max(1, result['2xx'] + result.non2xx),
    loadCpu: loadUsed / elapsedMicros,
    machineBusy: total === 0 ? 0 : busy / total,
  }
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system
}

function machineTimes(): { busy: number; idle: number } {
  let busy = 0
  let idle = 0
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq
    idle += times.idle
  }
  return { busy, idle }
}
