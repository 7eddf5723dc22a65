import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../gateway/errors.js'
import { sendReply } from '../app.js'
import { authenticate } from '../auth.js'

const GRAPH_VERSION = /^v\d{1,3}\.\d{1,2}$/

/**
 * The WhatsApp Cloud API surface: `POST /{version}/{phone_number_id}/messages` (the proxy) and Meta's webhook
 * endpoints `GET`/`POST /webhooks/whatsapp`.
 */
export function registerWhatsAppRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post(
    '/:version/:phoneNumberId/messages',
    {
      schema: {
        summary: 'Send a message (Graph-compatible)',
        description:
          'The WhatsApp Cloud API send endpoint. Allowed messages are forwarded unchanged and Graph’s reply is returned; refused ones get HTTP 400 with Graph’s error envelope and the reason in error.error_data.details. Optional Idempotency-Key header.',
        tags: ['proxy'],
        params: {
          type: 'object',
          properties: { version: { type: 'string', examples: ['v21.0'] }, phoneNumberId: { type: 'string' } },
        },
      },
    },
    async (request: FastifyRequest<{ Params: { version: string; phoneNumberId: string } }>, reply) => {
      const { version, phoneNumberId } = request.params
      if (!GRAPH_VERSION.test(version))
        throw new GatewayError('INVALID_VERSION', `"${version}" is not a Graph version such as v21.0`)
      const tenant = await authenticate(gateway, request)
      const channel = await gateway.directory.tenantChannel(tenant.id, 'whatsapp', phoneNumberId)
      if (channel === undefined)
        throw new GatewayError(
          'NOT_FOUND',
          `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`,
        )
      if (request.rawBody === null || request.body === undefined)
        throw new GatewayError('INVALID_JSON', 'send the message as a JSON body')
      const idempotencyKey = request.headers['idempotency-key']
      const result = await gateway.sendWhatsApp({
        tenant,
        channel,
        version,
        rawBody: request.rawBody.toString('utf8'),
        body: request.body,
        idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
        traceId: request.id,
      })
      return sendReply(reply, result)
    },
  )

  app.get(
    '/webhooks/whatsapp',
    { schema: { summary: 'Meta webhook verification', tags: ['webhooks'], security: [] } },
    async (request, reply) =>
      sendReply(reply, await gateway.verifyWebhook('whatsapp', request.query as Record<string, unknown>)),
  )

  app.post(
    '/webhooks/whatsapp',
    {
      schema: {
        summary: 'Meta webhook notifications',
        description: 'Signed with X-Hub-Signature-256 by the Meta app; 401 and nothing stored otherwise.',
        tags: ['webhooks'],
        security: [],
      },
    },
    async (request, reply) => {
      if (request.rawBody === null)
        throw new GatewayError('INVALID_JSON', 'the notification has no JSON body')
      const signature = request.headers['x-hub-signature-256']
      return sendReply(
        reply,
        await gateway.receiveWebhook(
          'whatsapp',
          request.rawBody,
          typeof signature === 'string' ? signature : undefined,
        ),
      )
    },
  )
}
