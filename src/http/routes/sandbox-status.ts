import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../shared/errors.js'
import { describeIssues } from '../../shared/validation.js'
import { recordedPricingFacts } from '../../channels/whatsapp/meta-pricing.js'
import { SANDBOX_STATUSES, statusNotification, type WirePricing } from '../../channels/whatsapp/sandbox.js'
import type { ChannelRecord } from '../../store/store.js'
import { authenticate } from '../auth.js'
import { WRITES } from '../route-access.js'
import { graphErrorResponses } from '../openapi/responses.js'
import { documentedZod } from '../openapi/request-schemas.js'

const paramsSchema = z.object({
  channelId: z.string().meta({ description: 'A sandbox WhatsApp channel’s phone_number_id' }),
})

/** A category or a type as Meta writes them: lower-case words joined by `_`. */
const metaWord = z.string().regex(/^[a-z][a-z_]{0,39}$/, 'lower-case letters and "_", at most 40')

const statusSchema = z.strictObject({
  message_id: z
    .string()
    .min(1)
    .max(100)
    .meta({
      description: 'The x-carewindow-message-id of a send the sandbox accepted',
      examples: ['msg_3k9xQ…'],
    }),
  status: z.enum(SANDBOX_STATUSES).default('delivered'),
  /**
   * What Meta says it billed. Left out: carewindow's own pricing of the message (what the sandbox reports by
   * itself). Given: a difference to reconcile, e.g. a utility template Meta re-categorised as marketing.
   */
  pricing: z
    .strictObject({
      pricing_model: z.enum(['CBP', 'PMP']),
      category: metaWord.meta({ examples: ['marketing'] }),
      billable: z.boolean(),
      type: metaWord.optional().meta({ examples: ['regular'] }),
    })
    .optional(),
})

/**
 * Sandbox only: `POST /v1/sandbox/{phone_number_id}/status` plays the status notification Meta would post for a
 * message the sandbox accepted — with the pricing carewindow expects, or with the pricing given, so a demo can show
 * reconciliation finding a difference. It takes the real webhook path and answers once the notification is applied.
 */
export function registerSandboxStatusRoute(
  app: FastifyInstance,
  gateway: Gateway,
  sandboxChannel: (tenantId: string, channelId: string) => Promise<ChannelRecord>,
): void {
  app.post(
    '/v1/sandbox/:channelId/status',
    {
      config: WRITES,
      schema: {
        operationId: 'simulateStatus',
        summary: 'Simulate Meta’s status notification for a sent message (sandbox channels only)',
        description:
          'Builds the status notification Meta would post for a message the sandbox accepted (`sent`, `delivered` or `read`), signs it with the channel’s app secret and takes the real webhook path; answers once it is applied. `pricing` is what Meta says it billed; without it, carewindow’s own pricing of the message. A `pricing` that differs from carewindow’s shows up in `GET /v1/costs/reconciliation`.',
        tags: ['sandbox'],
        ...documentedZod({ params: paramsSchema, body: statusSchema }),
        response: {
          202: {
            description: 'The status notification is applied as Meta’s would have been.',
            type: 'object',
            properties: {
              message_id: { type: 'string', examples: ['msg_3k9xQ…'] },
              external_id: { type: 'string', examples: ['wamid.HBgL…'] },
              status: { type: 'string', enum: [...SANDBOX_STATUSES] },
              pricing: {
                type: 'object',
                description: 'The pricing object the notification carried',
                additionalProperties: true,
              },
            },
            required: ['message_id', 'external_id', 'status', 'pricing'],
          },
          ...graphErrorResponses([400, 401, 404]),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { channelId: string } }>, reply) => {
      const tenant = await authenticate(gateway, request)
      const channel = await sandboxChannel(tenant.id, request.params.channelId)
      const parsed = statusSchema.safeParse(request.body)
      if (!parsed.success) throw new GatewayError('INVALID_REQUEST', describeIssues(parsed.error).join('; '))
      const { message_id: messageId, status } = parsed.data
      const message = await gateway.store.getMessage(messageId)
      if (message?.tenantId !== tenant.id || message.channelId !== channel.id)
        throw new GatewayError(
          'NOT_FOUND',
          `there is no message '${messageId}' on sandbox channel '${channel.externalId}'`,
        )
      if (message.direction !== 'outbound' || message.externalId === null)
        throw new GatewayError(
          'INVALID_REQUEST',
          `message '${messageId}' was not sent (${message.direction === 'outbound' ? 'refused or not forwarded' : 'it is a customer’s message'}): only a sent message gets statuses`,
        )
      const pricing = parsed.data.pricing ?? recordedPricing(message.decisionJson)
      if (pricing === null)
        throw new GatewayError(
          'INVALID_REQUEST',
          `message '${messageId}' has no pricing carewindow recorded: give "pricing" as Meta would report it`,
        )
      const notification = statusNotification(
        channel,
        message.externalId,
        message.contactId,
        status,
        gateway.clock(),
        pricing,
      )
      await gateway.simulateNotification(channel, notification)
      await gateway.inbox.drain()
      return reply
        .status(202)
        .send({ message_id: messageId, external_id: message.externalId, status, pricing })
    },
  )
}

/** carewindow's own pricing of a message, as Meta would write it; `null` without one. */
function recordedPricing(decisionJson: string | null): WirePricing | null {
  const facts = recordedPricingFacts(decisionJson)
  if (facts === null || facts.pricingModel === null || facts.category === null || facts.billable === null)
    return null
  return {
    billable: facts.billable,
    pricing_model: facts.pricingModel,
    category: facts.category,
    ...(facts.type === null ? {} : { type: facts.type }),
  }
}
