import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChannelRecord } from '../store/store.js'
import { UpstreamOutcomeUnknown, UpstreamUnavailable } from './upstream.js'
import { graphUpstream, type GraphUpstream, type GraphUpstreamOptions } from './graph-upstream.js'

/**
 * A Graph that answers each request as the test says: hang (never answer), trickle (send the status, then the body a
 * byte every {@link TRICKLE_MS}, never finishing it), reset (read the request, then drop the connection without a word, as a crashing proxy would), huge
 * (a 200 with a body of {@link HUGE_BYTES}), or a status.
 */
type Step = 'hang' | 'trickle' | 'reset' | 'huge' | number

/** Between the bytes of a trickling answer: well within the timeout, so only the whole answer's deadline ends it. */
const TRICKLE_MS = 50

/** The `maxAnswerBytes` the tests give, and the size of a huge answer. */
const MAX_ANSWER_BYTES = 64 * 1024
const HUGE_BYTES = MAX_ANSWER_BYTES + 1

/** The per-attempt timeout where a step hangs. */
const HANG_TIMEOUT_MS = 300

class ScriptedGraph {
  readonly seen: string[] = []
  /** Connections opened to it, and those of them closed since. */
  connections = 0
  closedConnections = 0
  private readonly hanging: ServerResponse[] = []
  private readonly server: Server = createServer((request, response) => {
    this.answer(request, response)
  })

  private constructor(private readonly script: Step[]) {
    this.server.on('connection', (socket) => {
      this.connections++
      socket.on('close', () => this.closedConnections++)
    })
  }

  static async start(script: Step[]): Promise<ScriptedGraph> {
    const graph = new ScriptedGraph(script)
    await new Promise<void>((resolve) => graph.server.listen(0, '127.0.0.1', resolve))
    return graph
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy()
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    this.seen.push(`${request.method ?? ''} ${request.url ?? ''} ${request.headers.authorization ?? ''}`)
    const step = this.script.shift() ?? 200
    if (step === 'hang' || step === 'trickle') {
      this.hanging.push(response)
      if (step === 'trickle') {
        response.writeHead(200, { 'content-type': 'application/json' })
        const trickle = setInterval(() => response.write(' '), TRICKLE_MS)
        response.on('close', () => {
          clearInterval(trickle)
        })
      }
      return
    }
    if (step === 'huge') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ messages: [{ id: 'wamid.1' }], padding: 'x'.repeat(HUGE_BYTES) }))
      return
    }
    if (step === 'reset') {
      request.resume()
      request.on('end', () => request.socket.destroy())
      return
    }
    response.writeHead(step, {
      'content-type': 'application/json',
      ...(step === 429 ? { 'retry-after': '30' } : {}),
    })
    response.end(JSON.stringify(step < 400 ? { messages: [{ id: 'wamid.1' }] } : { error: { code: 2 } }))
  }
}

const channelOn = (baseUrl: string): ChannelRecord =>
  ({
    externalId: '106540352242922',
    upstream: { mode: 'cloud', baseUrl, accessToken: 'EAAGtoken' },
  }) as unknown as ChannelRecord

const SEND = {
  version: 'v21.0',
  path: '/106540352242922/messages',
  body: '{"to":"16505551234"}',
  contentType: 'application/json',
} as const

describe.each(['pooled', 'fetch'] as const)('forwarding to Graph (%s client)', (client) => {
  let graph: ScriptedGraph | undefined
  const upstreams: GraphUpstream[] = []

  beforeEach(() => {
    graph = undefined
  })
  afterEach(async () => {
    await Promise.all(upstreams.splice(0).map((upstream) => upstream.close()))
    await graph?.close()
  })

  const upstreamFor = (options: Omit<GraphUpstreamOptions, 'client' | 'retryDelayMs'>): GraphUpstream => {
    const upstream = graphUpstream({ retryDelayMs: 1, maxAnswerBytes: MAX_ANSWER_BYTES, client, ...options })
    upstreams.push(upstream)
    return upstream
  }

  const forward = (options: { retries: number; retryTimeouts?: boolean }, script: Step[]) =>
    ScriptedGraph.start(script).then((started) => {
      graph = started
      // Short only where Graph is meant to hang: an answer that is merely slow on a loaded machine must not time out.
      const timeoutMs = script.includes('hang') || script.includes('trickle') ? HANG_TIMEOUT_MS : 5_000
      return upstreamFor({ timeoutMs, ...options }).forward({ channel: channelOn(started.url), ...SEND })
    })
  it('sends the body with the channel’s token and returns Graph’s answer as it is', async () => {
    const reply = await forward({ retries: 2 }, [200])
    expect(reply).toEqual({ status: 200, body: '{"messages":[{"id":"wamid.1"}]}' })
    expect(graph?.seen).toEqual(['POST /v21.0/106540352242922/messages Bearer EAAGtoken'])
  })

  it('retries a 5xx: Graph did not take the message', async () => {
    const reply = await forward({ retries: 2 }, [503, 500, 200])
    expect(reply.status).toBe(200)
    expect(graph?.seen).toHaveLength(3)
  })

  it('never retries a 4xx: it is Graph’s verdict', async () => {
    const reply = await forward({ retries: 2 }, [400, 200])
    expect(reply.status).toBe(400)
    expect(graph?.seen).toHaveLength(1)
  })

  it('passes a 429 on with its Retry-After, without retrying', async () => {
    const reply = await forward({ retries: 2 }, [429, 200])
    expect(reply).toMatchObject({ status: 429, headers: { 'retry-after': '30' } })
    expect(graph?.seen).toHaveLength(1)
  })

  it('does not send again after a timeout, by default: Graph may have taken the message', async () => {
    await expect(forward({ retries: 2 }, ['hang', 200])).rejects.toThrow(
      new UpstreamOutcomeUnknown(
        `no answer within ${HANG_TIMEOUT_MS} ms (not retried: upstream.retry_timeouts is off)`,
      ),
    )
    expect(graph?.seen).toHaveLength(1)
  })

  it('counts the whole answer within the timeout: a body that trickles on is no answer', async () => {
    await expect(forward({ retries: 2 }, ['trickle', 200])).rejects.toThrow(
      new UpstreamOutcomeUnknown(
        `no answer within ${HANG_TIMEOUT_MS} ms (not retried: upstream.retry_timeouts is off)`,
      ),
    )
    expect(graph?.seen).toHaveLength(1)
  })

  it('does not send again after the connection broke once the request went out', async () => {
    const error: unknown = await forward({ retries: 2 }, ['reset', 200]).catch((problem: unknown) => problem)
    expect(error).toBeInstanceOf(UpstreamOutcomeUnknown)
    expect((error as Error).message).toMatch(
      /^the connection to 127\.0\.0\.1:\d+ broke before Graph answered: /,
    )
    expect(graph?.seen).toHaveLength(1)
  })

  it('retries what it did not hear back about when told to, and says the outcome is unknown if none is answered', async () => {
    const reply = await forward({ retries: 2, retryTimeouts: true }, ['hang', 'reset', 200])
    expect(reply.status).toBe(200)
    expect(graph?.seen).toHaveLength(3)
    await graph?.close()
    const again = await forward({ retries: 1, retryTimeouts: true }, ['hang', 503]).catch(
      (problem: unknown) => problem,
    )
    expect(again).toBeInstanceOf(UpstreamOutcomeUnknown)
    expect((again as Error).message).toBe('Graph answered 503 (after 2 attempts)')
  })

  it('retries a connection that could not be made — nothing was sent — and then says Graph is unavailable', async () => {
    const closed = await ScriptedGraph.start([])
    const url = closed.url
    await closed.close()
    const attempt = upstreamFor({ timeoutMs: 5_000, retries: 2 }).forward({
      channel: channelOn(url),
      ...SEND,
    })
    const error: unknown = await attempt.catch((problem: unknown) => problem)
    expect(error).toBeInstanceOf(UpstreamUnavailable)
    expect((error as Error).message).toMatch(
      /^cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED.* \(after 3 attempts\)$/,
    )
  })

  it('says what went wrong after the last attempt', async () => {
    await expect(forward({ retries: 1 }, [500, 502])).rejects.toThrow(
      new UpstreamUnavailable('Graph answered 502 (after 2 attempts)'),
    )
  })
})

describe('the pooled client', () => {
  let graph: ScriptedGraph | undefined
  afterEach(async () => {
    await graph?.close()
  })

  it('keeps its connections alive from one forward to the next, and closes them when closed', async () => {
    const forwards = 10
    graph = await ScriptedGraph.start([])
    const upstream = graphUpstream({ timeoutMs: 5_000, retries: 0 })
    for (let i = 0; i < forwards; i++) {
      const reply = await upstream.forward({ channel: channelOn(graph.url), ...SEND })
      expect(reply.status).toBe(200)
    }
    expect(graph.seen).toHaveLength(forwards)
    // undici frees a connection just after its answer's body ends, so the second forward may open another one.
    expect(graph.connections).toBeLessThanOrEqual(2)
    expect(graph.closedConnections).toBe(0)

    await upstream.close()
    await vi.waitFor(() => {
      expect(graph?.closedConnections).toBe(graph?.connections)
    })
    await upstream.close()
  })

  it('does not read an answer longer than maxAnswerBytes, and says the outcome is unknown', async () => {
    graph = await ScriptedGraph.start(['huge', 200])
    const upstream = graphUpstream({ timeoutMs: 5_000, retries: 2, maxAnswerBytes: MAX_ANSWER_BYTES })
    try {
      await expect(upstream.forward({ channel: channelOn(graph.url), ...SEND })).rejects.toThrow(
        new UpstreamOutcomeUnknown(
          `Graph's answer was longer than ${MAX_ANSWER_BYTES} bytes (not retried: upstream.retry_timeouts is off)`,
        ),
      )
      expect(graph.seen).toHaveLength(1)
    } finally {
      await upstream.close()
    }
  })

  it('says Graph is unavailable, without sending, once it has been closed', async () => {
    graph = await ScriptedGraph.start([200])
    const upstream = graphUpstream({ timeoutMs: 5_000, retries: 1, retryDelayMs: 1 })
    await upstream.close()
    const error: unknown = await upstream
      .forward({ channel: channelOn(graph.url), ...SEND })
      .catch((problem: unknown) => problem)
    expect(error).toBeInstanceOf(UpstreamUnavailable)
    expect(graph.seen).toHaveLength(0)
  })
})
