import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChannelRecord } from '../store/store.js'
import { UpstreamOutcomeUnknown, UpstreamUnavailable } from './upstream.js'
import { graphUpstream } from './graph-upstream.js'

/**
 * A Graph that answers each request as the test says: hang (never answer), reset (read the request, then drop the
 * connection without a word, as a crashing proxy would), or a status.
 */
type Step = 'hang' | 'reset' | number

/** The per-attempt timeout where a step hangs. */
const HANG_TIMEOUT_MS = 300

class ScriptedGraph {
  readonly seen: string[] = []
  private readonly hanging: ServerResponse[] = []
  private readonly server: Server = createServer((request, response) => {
    this.answer(request, response)
  })

  private constructor(private readonly script: Step[]) {}

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
    if (step === 'hang') {
      this.hanging.push(response)
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

describe('forwarding to Graph', () => {
  let graph: ScriptedGraph | undefined

  beforeEach(() => {
    graph = undefined
  })
  afterEach(async () => {
    await graph?.close()
  })

  const forward = (options: { retries: number; retryTimeouts?: boolean }, script: Step[]) =>
    ScriptedGraph.start(script).then((started) => {
      graph = started
      // Short only where Graph is meant to hang: an answer that is merely slow on a loaded machine must not time out.
      const timeoutMs = script.includes('hang') ? HANG_TIMEOUT_MS : 5_000
      return graphUpstream({ timeoutMs, retryDelayMs: 1, ...options }).forward({
        channel: channelOn(started.url),
        version: 'v21.0',
        path: '/106540352242922/messages',
        body: '{"to":"16505551234"}',
        contentType: 'application/json',
      })
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
    const attempt = graphUpstream({ timeoutMs: 5_000, retryDelayMs: 1, retries: 2 }).forward({
      channel: channelOn(url),
      version: 'v21.0',
      path: '/106540352242922/messages',
      body: '{}',
      contentType: 'application/json',
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
