import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { tenantMessage } from '../../../gateway/api/messages.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { jsonObject, responses } from './shared.js'

const messageParamsSchema = z.object({
  messageId: z
    .string()
    .meta({ description: 'The x-carewindow-message-id of the send', examples: ['msg_3k9xQ…'] }),
})

/** `GET /v1/messages/{message_id}`: one of the caller's messages with its decision. */
export function registerMessageRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/messages/:messageId',
    {
      schema: {
        operationId: 'getMessage',
        summary: 'A message with its decision',
        description:
          'A message carewindow decided (outbound) or received (inbound), by the id in the x-carewindow-message-id header of the send: direction, contact, status and its time, the decision with the rules that made it and its explanation, carewindow’s price and the pricing object Meta reported.',
        tags: ['messages'],
        ...documentedZod({ params: messageParamsSchema }),
        response: responses(
          {
            200: jsonObject('The message', {
              id: 'msg_3k9xQ…',
              direction: 'outbound',
              channel: { platform: 'whatsapp', id: '106540352242922' },
              contact_id: '31612345678',
              external_id: 'wamid.HBgL…',
              at: '2024-03-01T10:05:00.000Z',
              status: 'delivered',
              status_at: '2024-03-01T10:05:02.000Z',
              allowed: true,
              reason: 'IN_CARE_WINDOW',
              decision: {
                allowed: true,
                reason: 'IN_CARE_WINDOW',
                rules: ['CCW-2'],
                explanation: 'Allowed: …',
              },
              price: null,
              meta_pricing: {
                billable: false,
                pricing_model: 'PMP',
                category: 'service',
                type: 'free_customer_service',
              },
              error: null,
              body: { messaging_product: 'whatsapp', to: '31612345678', type: 'text', text: { body: 'Hi!' } },
              created_at: '2024-03-01T10:05:00.000Z',
            }),
          },
          [401, 404],
        ),
      },
    },
    async (request: FastifyRequest<{ Params: { messageId: string } }>) => {
      const tenant = await authenticate(gateway, request)
      return tenantMessage(gateway, tenant.id, request.params.messageId)
    },
  )
}
