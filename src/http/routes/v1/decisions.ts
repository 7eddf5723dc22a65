import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { dryRunDecision } from '../../../gateway/api/dry-run.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { decisionJson } from '../../../representations/decision-json.js'
import {
  channelParamsSchema,
  instantSchema,
  jsonObject,
  parseInput,
  requireBody,
  responses,
  tenantChannel,
  type ChannelParams,
} from './shared.js'
import { READS } from '../../route-access.js'

const dryRunSchema = z.strictObject({
  message: z
    .looseObject(
      {},
      'message must be the body you would send: Graph’s send body (WhatsApp) or the Send API body (Messenger)',
    )
    .meta({
      description: 'The Graph send body (WhatsApp) or Send API body (Messenger)',
      examples: [
        {
          messaging_product: 'whatsapp',
          to: '31612345678',
          type: 'text',
          text: { body: 'Your order has shipped' },
        },
      ],
    }),
  at: instantSchema.optional(),
  sender: z.enum(['agent', 'bot'], 'sender must be agent or bot').default('bot'),
})

/** `POST /v1/channels/{channel_id}/decisions`: would this message go out, and why? */
export function registerDecisionRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post(
    '/v1/channels/:channelId/decisions',
    {
      config: READS,
      schema: {
        operationId: 'decideMessage',
        summary: 'Dry-run a send',
        description:
          'Decides a message exactly as a send would — from the stored window, consent and templates — and answers with the decision, the rules that made it, the window, consent, billing and a plain-language explanation. Nothing is written and nothing is sent. `at` asks about another instant (“would this go out tomorrow at 10:00?”); it cannot be before the contact’s latest event. `sender` matters on Messenger only (HUMAN_AGENT is for people).',
        tags: ['decisions'],
        ...documentedZod({ params: channelParamsSchema, body: dryRunSchema }),
        response: responses({
          200: jsonObject('The decision', {
            at: '2024-03-02T11:00:00.000Z',
            contact: '31612345678',
            platform: 'whatsapp',
            allowed: false,
            reason: 'WINDOW_CLOSED',
            rules: ['CCW-4', 'CCW-6'],
            window: { state: 'closed', type: 'customer_care', expires_at: '2024-03-02T10:00:00.000Z' },
            template: null,
            billing: null,
            error: { code: 131047, title: 'Re-engagement message', details: '…' },
            explanation: 'Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after …',
          }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const { channel } = await tenantChannel(gateway, request)
      const input = parseInput(dryRunSchema, requireBody(request, 'the message to decide'))
      const { contact, decision, settings } = await dryRunDecision(gateway, channel, {
        message: input.message,
        sender: input.sender,
        ...(input.at === undefined ? {} : { at: input.at }),
      })
      return decisionJson(decision, { contact, settings })
    },
  )
}
