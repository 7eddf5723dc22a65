import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ERRORS, GatewayError, type ErrorKey } from '../shared/errors.js'
import { randomId } from '../shared/ids.js'
import { repeatLimiterOf } from '../shared/logging.js'
import { isStoreUnavailable } from '../store/store-errors.js'
import { catalogueErrorBody } from './replies/graph-envelope.js'

/** Errors on these routes carry WhatsApp's `error_data.messaging_product`. */
const WHATSAPP_ROUTE = /^\/(v\d+\.\d+\/\d+\/messages|webhooks\/whatsapp)/

/** When a client should try again after the database could not be reached: Meta and clients retry on their own too. */
export const STORE_RETRY_AFTER_SECONDS = 5

/**
 * The one error handler: every error becomes Graph's error envelope with a stable catalogue code (see
 * docs/errors.md) and the request id as `fbtrace_id`. Client mistakes are 4xx with details that say what to
 * fix; a database that cannot be reached is a 503 with `Retry-After`; only a bug is a 500. Both are logged — once,
 * then once per interval with a count, so an outage that fails every request does not flood the log.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  const repeats = repeatLimiterOf(app.log)
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { key, details } = classify(error)
    if (key === 'STORE_UNAVAILABLE')
      repeats.log(request.log, 'error', { err: error }, 'database unavailable; answering 503')
    else if (key === 'INTERNAL')
      repeats.log(
        request.log,
        'error',
        { err: error },
        'unhandled error',
        `unhandled error: ${error.message}`,
      )
    if (error instanceof GatewayError && error.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(error.retryAfterSeconds))
    return sendError(request, reply, key, details)
  })
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      'ROUTE_NOT_FOUND',
      `${request.method} ${request.url.split('?')[0] ?? ''} is not a carewindow route`,
    ),
  )
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  key: ErrorKey,
  details: string,
): FastifyReply {
  if (key === 'STORE_UNAVAILABLE') reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
  return reply
    .status(ERRORS[key].status)
    .type('application/json')
    .send(
      catalogueErrorBody(key, details, {
        traceId: request.id,
        product: WHATSAPP_ROUTE.test(request.url) ? 'whatsapp' : null,
      }),
    )
}

function classify(error: FastifyError): { key: ErrorKey; details: string } {
  if (error instanceof GatewayError) return { key: error.key, details: error.details }
  if (isStoreUnavailable(error))
    return { key: 'STORE_UNAVAILABLE', details: 'the database cannot be reached right now' }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { key: 'BODY_TOO_LARGE', details: 'the request body is too large' }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        key: 'UNSUPPORTED_MEDIA_TYPE',
        details: `Content-Type ${error.message.replace(/^.*: /, '')} is not accepted`,
      }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { key: 'INVALID_JSON', details: 'the body is empty' }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { key: 'INVALID_REQUEST', details: 'Content-Length does not match the body' }
    default:
      break
  }
  if (error.validation !== undefined) return { key: 'INVALID_REQUEST', details: error.message }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500)
    return { key: 'INVALID_REQUEST', details: error.message }
  return { key: 'INTERNAL', details: 'something went wrong' }
}

/**
 * Fastify's `clientErrorHandler`: what Node refuses before there is a request to route — a request that did not
 * arrive in full within `server.request_timeout_ms` (408), headers over `server.max_header_bytes` (431), bytes that
 * are not HTTP (400) — answered in Graph's envelope like every other error, and the connection closed.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [key, details]: [ErrorKey, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['REQUEST_TIMEOUT', 'the request took too long to arrive']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ['HEADERS_TOO_LARGE', 'the request headers are too large']
        : ['INVALID_REQUEST', 'the request is not valid HTTP/1.1']
  const entry = ERRORS[key]
  const body = catalogueErrorBody(key, details, { traceId: randomId('req') })
  if (!socket.writable) {
    socket.destroy()
    return
  }
  socket.end(
    `HTTP/1.1 ${entry.status} ${STATUS_CODES[entry.status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  )
}
