import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChannelRecord } from '../store/store.js'
import { UpstreamUnavailable } from '../gateway/upstream.js'
import { graphUpstream } from './graph-upstream.js'

/** A Graph that answers each request as the test says: hang (never answer), or a status. */
class ScriptedGraph {
  readonly seen: string[] = []
  private readonly hanging: ServerResponse[] = []
  private readonly server: Server = createServer((request, response) => {
    this.answer(request, response)
  })

  private constructor(private readonly script: ('hang' | number)[]) {}

  static async start(script: ('hang' | number)[]): Promise<ScriptedGraph> {
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
    response.writeHead(step, { 'content-type': 'application/json' })
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

  const forward = (options: { retries: number; retryTimeouts?: boolean }, script: ('hang' | number)[]) =>
    ScriptedGraph.start(script).then((started) => {
      graph = started
      return graphUpstream({ timeoutMs: 150, retryDelayMs: 1, ...options }).forward({
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

  it('retries a 5xx and a timeout by default', async () => {
    const reply = await forward({ retries: 2 }, [503, 'hang', 200])
    expect(reply.status).toBe(200)
    expect(graph?.seen).toHaveLength(3)
  })

  it('never retries a 4xx: it is Graph’s verdict', async () => {
    const reply = await forward({ retries: 2 }, [400, 200])
    expect(reply.status).toBe(400)
    expect(graph?.seen).toHaveLength(1)
  })

  it('gives up after a timeout without a second attempt when timeouts are not to be retried', async () => {
    await expect(forward({ retries: 2, retryTimeouts: false }, ['hang', 200])).rejects.toThrow(
      new UpstreamUnavailable('no answer within 150 ms (not retried: upstream.retry_timeouts is off)'),
    )
    expect(graph?.seen).toHaveLength(1)
  })

  it('still retries a 5xx when timeouts are not to be retried: Graph did not take the message', async () => {
    const reply = await forward({ retries: 2, retryTimeouts: false }, [500, 200])
    expect(reply.status).toBe(200)
    expect(graph?.seen).toHaveLength(2)
  })

  it('says what went wrong after the last attempt', async () => {
    await expect(forward({ retries: 1 }, [500, 502])).rejects.toThrow('Graph answered 502 (after 2 attempts)')
  })
})
