import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import {
  discardDeadLetter,
  listDeadLetters,
  retryDeadLetter,
  tenantDeadLetter,
} from '../../../gateway/api/dead-letters.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { jsonObject, parseInput, responses } from './shared.js'
import { READS, WRITES } from '../../route-access.js'

const MAX_PAGE_SIZE = 100

const listQuerySchema = z.strictObject({
  after: z.coerce
    .number('after must be the next_after of the previous page')
    .int('after must be the next_after of the previous page')
    .min(0, 'after must be the next_after of the previous page')
    .max(Number.MAX_SAFE_INTEGER, 'after must be the next_after of the previous page')
    .default(0)
    .describe('next_after of the previous page'),
  limit: z.coerce
    .number(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .int(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .min(1, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .default(50)
    .describe('Dead letters per page'),
  access_token: z.string().optional(),
})

const idSchema = z.strictObject({
  deadLetterId: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'a dead letter id is the id in GET /v1/dead-letters')
    .transform(Number)
    .meta({ description: 'The id in GET /v1/dead-letters', examples: ['4711'] }),
})

const deadLetterExample = {
  id: 4711,
  status: 'dead',
  platform: 'whatsapp',
  received_at: '2024-03-02T10:00:00.000Z',
  dead_at: '2024-03-02T10:00:16.000Z',
  attempts: 5,
  error: 'the reason its last try failed',
  concerns: [{ channel_id: '106540352242922', contact_id: '31612345678' }],
  body: { object: 'whatsapp_business_account', entry: ['…'] },
}

type IdRequest = FastifyRequest<{ Params: { deadLetterId: string } }>

/**
 * Dead letters: notifications Meta delivered (and carewindow acknowledged) that could not be applied after their
 * last try. Decisions about the contacts and templates each concerns are refused (503, CONTACT_STATE_UNKNOWN)
 * until an operator retries it or discards it.
 */
export function registerDeadLetterRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/dead-letters',
    {
      config: READS,
      schema: {
        operationId: 'listDeadLetters',
        summary: 'Notifications that could not be applied',
        description:
          'The tenant’s dead letters, oldest first: each with why its last try failed, the contacts and templates it concerns (whose decisions are refused meanwhile) and the notification as Meta sent it. Page with limit (1–100, default 50) and after = the previous page’s next_after (null on the last page). The count of all dead letters is the carewindow_inbox_dead_letters metric.',
        tags: ['dead letters'],
        ...documentedZod({ querystring: listQuerySchema }),
        response: responses(
          { 200: jsonObject('The dead letters', { data: [deadLetterExample], next_after: null }) },
          [400, 401],
        ),
      },
    },
    async (request) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(listQuerySchema, request.query)
      return listDeadLetters(gateway, tenant.id, { after: query.after, limit: query.limit })
    },
  )

  app.get(
    '/v1/dead-letters/:deadLetterId',
    {
      config: READS,
      schema: {
        operationId: 'getDeadLetter',
        summary: 'A notification that could not be applied',
        description:
          'Why its last try failed, the contacts and templates it concerns, and the notification as Meta sent it.',
        tags: ['dead letters'],
        ...documentedZod({ params: idSchema }),
        response: responses({ 200: jsonObject('The dead letter', deadLetterExample) }),
      },
    },
    async (request: IdRequest) => {
      const tenant = await authenticate(gateway, request)
      return tenantDeadLetter(gateway, tenant.id, parseInput(idSchema, request.params).deadLetterId)
    },
  )

  app.post(
    '/v1/dead-letters/:deadLetterId/retry',
    {
      config: WRITES,
      schema: {
        operationId: 'retryDeadLetter',
        summary: 'Try a dead letter again',
        description:
          'It is applied as if it had just arrived, before anything newer about the same contacts; decisions about them wait for it and go ahead once it is applied. If it fails again it is retried and given up as before.',
        tags: ['dead letters'],
        ...documentedZod({ params: idSchema }),
        response: responses({
          200: jsonObject('Being tried again', { ...deadLetterExample, status: 'retrying' }),
        }),
      },
    },
    async (request: IdRequest) => {
      const tenant = await authenticate(gateway, request)
      return retryDeadLetter(gateway, tenant.id, parseInput(idSchema, request.params).deadLetterId)
    },
  )

  app.post(
    '/v1/dead-letters/:deadLetterId/discard',
    {
      config: WRITES,
      schema: {
        operationId: 'discardDeadLetter',
        summary: 'Set a dead letter aside for good',
        description:
          'It is never applied, and decisions about what it concerns go ahead on what carewindow knows without it. Use it when the notification can never apply and what it said is known (or does not matter).',
        tags: ['dead letters'],
        ...documentedZod({ params: idSchema }),
        response: responses({ 200: jsonObject('Discarded', { ...deadLetterExample, status: 'discarded' }) }),
      },
    },
    async (request: IdRequest) => {
      const tenant = await authenticate(gateway, request)
      return discardDeadLetter(gateway, tenant.id, parseInput(idSchema, request.params).deadLetterId)
    },
  )
}
