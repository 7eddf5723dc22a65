import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { createLogger } from '../../src/shared/logging.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import {
  Cleanup,
  createE2eDatabase,
  postMessage,
  testConfigFile,
  ticketUpdate,
} from '../support/test-gateway.js'

/** Short bounds, so a test sees them reached; the upstream of the test config waits up to ~1.5 s for Graph. */
const REQUEST_TIMEOUT_MS = 500
const MAX_HEADER_BYTES = 4_096

/** How long the slow client keeps dribbling before the test gives up on the server closing the connection. */
const DRIBBLE_CAP_MS = 20_000

interface DribbleOutcome {
  /** Whether the server closed the connection (rather than the client giving up at the cap). */
  readonly isClosedByServer: boolean
  readonly bytesSent: number
  /** What the server answered, as text. */
  readonly answer: string
}

/**
 * A client that announces a body of `contentLength` bytes over a real socket and sends it one byte every 50 ms —
 * the slow-body attack that keeps a connection (and its request) open for as long as the client likes.
 */
function dribbleBody(url: string, contentLength: number): Promise<DribbleOutcome> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const received: Buffer[] = []
    let bytesSent = 0
    let isClosedByServer = true
    let ticker: NodeJS.Timeout | undefined
    const cap = setTimeout(() => {
      isClosedByServer = false
      socket.destroy()
    }, DRIBBLE_CAP_MS)
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.on('error', () => undefined)
    socket.on('connect', () => {
      socket.write(
        `POST /webhooks/whatsapp HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
          `X-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\nContent-Length: ${contentLength}\r\n\r\n`,
      )
      ticker = setInterval(() => {
        if (socket.writable && bytesSent < contentLength) {
          socket.write(' ')
          bytesSent++
        }
      }, 50)
    })
    socket.on('close', () => {
      clearTimeout(cap)
      clearInterval(ticker)
      resolve({ isClosedByServer, bytesSent, answer: Buffer.concat(received).toString('utf8') })
    })
    socket.setTimeout(DRIBBLE_CAP_MS * 2, () => {
      reject(new Error('the socket stalled'))
    })
  })
}

describe('time and size bounds on every connection', { timeout: 60_000 }, () => {
  let graph: FakeGraph
  let server: RunningServer
  const cleanup = new Cleanup()

  beforeAll(async () => {
    const database = await createE2eDatabase('sqlite')
    cleanup.add(() => database.destroy())
    graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    const file = testConfigFile({ databaseUrl: database.url, graphUrl: graph.url })
    const config = resolveConfig(
      {
        ...file,
        server: {
          port: 0,
          request_timeout_ms: REQUEST_TIMEOUT_MS,
          headers_timeout_ms: REQUEST_TIMEOUT_MS,
          max_header_bytes: MAX_HEADER_BYTES,
        },
        // Graph may take longer to answer than a request may take to arrive.
        upstream: { timeout_ms: 5 * REQUEST_TIMEOUT_MS, retries: 0 },
      },
      {},
      null,
    )
    server = await startServer({ config, logger: createLogger('silent') })
    cleanup.add(() => server.close())
  })

  afterAll(() => cleanup.run())

  it('answers 408 to a client dribbling its body and closes the connection, before the body is in', async () => {
    const outcome = await dribbleBody(server.url, 100_000)

    expect(outcome.isClosedByServer).toBe(true)
    expect(outcome.bytesSent).toBeLessThan(100_000)
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    const body = outcome.answer.slice(outcome.answer.indexOf('\r\n\r\n') + 4)
    const error = (JSON.parse(body) as { error: { code: number; error_data: { details: string } } }).error
    expect(error.code).toBe(100)
    expect(error.error_data.details).toContain('server.request_timeout_ms')
  })

  it('answers 431 to headers over server.max_header_bytes (Node’s default would take them)', async () => {
    const response = await fetch(`${server.url}/healthz`, {
      headers: { 'x-padding': 'a'.repeat(MAX_HEADER_BYTES * 2) },
    })

    expect(response.status).toBe(431)
    const error = ((await response.json()) as { error: { code: number; error_data: { details: string } } })
      .error
    expect(error.error_data.details).toContain('server.max_header_bytes')
  })

  it('still takes headers within the limit', async () => {
    const response = await fetch(`${server.url}/healthz`, {
      headers: { 'x-padding': 'a'.repeat(MAX_HEADER_BYTES / 2) },
    })

    expect(response.status).toBe(200)
  })

  it('lets a send that arrived in full wait for Graph longer than the request timeout', async () => {
    // Graph answers three times REQUEST_TIMEOUT_MS after the request arrived in full.
    graph.takeAfterNext(() => new Promise((resolve) => setTimeout(resolve, 3 * REQUEST_TIMEOUT_MS)))

    const answer = await postMessage(server.url, ticketUpdate('31612345678', 'T-1'))

    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.text)).toMatchObject({ messages: [{ id: graph.accepted[0]?.wamid }] })
    expect(graph.requests).toHaveLength(1)
  })
})
