/**
 * A local stand-in for Graph's send endpoint, for the forwarding benchmark: `node:http` with keep-alive, answering
 * every `POST /{version}/{phone_number_id}/messages` 200 with Graph's send response (meta-platform.md §1.3) — the
 * recipient as `contacts[].input` and `wa_id`, and a `wamid` of its own for each message. It runs in a process of
 * its own (http-server.ts `graph`), so its CPU is not counted as carewindow's.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeGraph {
  /** `http://127.0.0.1:PORT`: the channel's `base_url`. */
  readonly url: string
  /** Messages answered 200 so far. */
  accepted(): number
  close(): Promise<void>
}

const SEND_PATH = /^\/v\d+\.\d+\/\d+\/messages$/

export async function startFakeGraph(): Promise<FakeGraph> {
  let accepted = 0
  const prefix = `wamid.HBgL${Date.now().toString(36)}`
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const to = recipientOf(Buffer.concat(chunks))
      if (request.method !== 'POST' || !SEND_PATH.test(request.url ?? '') || to === null) {
        response.writeHead(400, { 'content-type': 'application/json' })
        response.end('{"error":{"message":"Unknown path components","type":"OAuthException","code":2500}}')
        return
      }
      accepted++
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({
          messaging_product: 'whatsapp',
          contacts: [{ input: to, wa_id: to }],
          messages: [{ id: `${prefix}${accepted.toString(36)}`, message_status: 'accepted' }],
        }),
      )
    })
  })
  // Longer than the benchmark's pauses between runs, so a pause never closes a connection mid-request.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

function recipientOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { to?: unknown }
    return typeof parsed.to === 'string' ? parsed.to : null
  } catch {
    return null
  }
}
