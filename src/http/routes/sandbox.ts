import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../shared/errors.js'
import { MAX_CONTACT_ID_LENGTH } from '../../gateway/api/channels.js'
import { describeIssues } from '../../shared/validation.js'
import { formatInstant, parseWaId } from '../../domain/index.js'
import { EARLIEST_WIRE_INSTANT, instantProblem, LATEST_WIRE_INSTANT } from '../../channels/wire-limits.js'
import { authenticate } from '../auth.js'
import { graphErrorResponses } from '../openapi/responses.js'
import { documentedZod } from '../openapi/request-schemas.js'
import { registerSandboxStatusRoute } from './sandbox-status.js'
import type { ChannelRecord } from '../../store/store.js'
import { WRITES } from '../route-access.js'

const FROM = `"from" is the customer’s phone number (wa_id), 6 to ${MAX_CONTACT_ID_LENGTH} characters`

const paramsSchema = z.object({
  channelId: z.string().meta({ description: 'A sandbox WhatsApp channel’s phone_number_id' }),
})

const inboundSchema = z.strictObject({
  /** The customer, keyed as carewindow keys contacts (its `wa_id`: see `parseWaId`). */
  from: z
    .string(FROM)
    .min(6, FROM)
    .max(MAX_CONTACT_ID_LENGTH, FROM)
    .transform((from, context) => {
      const contact = parseWaId(from)
      if (contact.ok) return contact.id
      context.addIssue({ code: 'custom', message: contact.problem })
      return z.NEVER
    })
    .meta({ examples: ['31612345678'] }),
  text: z
    .string()
    .min(1)
    .max(4096)
    .default('Hi')
    .meta({ examples: ['Hi'] }),
  /** `ad` or `post` makes it a click-to-WhatsApp ad / Page call-to-action message (free entry point). */
  referral: z.enum(['ad', 'post']).optional(),
  /** When the customer wrote (ISO 8601); default now. Lets a demo replay yesterday. */
  at: z.iso
    .datetime({ offset: true })
    .refine(
      (at) => instantProblem(Date.parse(at), 'at') === null,
      `at must be between ${formatInstant(EARLIEST_WIRE_INSTANT)} and ${formatInstant(LATEST_WIRE_INSTANT)}`,
    )
    .optional(),
})

/**
 * Sandbox only: `POST /v1/sandbox/{phone_number_id}/inbound` pretends a customer wrote, so a demo can open a
 * window without a phone. It builds the notification Meta would send, signs it with the channel's app secret and
 * takes the real webhook path; it answers once the window is updated.
 */
export function registerSandboxRoutes(app: FastifyInstance, gateway: Gateway): void {
  /** The tenant's sandbox WhatsApp channel with this phone_number_id; any other is not found. */
  const sandboxChannel = async (tenantId: string, channelId: string): Promise<ChannelRecord> => {
    const channel = await gateway.directory.tenantChannel(tenantId, 'whatsapp', channelId)
    if (channel?.upstream.mode !== 'sandbox')
      throw new GatewayError('NOT_FOUND', `there is no sandbox WhatsApp channel '${channelId}'`)
    return channel
  }
  app.post(
    '/v1/sandbox/:channelId/inbound',
    {
      config: WRITES,
      schema: {
        operationId: 'simulateInboundMessage',
        summary: 'Simulate a customer message (sandbox channels only)',
        description:
          'Builds the notification Meta would send for a customer’s text message, signs it with the channel’s app secret and takes the real webhook path; answers once the window is updated. `referral` makes it a click-to-WhatsApp ad or Page call-to-action message (a free entry point); `at` replays another instant.',
        tags: ['sandbox'],
        // The body as well: the handler's zod checks it once the caller and the channel are known.
        ...documentedZod({ params: paramsSchema, body: inboundSchema }),
        response: {
          202: {
            description: 'The window is updated as Meta’s notification would have updated it.',
            type: 'object',
            properties: {
              message_id: { type: 'string', examples: ['wamid.sandbox.req_3k9xQ2mZ8bT1'] },
              contact: {
                type: 'string',
                description: 'The contact as carewindow keys it',
                examples: ['31612345678'],
              },
            },
            required: ['message_id', 'contact'],
          },
          ...graphErrorResponses([400, 401, 404]),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { channelId: string } }>, reply) => {
      const tenant = await authenticate(gateway, request)
      const channel = await sandboxChannel(tenant.id, request.params.channelId)
      const parsed = inboundSchema.safeParse(request.body)
      if (!parsed.success) throw new GatewayError('INVALID_REQUEST', describeIssues(parsed.error).join('; '))
      const { from: contact, text, referral, at } = parsed.data
      const seconds = Math.floor((at === undefined ? gateway.clock() : Date.parse(at)) / 1000)
      const messageId = `wamid.sandbox.${request.id}`
      const notification = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: channel.externalId,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: channel.externalId, phone_number_id: channel.externalId },
                  contacts: [{ profile: { name: 'Sandbox customer' }, wa_id: contact }],
                  messages: [
                    {
                      from: contact,
                      id: messageId,
                      timestamp: String(seconds),
                      type: 'text',
                      text: { body: text },
                      ...(referral === undefined
                        ? {}
                        : { referral: { source_type: referral, source_id: 'sandbox' } }),
                    },
                  ],
                },
              },
            ],
          },
        ],
      })
      await gateway.simulateNotification(channel, notification)
      await gateway.inbox.drain()
      return reply.status(202).send({ message_id: messageId, contact })
    },
  )
  registerSandboxStatusRoute(app, gateway, sandboxChannel)
}
