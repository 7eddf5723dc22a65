import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/http/app.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  inboundTextNotification,
  OTHER_API_KEY,
  PHONE_NUMBER_ID,
  postWebhook,
  startE2eStack,
  textMessage,
  postMessage,
  type Dialect,
  type E2eStack,
} from '../support/test-gateway.js'

/** One SSE message as a client reads it. */
interface SseMessage {
  readonly event: string
  readonly data: string
}

/** An open event stream read as it arrives: its messages and comment lines, parsed as EventSource would. */
class StreamReader {
  readonly messages: SseMessage[] = []
  readonly comments: string[] = []
  private buffer = ''
  private isClosed = false
  private readonly done: Promise<void>

  constructor(readonly response: Response) {
    const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader()
    if (reader === undefined) throw new Error('the stream has no body')
    const decoder = new TextDecoder()
    this.done = (async () => {
      try {
        for (;;) {
          const chunk = await reader.read()
          if (chunk.done) break
          this.take(decoder.decode(chunk.value, { stream: true }))
        }
      } catch {
        // Aborted by the test, or reset by the server.
      }
      this.isClosed = true
    })()
  }

  get closed(): boolean {
    return this.isClosed
  }

  ended(): Promise<void> {
    return this.done
  }

  private take(text: string): void {
    this.buffer += text
    let end: number
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim())
        else if (line.startsWith('event: ')) event = line.slice('event: '.length)
        else if (line.startsWith('data: ')) data.push(line.slice('data: '.length))
      }
      if (data.length > 0) this.messages.push({ event, data: data.join('\n') })
    }
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function openStream(
  baseUrl: string,
  auth: { readonly header?: string; readonly query?: string },
  signal: AbortSignal,
): Promise<Response> {
  const query = auth.query === undefined ? '' : `?access_token=${encodeURIComponent(auth.query)}`
  return fetch(`${baseUrl}/v1/events/stream${query}`, {
    headers: auth.header === undefined ? {} : { authorization: `Bearer ${auth.header}` },
    signal,
  })
}

const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres']

for (const dialect of DIALECTS) {
  describe(`the live event stream over a real socket (${dialect})`, { timeout: 60_000 }, () => {
    const cleanup = new Cleanup()
    let stack: E2eStack
    const aborts: AbortController[] = []

    function controller(): AbortController {
      const abort = new AbortController()
      aborts.push(abort)
      return abort
    }

    beforeAll(async () => {
      stack = await startE2eStack(dialect, cleanup)
    })
    afterAll(async () => {
      for (const abort of aborts) abort.abort()
      await cleanup.run()
    })

    it('streams the tenant’s events after they commit, with the webhook’s bodies, and none of another tenant’s', async () => {
      const ours = await openStream(stack.server.url, { header: API_KEY }, controller().signal)
      expect(ours.status).toBe(200)
      expect(ours.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      const reader = new StreamReader(ours)
      const theirs = new StreamReader(
        await openStream(stack.server.url, { query: OTHER_API_KEY }, controller().signal),
      )
      const contact = dialect === 'sqlite' ? '31611110001' : '31611110002'
      const body = inboundTextNotification({ from: contact, id: `wamid.stream-${dialect}`, atMs: Date.now() })
      const answer = await postWebhook(stack.server.url, body, { secret: APP_SECRET })
      expect(answer.status).toBe(200)
      await until(
        () => reader.messages.some((message) => message.event === 'window.opened'),
        'window.opened on the stream',
      )
      const opened = reader.messages.find((message) => message.event === 'window.opened')
      const event = JSON.parse(opened?.data ?? '{}') as Record<string, unknown>
      expect(event).toMatchObject({
        type: 'window.opened',
        contact_id: contact,
        channel: { platform: 'whatsapp', id: PHONE_NUMBER_ID },
        window: { state: 'open' },
      })
      expect(String(event.id)).toMatch(/^evt_/)
      // The relayed notification is Meta's body, byte for byte.
      await until(
        () => reader.messages.some((message) => message.event === 'whatsapp.notification'),
        'the relayed notification',
      )
      expect(reader.messages.find((message) => message.event === 'whatsapp.notification')?.data).toBe(body)
      // A refused send is an event too.
      const refused = await postMessage(stack.server.url, textMessage('31699990000', 'Hello?'))
      expect(refused.status).toBe(400)
      await until(
        () => reader.messages.some((message) => message.event === 'message.refused'),
        'message.refused',
      )
      expect(theirs.messages).toEqual([])
    })

    it('refuses a stream without a valid key with 401, and a bad query with 400', async () => {
      const none = await fetch(`${stack.server.url}/v1/events/stream`)
      expect(none.status).toBe(401)
      const wrong = await fetch(`${stack.server.url}/v1/events/stream?access_token=nope`)
      expect(wrong.status).toBe(401)
      const odd = await fetch(`${stack.server.url}/v1/events/stream?since=yesterday`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      })
      expect(odd.status).toBe(400)
      expect(await odd.text()).toContain('since')
    })
  })
}

describe('the live event stream’s bounds', { timeout: 60_000 }, () => {
  const cleanup = new Cleanup()
  let stack: E2eStack
  let app: FastifyInstance
  let url: string

  beforeAll(async () => {
    stack = await startE2eStack('sqlite', cleanup)
    // A second app on the same gateway, with small bounds to reach.
    app = await buildApp({ gateway: stack.server.gateway, eventStreams: { maxStreams: 2, heartbeatMs: 50 } })
    cleanup.add(() => app.close())
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(() => cleanup.run())

  it('sends heartbeats, answers 429 beyond the limit, frees a closed stream’s place and ends streams on close', async () => {
    const first = controller()
    const one = new StreamReader(await openStream(url, { header: API_KEY }, first.signal))
    const two = new StreamReader(await openStream(url, { query: API_KEY }, controller().signal))
    await until(() => one.comments.includes('heartbeat'), 'a heartbeat')
    const full = await fetch(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${API_KEY}` } })
    expect(full.status).toBe(429)
    const error = (await full.json()) as { error: { code: number; error_data: { details: string } } }
    expect(error.error.code).toBe(4)
    expect(error.error.error_data.details).toMatch(/^2 event streams are open on this instance\. /)
    first.abort()
    await one.ended()
    // The server sees the client go and frees its place.
    let again: Response | undefined
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt++) {
      again = await fetch(`${url}/v1/events/stream`, {
        headers: { authorization: `Bearer ${API_KEY}` },
        signal: controller().signal,
      })
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(again?.status).toBe(200)
    const three = new StreamReader(again as Response)
    // Closing the server ends the open streams instead of waiting for them.
    await app.close()
    await Promise.all([two.ended(), three.ended()])
    expect(two.closed && three.closed).toBe(true)
  })

  const aborts: AbortController[] = []
  function controller(): AbortController {
    const abort = new AbortController()
    aborts.push(abort)
    return abort
  }
  afterAll(() => {
    for (const abort of aborts) abort.abort()
  })
})
