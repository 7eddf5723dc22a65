import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import { consentHistory, recordConsent } from '../../../gateway/api/consent.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import {
  contactParamsSchema,
  instantSchema,
  jsonObject,
  parseInput,
  requireBody,
  responses,
  tenantContact,
  type ContactParams,
} from './shared.js'
import { READS, WRITES } from '../../route-access.js'

const scope = z.enum(
  ['all', 'marketing', 'utility', 'authentication'],
  'scope must be all, marketing, utility or authentication',
)

/** An opt-in's body. */
export const optInSchema = z.strictObject({
  scope,
  source: z
    .string('source says where the consent came from: website_form, qr_code, keyword, api, import, …')
    .trim()
    .min(1, 'source must not be empty')
    .max(100)
    .meta({ examples: ['website_form'] }),
  evidence: z
    .string()
    .max(4000)
    .optional()
    .meta({ examples: ['Checkbox "Send me updates on WhatsApp", form v3'] }),
  actor: z
    .string()
    .max(200)
    .optional()
    .meta({ examples: ['agent:maria'] }),
  at: instantSchema.optional().describe('When it was given; default now'),
})

const optOutSchema = optInSchema.extend({
  scope: scope.optional(),
  source: optInSchema.shape.source.default('api'),
})

const optOutQuerySchema = z.strictObject({
  scope: scope.optional().describe('What the opt-out covers (or give it in the body); default all'),
  access_token: z.string().optional(),
})

const eventExample = {
  id: 7,
  kind: 'opt_in',
  scope: 'marketing',
  source: 'website_form',
  evidence: 'Checkbox "Send me updates on WhatsApp", form v3',
  actor: null,
  at: '2024-03-01T10:00:00.000Z',
  recorded_at: '2024-03-01T10:00:01.000Z',
}

/** The consent ledger: opt in, opt out (a new entry, never a deletion), read the history and the consent now. */
export function registerConsentRoutes(app: FastifyInstance, gateway: Gateway): void {
  const path = '/v1/channels/:channelId/contacts/:contactId/consent'

  app.post(
    path,
    {
      config: WRITES,
      schema: {
        operationId: 'recordOptIn',
        summary: 'Record an opt-in',
        description:
          'Appends an opt-in to the contact’s consent ledger: scope (all or one template category), source, optional evidence, actor and time (default now). Opening a window is never an opt-in (CCW-5); after the window only opted-in templates may go out (CCW-6).',
        tags: ['consent'],
        ...documentedZod({ params: contactParamsSchema, body: optInSchema }),
        response: responses({ 201: jsonObject('The stored ledger entry', eventExample) }),
      },
    },
    async (request: FastifyRequest<{ Params: ContactParams }>, reply) => {
      const { channel, contactId } = await tenantContact(gateway, request)
      const input = parseInput(optInSchema, requireBody(request, 'the opt-in'))
      const event = await recordConsent(gateway, channel, contactId, {
        kind: 'opt_in',
        scope: input.scope,
        source: input.source,
        ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
        ...(input.actor === undefined ? {} : { actor: input.actor }),
        ...(input.at === undefined ? {} : { at: input.at }),
      })
      return reply.status(201).send(event)
    },
  )

  app.delete(
    path,
    {
      config: WRITES,
      schema: {
        operationId: 'recordOptOut',
        summary: 'Record an opt-out',
        description:
          'Appends an opt-out to the ledger (the opt-ins stay in the history). An optional JSON body takes the opt-in’s fields (scope, source, evidence, actor, at); scope may be given in the query instead, default all; source defaults to api. A marketing opt-out refuses marketing templates (Graph code 131050); an opt-out of all revokes every category.',
        tags: ['consent'],
        // The body is optional; OpenAPI would mark a documented body as required.
        ...documentedZod({ params: contactParamsSchema, querystring: optOutQuerySchema }),
        response: responses({
          200: jsonObject('The stored ledger entry', { ...eventExample, kind: 'opt_out', source: 'api' }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ContactParams }>) => {
      const { channel, contactId } = await tenantContact(gateway, request)
      const query = parseInput(optOutQuerySchema, request.query)
      const input = parseInput(optOutSchema, request.body ?? {})
      if (query.scope !== undefined && input.scope !== undefined && query.scope !== input.scope)
        throw new GatewayError(
          'INVALID_REQUEST',
          `scope: the query says ${query.scope} and the body ${input.scope}; give it once`,
        )
      return recordConsent(gateway, channel, contactId, {
        kind: 'opt_out',
        scope: input.scope ?? query.scope ?? 'all',
        source: input.source,
        ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
        ...(input.actor === undefined ? {} : { actor: input.actor }),
        ...(input.at === undefined ? {} : { at: input.at }),
      })
    },
  )

  app.get(
    path,
    {
      config: READS,
      schema: {
        operationId: 'getConsent',
        summary: 'A contact’s consent ledger and consent now',
        description:
          'Every opt-in and opt-out, oldest first, and the consent in force now per category (marketing, utility, authentication) with the entry that set it.',
        tags: ['consent'],
        ...documentedZod({ params: contactParamsSchema }),
        response: responses({
          200: jsonObject('History and current consent', {
            contact_id: '31612345678',
            channel_id: '106540352242922',
            history: [eventExample],
            current: {
              marketing: {
                state: 'opted_in',
                since: '2024-03-01T10:00:00.000Z',
                scope: 'marketing',
                source: 'website_form',
              },
              utility: { state: 'none', since: null, scope: null, source: null },
              authentication: { state: 'none', since: null, scope: null, source: null },
              revoked_all_at: null,
            },
          }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ContactParams }>) => {
      const { channel, contactId } = await tenantContact(gateway, request)
      return consentHistory(gateway, channel, contactId)
    },
  )
}
