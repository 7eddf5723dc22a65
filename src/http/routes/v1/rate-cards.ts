import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { rateCardSchema, toRateCard } from '../../../config/rate-cards.js'
import type { Gateway } from '../../../gateway/gateway.js'
import {
  checkId,
  deleteTenantRateCard,
  importTenantRateCard,
  listTenantRateCards,
  saveTenantRateCard,
} from '../../../gateway/api/rate-cards.js'
import { storedRateCardJson } from '../../../representations/rate-card-json.js'
import { GatewayError } from '../../../shared/errors.js'
import { authenticate } from '../../auth.js'
import { documentedZod, requestJsonSchema } from '../../openapi/request-schemas.js'
import { documentedRequest } from '../../openapi/schemas.js'
import { jsonObject, parseInput, requireBody, responses } from './shared.js'
import { READS, WRITES } from '../../route-access.js'

interface CardParams {
  readonly id: string
}

const paramsSchema = z.object({
  id: z.string().meta({
    description: 'The card’s id, the tenant’s own: letters, digits, ".", "_" and "-" (at most 64)',
    examples: ['meta-2026-10-eur'],
  }),
})

const CARD =
  'A rate card, as the config file’s rate_cards take it: label, currency, effective_from, optional countries (country → Meta’s group) and rates (market → category → amount as a decimal string); the body may repeat the id'

// In a PUT the path names the card; the body may repeat its id, but not contradict it.
const cardSchema = rateCardSchema
  .partial({ id: true })
  .extend({
    label: rateCardSchema.shape.label.meta({ examples: ['Meta rate card, October 2026 (EUR)'] }),
    currency: rateCardSchema.shape.currency.meta({ examples: ['EUR'] }),
    effective_from: rateCardSchema.shape.effective_from.meta({ examples: ['2026-10-01'] }),
  })
  .meta({ description: CARD })

const importQuerySchema = z.strictObject({
  id: z
    .string()
    .describe('The card’s id')
    .meta({ examples: ['meta-2026-10-eur'] }),
  label: z
    .string()
    .describe('What the card is')
    .meta({ examples: ['Meta rate card, October 2026 (EUR)'] }),
  currency: z
    .string()
    .optional()
    .describe('The card’s currency (ISO 4217); optional when the file has a Currency column')
    .meta({ examples: ['EUR'] }),
  effective_from: z
    .string()
    .describe('When the card takes effect: a date (midnight UTC) or an instant with offset')
    .meta({ examples: ['2026-10-01'] }),
  access_token: z.string().optional(),
})

const CSV_EXAMPLE = [
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Netherlands,EUR,0.1597,0.0500,0.0464,,0.0000',
  'Rest of Western Europe,EUR,0.0490,0.0142,0.0142,,0.0000',
  'Other,EUR,0.0500,0.0064,0.0064,,0.0000',
].join('\n')

const cardExample = {
  id: 'meta-2026-10-eur',
  label: 'Meta rate card, October 2026 (EUR)',
  currency: 'EUR',
  effective_from: '2026-10-01T00:00:00.000Z',
  is_sample: false,
  countries: { AT: 'Rest of Western Europe', BE: 'Rest of Western Europe' },
  rates: {
    NL: { marketing: '0.1597', utility: '0.05', authentication: '0.0464', service: '0' },
    'Rest of Western Europe': { marketing: '0.049', utility: '0.0142', authentication: '0.0142' },
    '*': { marketing: '0.05', utility: '0.0064', authentication: '0.0064', service: '0' },
  },
  source: 'csv',
  created_at: '2026-09-14T08:00:00.000Z',
  updated_at: '2026-09-14T08:00:00.000Z',
}

/**
 * A tenant's own rate cards: list (with what the config file gives every tenant), create or replace, delete, and
 * import Meta's published CSV. From the earliest of a tenant's cards on they replace the config file's cards for it.
 */
export function registerRateCardRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/rate-cards',
    {
      config: READS,
      schema: {
        operationId: 'listRateCards',
        summary: 'List the tenant’s rate cards',
        description:
          'The tenant’s own cards, oldest effective date first; the cards the config file gives every tenant (configured.cards, are_samples when they are carewindow’s illustrative figures) and the date from which the tenant’s own replace them (configured.replaced_from); and the card pricing messages now (in_force, with its source: tenant or config).',
        tags: ['costs'],
        response: responses(
          {
            200: jsonObject('The cards', {
              data: [cardExample],
              in_force: {
                id: 'sample-2025-pmp',
                label: 'SAMPLE FIGURES — illustrative only, not Meta’s rates (per-message pricing)',
                currency: 'USD',
                effective_from: '2025-07-01T00:00:00.000Z',
                is_sample: true,
                source: 'config',
              },
              configured: { cards: [], are_samples: true, replaced_from: '2026-10-01T00:00:00.000Z' },
            }),
          },
          [401],
        ),
      },
    },
    async (request) => listTenantRateCards(gateway, (await authenticate(gateway, request)).id),
  )

  app.put(
    '/v1/rate-cards/:id',
    {
      config: WRITES,
      schema: {
        operationId: 'replaceRateCard',
        summary: 'Create or replace a rate card',
        description:
          'Stores the card (201 when it is new): the next decision prices with it, in this process at once and in other instances on the same database within 5 s. One card is in force at a time, so a card that takes effect at the same instant as another of the tenant’s cards is refused (409).',
        tags: ['costs'],
        ...documentedZod({ params: paramsSchema, body: cardSchema }),
        response: responses(
          {
            200: jsonObject('The replaced card', { ...cardExample, source: 'api' }),
            201: jsonObject('The new card', { ...cardExample, source: 'api' }),
          },
          [400, 401, 409],
        ),
      },
    },
    async (request: FastifyRequest<{ Params: CardParams }>, reply) => {
      const tenant = await authenticate(gateway, request)
      const { id } = request.params
      checkId(id)
      const input = parseInput(cardSchema, requireBody(request, 'the rate card'))
      if (input.id !== undefined && input.id !== id)
        throw new GatewayError(
          'INVALID_REQUEST',
          `id: the body says "${input.id}" but the path "${id}"; rename a card by storing it under the new id and deleting the old one`,
        )
      const result = await saveTenantRateCard(gateway, tenant.id, toRateCard({ ...input, id }), 'api')
      return reply.status(result.isNew ? 201 : 200).send(storedRateCardJson(result.stored))
    },
  )

  app.delete(
    '/v1/rate-cards/:id',
    {
      config: WRITES,
      schema: {
        operationId: 'deleteRateCard',
        summary: 'Delete a rate card',
        description:
          'The next decision prices without it (the tenant’s other cards, or the config file’s before the first of them).',
        tags: ['costs'],
        ...documentedZod({ params: paramsSchema }),
        response: responses({ 200: jsonObject('Deleted', { success: true }) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: CardParams }>) => {
      const tenant = await authenticate(gateway, request)
      await deleteTenantRateCard(gateway, tenant.id, request.params.id)
      return { success: true }
    },
  )

  // Only the import takes CSV: the parser lives in a scope of its own, so no other route accepts text/csv.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (request, body: string, parsed) => {
      request.rawBody = Buffer.from(body)
      parsed(null, body)
    })
    registerImport(scope, gateway)
    done()
  })
}

function registerImport(app: FastifyInstance, gateway: Gateway): void {
  app.post(
    '/v1/rate-cards/import',
    {
      config: WRITES,
      schema: {
        operationId: 'importRateCard',
        summary: 'Import a rate card from Meta’s CSV',
        description:
          'Takes a rate card in the shape Meta publishes them, saved as CSV (Content-Type: text/csv): a header Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service and a row per market — a country by its English name or ISO code, one of Meta’s groups such as Rest of Western Europe (its countries are mapped to it, except those priced on their own row), or Other for the rest of the world. Empty and n/a cells are left out. The id, label, currency and effective date come in the query. Stores the card like PUT /v1/rate-cards/{id} (201 when it is new). A file with any problem stores nothing: the 400 lists every problem with its line.',
        tags: ['costs'],
        ...documentedRequest({
          querystring: requestJsonSchema(importQuerySchema),
          body: {
            content: { 'text/csv': { schema: { type: 'string', examples: [CSV_EXAMPLE] } } },
          },
        }),
        response: responses(
          {
            200: jsonObject('The replaced card', cardExample),
            201: jsonObject('The new card', cardExample),
          },
          [400, 401, 409],
        ),
      },
    },
    async (request, reply) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(importQuerySchema, request.query)
      if (typeof request.body !== 'string')
        throw new GatewayError(
          'INVALID_REQUEST',
          'send the CSV file as the body with Content-Type: text/csv (a card as JSON goes to PUT /v1/rate-cards/{id})',
        )
      const result = await importTenantRateCard(gateway, tenant.id, request.body, query)
      return reply.status(result.isNew ? 201 : 200).send(storedRateCardJson(result.stored))
    },
  )
}
