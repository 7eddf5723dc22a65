import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import type { CommittedEvent } from '../../../store/store.js'
import { authenticate } from '../../auth.js'
import { MAX_BUFFERED_BYTES, sseFrame, type EventSink, type EventStreams } from '../../live/event-streams.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { READS } from '../../route-access.js'
import { sharedResponses } from '../../openapi/responses.js'
import { parseInput, responses } from './shared.js'

const querySchema = z.strictObject({
  access_token: z
    .string()
    .max(512)
    .optional()
    .describe(
      'The API key, for clients that cannot set headers (a browser’s EventSource). Prefer the Authorization header where you can: a query string may be logged by proxies (carewindow’s own logs mask it).',
    ),
})

/**
 * `GET /v1/events/stream`: Server-Sent Events carrying the tenant's events — the bodies its webhook gets, announced
 * once the transaction that recorded them has committed. Bounded (EventStreams), kept alive by comment lines, and
 * ended when the server closes.
 */
export function registerEventStreamRoutes(
  app: FastifyInstance,
  gateway: Gateway,
  streams: EventStreams,
): void {
  app.get(
    '/v1/events/stream',
    {
      config: READS,
      schema: {
        operationId: 'streamEvents',
        summary: 'Live events (Server-Sent Events)',
        description: `A text/event-stream of the tenant’s events as they happen: each SSE message’s \`event\` is the type (window.opened, window.expiring, window.closed, message.refused, message.status, consent.changed, case.reengaged, held_message.released, billing.mismatch, and the relayed whatsapp.notification / messenger.notification) and its \`data\` the JSON body the tenant’s webhook gets (docs/events.md), sent once the transaction that recorded it has committed — whether or not the tenant has a webhook URL. A comment line (\`: heartbeat\`) every ${Math.round(streams.heartbeatMs / 1000)} s keeps proxies from closing it. Authenticate with Authorization: Bearer, or access_token in the query for a browser’s EventSource. Live only: nothing is replayed on reconnect (read the resources again), and a stream hears the events of the instance it is connected to. At most ${streams.maxStreams} streams are open per instance (429 beyond); a client that reads too slowly is disconnected.`,
        tags: ['live events'],
        ...documentedZod({ querystring: querySchema }),
        response: {
          ...responses(
            {
              200: {
                description:
                  'The stream: `retry:`, then `event:`/`data:` messages and `: heartbeat` comments, until either side closes it.',
                content: { 'text/event-stream': { schema: { type: 'string' } } },
              },
            },
            [400, 401],
          ),
          ...sharedResponses('EventStreamsFull'),
        },
      },
    },
    async (request, reply) => {
      parseInput(querySchema, request.query)
      const tenant = await authenticate(gateway, request)
      const raw = reply.raw
      // Started once the stream is open; `end` may run before that (a write to a stream already gone).
      const timers: { heartbeat?: NodeJS.Timeout } = {}
      let isEnded = false
      const end = (): void => {
        if (isEnded) return
        isEnded = true
        clearInterval(timers.heartbeat)
        streams.close(sink)
        raw.end()
      }
      const write = (text: string): void => {
        if (isEnded) return
        // A client that does not read is not buffered for without end: it is let go, and may reconnect.
        if (raw.writableLength > MAX_BUFFERED_BYTES) end()
        else raw.write(text)
      }
      const sink: EventSink = {
        tenantId: tenant.id,
        send: (event: CommittedEvent) => {
          write(sseFrame(event))
        },
        end,
      }
      if (!streams.open(sink))
        throw new GatewayError(
          'EVENT_STREAMS_FULL',
          `${streams.maxStreams} event streams are open on this instance`,
        )
      reply.hijack()
      // Heartbeats keep it alive, not the server's idle timeout, which would cut a quiet stream.
      request.raw.socket.setTimeout(0)
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        // Its socket goes with it: a stream ended at shutdown leaves no keep-alive connection for close() to wait on.
        connection: 'close',
        'x-request-id': request.id,
      })
      raw.write(': carewindow live events\nretry: 3000\n\n')
      timers.heartbeat = setInterval(() => {
        write(': heartbeat\n\n')
      }, streams.heartbeatMs)
      timers.heartbeat.unref()
      request.raw.on('close', end)
      raw.on('error', end)
    },
  )
}
