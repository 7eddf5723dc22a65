import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { tenantMessage } from '../../../gateway/api/messages.js'
import {
  DEFAULT_SEARCH_PAGE,
  decodeMessageCursor,
  MAX_SEARCH_PAGE,
  searchTenantMessages,
} from '../../../gateway/api/message-search.js'
import { GatewayError } from '../../../shared/errors.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { checkPeriod, filterInputOf, messageFilterShape } from './message-filters.js'
import { jsonObject, parseInput, responses } from './shared.js'
import { READS } from '../../route-access.js'

const pageSize = `limit must be a whole number from 1 to ${MAX_SEARCH_PAGE}`
const searchQuerySchema = z
  .strictObject({
    ...messageFilterShape,
    limit: z.coerce
      .number(pageSize)
      .int(pageSize)
      .min(1, pageSize)
      .max(MAX_SEARCH_PAGE, pageSize)
      .default(DEFAULT_SEARCH_PAGE)
      .describe(`Messages per page (1–${MAX_SEARCH_PAGE})`),
    cursor: z.string().optional().describe('paging.next_cursor of the previous page'),
    include: z
      .enum(['body'], { error: (issue) => `include: ${JSON.stringify(issue.input)} is not one of body` })
      .optional()
      .describe(
        'body: each message also carries its body (the send as Graph got it, or the customer’s message), as GET /v1/messages/{message_id} shows it',
      ),
  })
  .superRefine(checkPeriod)

const summaryExample = {
  id: 'msg_3k9xQ…',
  direction: 'outbound',
  channel: { platform: 'whatsapp', id: '106540352242922' },
  contact_id: '31612345678',
  external_id: 'wamid.HBgL…',
  at: '2026-03-01T10:05:00.000Z',
  status: 'delivered',
  status_at: '2026-03-01T10:05:02.000Z',
  decision: {
    allowed: true,
    reason: 'OPTED_IN_TEMPLATE',
    rules: ['CCW-6', 'PRC-PMP', 'TPL-CATEGORY'],
    billing: {
      pricing_model: 'PMP',
      era: 'PMP_2025',
      category: 'marketing',
      billable: true,
      type: 'regular',
    },
    explanation: 'Allowed: …',
  },
  price: { amount: '0.1091', amount_micros: 109100, currency: 'USD' },
  market: 'NL',
  meta_pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
}

const messageParamsSchema = z.object({
  messageId: z
    .string()
    .meta({ description: 'The x-carewindow-message-id of the send', examples: ['msg_3k9xQ…'] }),
})

/**
 * `GET /v1/messages`: the caller's messages, searched and paged newest first; `GET /v1/messages/{message_id}`: one
 * with its whole decision.
 */
export function registerMessageRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/messages',
    {
      config: READS,
      schema: {
        operationId: 'searchMessages',
        summary: 'Search messages',
        description: `The tenant’s messages, newest first (by time, then id), each with the summary of its decision, carewindow’s price and the pricing Meta reported. Filter by period (from, included; to, excluded), channel, contact, direction, allowed, reason, category, pricing model, billing type, market and delivery status; list parameters take several values separated by commas. Page with limit (1–${MAX_SEARCH_PAGE}, default ${DEFAULT_SEARCH_PAGE}) and the opaque paging.next_cursor, null on the last page. With include=body each message carries its body too, so a conversation is one request. GET /v1/costs sums the same messages.`,
        tags: ['messages'],
        ...documentedZod({ querystring: searchQuerySchema }),
        response: responses(
          {
            200: jsonObject('A page of messages', { data: [summaryExample], paging: { next_cursor: null } }),
          },
          [400, 401],
        ),
      },
    },
    async (request) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(searchQuerySchema, request.query)
      const before = query.cursor === undefined ? undefined : decodeMessageCursor(query.cursor)
      if (query.cursor !== undefined && before === undefined)
        throw new GatewayError(
          'INVALID_REQUEST',
          'cursor: not a cursor carewindow gave out; pass paging.next_cursor of the previous page as it is',
        )
      return searchTenantMessages(gateway, tenant.id, filterInputOf(query), {
        limit: query.limit,
        ...(before === undefined ? {} : { before }),
        withBodies: query.include === 'body',
      })
    },
  )

  app.get(
    '/v1/messages/:messageId',
    {
      config: READS,
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
