import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Platform } from '../../domain/index.js'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../gateway/errors.js'
import { sendReply } from '../app.js'

/**
 * Meta's webhook endpoints for each platform: the verification handshake and signed notifications. They live in a
 * scope of their own whose JSON parser only keeps the raw bytes: the signature is checked over them before
 * anything is parsed, and the intake parses what it stores once, not twice.
 */
export async function registerWebhookRoutes(app: FastifyInstance, gateway: Gateway): Promise<void> {
  await app.register((scope, _options, done) => {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, parsed) => {
      request.rawBody = body
      parsed(null, undefined)
    })
    routes(scope, gateway)
    done()
  })
}

function routes(app: FastifyInstance, gateway: Gateway): void {
  for (const platform of ['whatsapp', 'messenger'] as const satisfies readonly Platform[]) {
    app.get(
      `/webhooks/${platform}`,
      { schema: { summary: `Meta webhook verification (${platform})`, tags: ['webhooks'], security: [] } },
      async (request, reply) =>
        sendReply(reply, await gateway.verifyWebhook(platform, request.query as Record<string, unknown>)),
    )
    app.post(
      `/webhooks/${platform}`,
      {
        schema: {
          summary: `Meta webhook notifications (${platform})`,
          description:
            'Signed with X-Hub-Signature-256 by the Meta app (HMAC-SHA256 of the raw body with the app secret); 401 and nothing stored otherwise. Answered 200 once durably stored.',
          tags: ['webhooks'],
          security: [],
        },
      },
      async (request: FastifyRequest, reply) => {
        if (request.rawBody === null)
          throw new GatewayError('INVALID_JSON', 'the notification has no JSON body')
        const signature = request.headers['x-hub-signature-256']
        return sendReply(
          reply,
          await gateway.receiveWebhook(
            platform,
            request.rawBody,
            typeof signature === 'string' ? signature : undefined,
          ),
        )
      },
    )
  }
}
