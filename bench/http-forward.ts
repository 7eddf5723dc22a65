/**
 * Forwarded sends: carewindow's proxy sends forwarded over a real socket to a local fake Graph (http-graph.ts, in a
 * process of its own), with the pooled client (undici, keep-alive connections per origin: the default) and with
 * the global `fetch`, next to the same sends on the sandbox upstream. The three carewindow servers run side by side,
 * each on a fresh SQLite database, and are measured in turn, round after round, so that whatever else the machine
 * does meanwhile falls on all three alike.
 *
 * Per forward is the server's CPU per send minus the same on the sandbox upstream: what reaching Graph over a socket
 * costs carewindow's process — the request written, the answer read, the socket's events. The sandbox answers in
 * process without a socket; what it does besides (a `wamid`) is a few µs, so the difference slightly understates
 * both clients alike. The client alone is then measured as a cross-check: the same forwards from this process, with
 * no carewindow around them.
 */
import { graphUpstream } from '../src/channels/graph-upstream.js'
import type { GraphClientKind } from '../src/channels/graph-client.js'
import { startBenchServer, type BenchServer } from './bench-server.js'
import { ACCESS_TOKEN, GRAPH_VERSION, PHONE_NUMBER_ID, textSend } from './http-fixture.js'
import type { LoadFigures } from './http-load.js'
import {
  format,
  HEADER,
  measure,
  openWindows,
  row,
  sendPath,
  sendLoad,
  sqliteDatabase,
  warmUp,
  type HttpBenchSettings,
  type Write,
} from './http-runs.js'

/** The issue's target: the pooled client at least this many times cheaper per forward than `fetch`. */
const TARGET_FORWARD_RATIO = 3

/** Forwards per client when the client is measured alone, after a fifth as many to warm up. */
const CLIENT_ALONE_FORWARDS = 50_000

type Upstream = 'sandbox' | GraphClientKind

const UPSTREAMS: readonly Upstream[] = ['sandbox', 'pooled', 'fetch']

const LABELS: Record<Upstream, string> = {
  sandbox: 'carewindow, sandbox upstream',
  pooled: 'carewindow → Graph, pooled',
  fetch: 'carewindow → Graph, fetch',
}

interface Measured {
  /** Server CPU time and responses, summed over the rounds. */
  cpuMicros: number
  responses: number
  /** What carewindow stored as accepted, and what the fake Graph accepted, during the measured runs. */
  storedAccepted: number
  graphAccepted: number
}

/** The forwarded sends: `baseline` is the bare Fastify route's figures from the proxy sends, when they ran. */
export async function benchForward(
  settings: HttpBenchSettings,
  baseline: LoadFigures | null,
  write: Write,
): Promise<void> {
  const rounds = settings.forwardRounds
  write(
    `\n  forwarded sends: the proxy sends, forwarded over 127.0.0.1 to a local fake Graph (bench/http-graph.ts, a process\n` +
      '  of its own answering Graph’s send response) with the pooled client (undici keep-alive pools, the default) and\n' +
      '  with the global fetch, next to the same sends on the sandbox upstream; three carewindow servers side by side on\n' +
      `  fresh SQLite databases, measured in turn, ${rounds} round${rounds === 1 ? '' : 's'}\n`,
  )
  write(HEADER)
  const graph = await startBenchServer(['graph'])
  const databases: { remove(): Promise<void> }[] = []
  const servers = new Map<Upstream, BenchServer>()
  try {
    for (const upstream of UPSTREAMS) {
      const database = await sqliteDatabase()
      databases.push(database)
      const forwarding = upstream === 'sandbox' ? [] : [graph.url, upstream]
      const server = await startBenchServer(['carewindow', database.url, ...forwarding], {
        cpuProfileDir: settings.cpuProfileDir,
      })
      servers.set(upstream, server)
      await openWindows(server, settings.sendContacts)
    }

    const sends = sendLoad(settings.sendContacts)
    const totals = new Map<Upstream, Measured>()
    for (let round = 0; round < rounds; round++) {
      // Every other round in reverse, so none of the three always runs first or last.
      for (const upstream of round % 2 === 0 ? UPSTREAMS : [...UPSTREAMS].reverse()) {
        const server = servers.get(upstream)!
        await warmUp(settings, server, sendPath(), sends())
        await server.drain()
        const before = await server.stats()
        const graphBefore = await graph.stats()
        const figures = await measure(settings, server, sendPath(), sends())
        const after = await server.stats()
        const graphAfter = await graph.stats()
        write(row(`${LABELS[upstream]}${rounds === 1 ? '' : ` (${round + 1})`}`, figures, baseline))
        const responses = figures.responses2xx + figures.non2xx
        const total = totals.get(upstream) ?? {
          cpuMicros: 0,
          responses: 0,
          storedAccepted: 0,
          graphAccepted: 0,
        }
        total.cpuMicros += figures.serverCpuMicrosPerResponse * responses
        total.responses += responses
        total.storedAccepted += after.acceptedSends - before.acceptedSends
        total.graphAccepted += graphAfter.acceptedSends - graphBefore.acceptedSends
        totals.set(upstream, total)
      }
    }
    summarise(totals, write)
  } finally {
    for (const server of servers.values()) await server.stop()
    await graph.stop()
    await Promise.all(databases.map((database) => database.remove()))
  }
  await clientAlone(settings, write)
}

function summarise(totals: ReadonlyMap<Upstream, Measured>, write: Write): void {
  const perSend = (upstream: Upstream): number => {
    const total = totals.get(upstream)!
    return total.cpuMicros / Math.max(1, total.responses)
  }
  for (const upstream of UPSTREAMS) {
    const total = totals.get(upstream)!
    write(
      `      ${LABELS[upstream]}: stored ${format(total.storedAccepted)} accepted sends` +
        (upstream === 'sandbox' ? '\n' : `, the fake Graph accepted ${format(total.graphAccepted)}\n`),
    )
  }
  const sandbox = perSend('sandbox')
  const pooled = perSend('pooled') - sandbox
  const fetched = perSend('fetch') - sandbox
  write(
    `      server CPU per send: sandbox ${format(sandbox)} µs, pooled ${format(perSend('pooled'))} µs, ` +
      `fetch ${format(perSend('fetch'))} µs\n` +
      `      per forward (CPU per send minus the sandbox’s): pooled ${format(pooled)} µs, fetch ${format(fetched)} µs` +
      ` — ${verdict(fetched, pooled)}\n`,
  )
}

/** The same forwards, made by the Graph client in this process without carewindow: what the client itself costs. */
async function clientAlone(settings: HttpBenchSettings, write: Write): Promise<void> {
  const graph = await startBenchServer(['graph'])
  try {
    const perForward = new Map<GraphClientKind, number>()
    for (const client of ['pooled', 'fetch'] as const)
      perForward.set(client, await forwardsFromHere(graph.url, client, settings))
    const pooled = perForward.get('pooled')!
    const fetched = perForward.get('fetch')!
    write(
      `      the client alone (graphUpstream in the bench's process, ${format(CLIENT_ALONE_FORWARDS)} forwards, ` +
        `${settings.connections} at a time): pooled ${format(pooled)} µs, fetch ${format(fetched)} µs per forward` +
        ` — ${(fetched / pooled).toFixed(1)}×\n`,
    )
  } finally {
    await graph.stop()
  }
}

async function forwardsFromHere(
  graphUrl: string,
  client: GraphClientKind,
  settings: HttpBenchSettings,
): Promise<number> {
  const upstream = graphUpstream({ timeoutMs: 10_000, retries: 0, client })
  const channel = {
    externalId: PHONE_NUMBER_ID,
    upstream: { mode: 'cloud', baseUrl: graphUrl, accessToken: ACCESS_TOKEN },
  } as const
  const bodies = Array.from({ length: settings.sendContacts }, (_, i) => textSend(i))
  const run = async (forwards: number): Promise<void> => {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < forwards) {
        const body = bodies[next++ % bodies.length]!
        const reply = await upstream.forward({
          channel,
          version: GRAPH_VERSION,
          path: `/${PHONE_NUMBER_ID}/messages`,
          body,
          contentType: 'application/json',
        })
        if (reply.status !== 200) throw new Error(`the fake Graph answered ${reply.status}: ${reply.body}`)
      }
    }
    await Promise.all(Array.from({ length: settings.connections }, worker))
  }
  try {
    await run(CLIENT_ALONE_FORWARDS / 5)
    const before = process.cpuUsage()
    await run(CLIENT_ALONE_FORWARDS)
    const used = process.cpuUsage(before)
    return (used.user + used.system) / CLIENT_ALONE_FORWARDS
  } finally {
    await upstream.close()
  }
}

function verdict(fetched: number, pooled: number): string {
  if (pooled <= 0)
    return `pooled cannot be told from the sandbox here (noise): no ratio; target ≥ ${TARGET_FORWARD_RATIO}×: not measured`
  const ratio = fetched / pooled
  return `pooled ${ratio.toFixed(1)}× cheaper (target ≥ ${TARGET_FORWARD_RATIO}×: ${ratio >= TARGET_FORWARD_RATIO ? 'meets' : 'BELOW'})`
}
