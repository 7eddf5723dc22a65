import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { formatInstant } from '../../../domain/index.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { findTenantChannel } from '../../../gateway/api/channels.js'
import { decodeReconciliationCursor, listReconciliation } from '../../../gateway/api/reconciliation.js'
import { GatewayError } from '../../../shared/errors.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { instantSchema, jsonObject, parseInput, responses } from './shared.js'
import { READS } from '../../route-access.js'

const MAX_PAGE_SIZE = 500
const DAY_MS = 24 * 60 * 60 * 1000
/** The longest period one request covers: a little over a year. */
const MAX_PERIOD_DAYS = 400
const DEFAULT_PERIOD_DAYS = 30

const querySchema = z.strictObject({
  from: instantSchema
    .optional()
    .describe(`Start of the period, inclusive (default: ${DEFAULT_PERIOD_DAYS} days before to)`),
  to: instantSchema.optional().describe('End of the period, exclusive (default: now)'),
  channel: z.string().max(64).optional().describe('Only this channel (phone_number_id or Page id)'),
  limit: z.coerce
    .number(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .int(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .min(1, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .default(50)
    .describe(`How many mismatches to list (1–${MAX_PAGE_SIZE})`),
  cursor: z.string().max(200).optional().describe('paging.next_cursor of the previous page'),
  access_token: z.string().optional(),
})

const example = {
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-04-01T00:00:00.000Z',
  summary: { checked: 1204, matched: 1203, mismatched: 1, by_cause: { template_recategorised: 1 } },
  data: [
    {
      message_id: 'msg_3k9xQ2mZ8bT1',
      wamid: 'wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI',
      channel: { platform: 'whatsapp', id: '106540352242922' },
      contact_id: '31612345678',
      at: '2026-03-14T09:12:44.000Z',
      cause: 'template_recategorised',
      explanation:
        'Meta billed the template in another category than the one carewindow had: it was probably re-categorised (template_category_update); sync the templates.',
      differences: [{ field: 'category', carewindow: 'utility', meta: 'marketing' }],
      carewindow: {
        billing: { pricing_model: 'PMP', category: 'utility', billable: true, type: 'regular' },
        price: { amount: '0.0147', amount_micros: 14700, currency: 'EUR' },
      },
      meta: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
    },
  ],
  paging: { next_cursor: null },
}

/**
 * Reconciliation with Meta: what Meta's status notifications said it billed, against carewindow's own pricing.
 */
export function registerCostReconciliationRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/costs/reconciliation',
    {
      config: READS,
      schema: {
        operationId: 'listBillingMismatches',
        summary: 'Messages Meta billed differently',
        description:
          'For each message whose status notifications carried Meta’s pricing, carewindow compares the pricing model, category, billable and type with its own. This lists the period’s mismatches, newest first, with both sides, the fields that differ and the likely cause (a template Meta re-categorised, a free entry point carewindow did not know of, the pricing era, in-window charging), and counts how all checked messages came out. Each mismatch is also sent as the billing.mismatch event, and counted in carewindow_billing_checks_total. Period: from (inclusive) to to (exclusive), at most 400 days; by default the last 30 days.',
        tags: ['costs'],
        ...documentedZod({ querystring: querySchema }),
        response: responses(
          { 200: jsonObject('The period’s mismatches and counts', example) },
          [400, 401, 404],
        ),
      },
    },
    async (request) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(querySchema, request.query)
      const to = query.to ?? gateway.clock()
      const from = query.from ?? to - DEFAULT_PERIOD_DAYS * DAY_MS
      if (from >= to)
        throw new GatewayError(
          'INVALID_REQUEST',
          `from (${formatInstant(from)}) must be before to (${formatInstant(to)})`,
        )
      if (to - from > MAX_PERIOD_DAYS * DAY_MS)
        throw new GatewayError(
          'INVALID_REQUEST',
          `the period is at most ${MAX_PERIOD_DAYS} days; ask for a shorter one, or page through it`,
        )
      const channel =
        query.channel === undefined
          ? undefined
          : await findTenantChannel(gateway.directory, tenant.id, query.channel)
      return listReconciliation(gateway, tenant.id, {
        from,
        to,
        channelId: channel?.id,
        limit: query.limit,
        after: query.cursor === undefined ? undefined : decodeReconciliationCursor(query.cursor),
      })
    },
  )
}
