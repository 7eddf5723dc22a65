import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import {
  decodeDeliveryCursor,
  listDeadDeliveries,
  MAX_REDRIVE_BATCH,
  redriveDeadDeliveries,
  redriveDeadDelivery,
  tenantDeadDelivery,
} from '../../../gateway/api/dead-deliveries.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { jsonObject, parseInput, responses } from './shared.js'
import { READS, WRITES } from '../../route-access.js'

const MAX_PAGE_SIZE = 100
const TAGS = ['dead deliveries']

const wholeNumber = (what: string, max: number, fallback: number) =>
  z.coerce
    .number(`${what} must be a whole number from 1 to ${max}`)
    .int(`${what} must be a whole number from 1 to ${max}`)
    .min(1, `${what} must be a whole number from 1 to ${max}`)
    .max(max, `${what} must be a whole number from 1 to ${max}`)
    .default(fallback)

const listQuerySchema = z.strictObject({
  limit: wholeNumber('limit', MAX_PAGE_SIZE, 50).describe(`How many to list (1–${MAX_PAGE_SIZE})`),
  cursor: z.string().optional().describe('paging.next_cursor of the previous page'),
  access_token: z.string().optional(),
})

const redriveAllQuerySchema = z.strictObject({
  limit: wholeNumber('limit', MAX_REDRIVE_BATCH, MAX_REDRIVE_BATCH).describe(
    'How many to re-drive in this call, oldest first',
  ),
  access_token: z.string().optional(),
})

const deliveryExample = {
  id: 'dlv_0lzq3k1c0a8f3e2d1c0b9a8f7e6d5c4b',
  status: 'dead',
  event_type: 'whatsapp.notification',
  attempts: 15,
  last_error: 'https://hooks:***@acme.example/carewindow-hook?token=*** answered 503',
  created_at: '2024-03-02T10:00:00.000Z',
  last_attempt_at: '2024-03-03T22:14:09.000Z',
}

const idSchema = z.strictObject({
  deliveryId: z
    .string()
    .regex(/^[\x21-\x7e]{1,256}$/, 'a delivery id is the id in GET /v1/dead-deliveries')
    .meta({
      description: 'The delivery’s id: X-Carewindow-Delivery of its attempts',
      examples: [deliveryExample.id],
    }),
})

type IdRequest = FastifyRequest<{ Params: { deliveryId: string } }>

/**
 * Dead deliveries: events and relayed notifications the tenant's webhook did not take after `outbox.max_attempts`
 * tries. The outbox keeps them; an operator lists them and, once the webhook works again, re-drives one or all —
 * the counterpart, for what carewindow sends, of the dead letters of what it receives.
 */
export function registerDeadDeliveryRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/dead-deliveries',
    {
      config: READS,
      schema: {
        operationId: 'listDeadDeliveries',
        summary: 'Deliveries your webhook did not take',
        description:
          'The tenant’s dead deliveries, oldest first: each with its event type, the attempts made, why the last one failed (credentials in URLs shown as ***) and when. Page with limit (1–100, default 50) and the opaque paging.next_cursor, null on the last page. The count of all dead deliveries is the carewindow_outbox_dead_deliveries metric.',
        tags: TAGS,
        ...documentedZod({ querystring: listQuerySchema }),
        response: responses(
          {
            200: jsonObject('A page of dead deliveries', {
              data: [deliveryExample],
              paging: { next_cursor: null },
            }),
          },
          [400, 401],
        ),
      },
    },
    async (request) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(listQuerySchema, request.query)
      const after = query.cursor === undefined ? undefined : decodeDeliveryCursor(query.cursor)
      if (query.cursor !== undefined && after === undefined)
        throw new GatewayError(
          'INVALID_REQUEST',
          'cursor: not a cursor carewindow gave out; pass paging.next_cursor of the previous page as it is',
        )
      return listDeadDeliveries(gateway, tenant.id, {
        limit: query.limit,
        ...(after === undefined ? {} : { after }),
      })
    },
  )

  app.post(
    '/v1/dead-deliveries/redrive',
    {
      config: WRITES,
      schema: {
        operationId: 'redriveDeadDeliveries',
        summary: 'Deliver the dead deliveries again',
        description: `Makes the tenant’s oldest dead deliveries pending again, at most limit (1–${MAX_REDRIVE_BATCH}, default ${MAX_REDRIVE_BATCH}) per call: each is delivered as if new, with the same id and bytes. The answer says how many were re-driven and how many are still dead; call again until remaining is 0. Refused (400) while the tenant has no webhook.`,
        tags: TAGS,
        ...documentedZod({ querystring: redriveAllQuerySchema }),
        response: responses(
          {
            200: jsonObject('How many were re-driven, and how many are still dead', {
              redriven: 3,
              remaining: 0,
            }),
          },
          [400, 401],
        ),
      },
    },
    async (request) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(redriveAllQuerySchema, request.query)
      return redriveDeadDeliveries(gateway, tenant.id, query.limit)
    },
  )

  app.get(
    '/v1/dead-deliveries/:deliveryId',
    {
      config: READS,
      schema: {
        operationId: 'getDeadDelivery',
        summary: 'A delivery your webhook did not take',
        description: 'The dead delivery with the payload it carries, exactly what its attempts POSTed.',
        tags: TAGS,
        ...documentedZod({ params: idSchema }),
        response: responses({
          200: jsonObject('The dead delivery', {
            ...deliveryExample,
            payload: { object: 'whatsapp_business_account', entry: ['…'] },
          }),
        }),
      },
    },
    async (request: IdRequest) => {
      const tenant = await authenticate(gateway, request)
      return tenantDeadDelivery(gateway, tenant.id, parseInput(idSchema, request.params).deliveryId)
    },
  )

  app.post(
    '/v1/dead-deliveries/:deliveryId/redrive',
    {
      config: WRITES,
      schema: {
        operationId: 'redriveDeadDelivery',
        summary: 'Deliver a dead delivery again',
        description:
          'Makes it pending again, due now, with no attempts counted: it is delivered as if new, with the same id (X-Carewindow-Delivery) and the same signed bytes, and if the webhook still fails it is retried and given up as before. Refused (400) while the tenant has no webhook.',
        tags: TAGS,
        ...documentedZod({ params: idSchema }),
        response: responses({
          200: jsonObject('Pending again', { ...deliveryExample, status: 'pending', attempts: 0 }),
        }),
      },
    },
    async (request: IdRequest) => {
      const tenant = await authenticate(gateway, request)
      return redriveDeadDelivery(gateway, tenant.id, parseInput(idSchema, request.params).deliveryId)
    },
  )
}
