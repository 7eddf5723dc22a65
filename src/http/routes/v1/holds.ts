import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { cancelHold, listContactHolds, tenantHold } from '../../../gateway/api/holds.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import {
  contactParamsSchema,
  jsonObject,
  parseInput,
  responses,
  tenantContact,
  type ContactParams,
} from './shared.js'
import { READS, WRITES } from '../../route-access.js'

interface HoldParams {
  readonly holdId: string
}

const HOLD_STATUSES = ['held', 'releasing', 'released', 'failed', 'cancelled', 'expired'] as const

const listQuerySchema = z.strictObject({
  status: z
    .enum(HOLD_STATUSES, 'status must be held, releasing, released, failed, cancelled or expired')
    .optional()
    .describe('Only replies in this status'),
  access_token: z.string().optional(),
})

const holdExample = {
  id: 'hold_3k9xQ…',
  channel_id: '106540352242922',
  contact_id: '31612345678',
  status: 'held',
  body: {
    messaging_product: 'whatsapp',
    to: '31612345678',
    type: 'text',
    text: { body: 'Good news: the fix is live.' },
  },
  refused_message_id: 'msg_7Hq2…',
  message_id: null,
  error: null,
  created_at: '2024-03-02T11:00:00.000Z',
  expires_at: '2024-03-05T11:00:00.000Z',
  released_at: null,
}

const holdParamsSchema = z.object({
  holdId: z.string().meta({ description: 'held.id of the 202 reply to the send', examples: ['hold_3k9xQ…'] }),
})

/**
 * Held replies: free-form messages a channel with `hold_replies` kept (202) because the window was closed, sent
 * when the customer comes back. List a contact's, read one, cancel one that is still held.
 */
export function registerHoldRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/channels/:channelId/contacts/:contactId/held',
    {
      config: READS,
      schema: {
        operationId: 'listHeldReplies',
        summary: 'A contact’s held replies',
        description:
          'Oldest first — the order they are released in. status: held (waiting), releasing (being sent now), released (sent; message_id), failed (its send was refused at release; error says why), cancelled, expired.',
        tags: ['held replies'],
        ...documentedZod({ params: contactParamsSchema, querystring: listQuerySchema }),
        response: responses({ 200: jsonObject('The held replies', { data: [holdExample] }) }),
      },
    },
    async (request: FastifyRequest<{ Params: ContactParams }>) => {
      const { channel, contactId } = await tenantContact(gateway, request)
      const query = parseInput(listQuerySchema, request.query)
      return listContactHolds(gateway, channel, contactId, query.status)
    },
  )

  app.get(
    '/v1/held/:holdId',
    {
      config: READS,
      schema: {
        operationId: 'getHeldReply',
        summary: 'A held reply',
        description: 'Its status, the body it sends, and the messages it was refused as and sent as.',
        tags: ['held replies'],
        ...documentedZod({ params: holdParamsSchema }),
        response: responses({ 200: jsonObject('The held reply', holdExample) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: HoldParams }>) => {
      const tenant = await authenticate(gateway, request)
      return tenantHold(gateway, tenant.id, request.params.holdId)
    },
  )

  app.delete(
    '/v1/held/:holdId',
    {
      config: WRITES,
      schema: {
        operationId: 'cancelHeldReply',
        summary: 'Cancel a held reply',
        description:
          'It will not be sent. Only a reply still held can be cancelled: one already released (or failed, expired, cancelled) is a 409, also when the customer came back and it went out at this very moment.',
        tags: ['held replies'],
        ...documentedZod({ params: holdParamsSchema }),
        response: responses(
          { 200: jsonObject('The cancelled reply', { ...holdExample, status: 'cancelled' }) },
          [401, 404, 409],
        ),
      },
    },
    async (request: FastifyRequest<{ Params: HoldParams }>) => {
      const tenant = await authenticate(gateway, request)
      return cancelHold(gateway, tenant.id, request.params.holdId)
    },
  )
}
