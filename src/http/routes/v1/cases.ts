import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { templateDefinitionSchema } from '../../../channels/whatsapp/template-definition.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import {
  caseByExternalId,
  createCase,
  decodeCaseCursor,
  listChannelCases,
  tenantCase,
  updateCase,
  type CaseChanges,
} from '../../../gateway/api/cases.js'
import { contactIdOf } from '../../../gateway/api/channels.js'
import { caseJson } from '../../../representations/case-json.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './contacts.js'
import {
  channelParamsSchema,
  jsonObject,
  parseInput,
  requireBody,
  responses,
  tenantChannel,
  type ChannelParams,
} from './shared.js'
import { READS, WRITES } from '../../route-access.js'

interface CaseParams {
  readonly caseId: string
}

interface ExternalIdParams extends ChannelParams {
  readonly externalId: string
}

const CASE_STATUSES = ['open', 'pending', 'resolved'] as const

const status = z.enum(CASE_STATUSES, 'status must be open, pending or resolved')
const externalId = z
  .string('external_id is your own ticket id, as a string')
  .trim()
  .min(1, 'external_id must not be empty')
  .max(200, 'external_id has at most 200 characters')
  .meta({ description: 'Your own ticket id, unique per channel', examples: ['T-1042'] })
const subject = z
  .string('subject must be a string')
  .trim()
  .min(1, 'subject must not be empty')
  .max(1000, 'subject has at most 1000 characters')
  .meta({ examples: ['Router does not connect'] })
const language = templateDefinitionSchema.shape.language.meta({
  description:
    'The customer’s language ("en", "pt_BR"): picks the keep-alive message and the re-engagement template’s language',
  examples: ['en'],
})
const parameters = z
  .record(
    z.string().regex(/^([1-9]\d{0,2}|[a-z_][a-z0-9_]{0,99})$/),
    z
      .string('a parameter’s value is a string')
      .min(1, 'a parameter’s value must not be empty')
      .max(1024, 'a parameter’s value has at most 1024 characters'),
    {
      // The key's own issue is reported as the record's, so the record says what a key must look like.
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'a parameter is named like its placeholder: "ticket_id" for {{ticket_id}}, "1" for {{1}}'
          : 'parameters is an object of template parameters by placeholder name, such as {"ticket_id": "T-42"}',
    },
  )
  .meta({
    description:
      'Template parameters by placeholder name for the Issue Resolution re-engagement ({"ticket_id": "T-42"} for {{ticket_id}}, {"1": "…"} for {{1}}); ticket_id falls back to external_id. Replaced as a whole.',
    examples: [{ ticket_id: 'T-1042' }],
  })

/** A new case's body. */
export const createCaseSchema = z.strictObject({
  contact_id: z.string('contact_id is the contact’s wa_id (phone number) or PSID').meta({
    description: 'wa_id (phone number; +, spaces and dashes are ignored) or PSID',
    examples: ['31612345678'],
  }),
  external_id: externalId.optional(),
  subject: subject.optional(),
  language: language.optional(),
  parameters: parameters.optional(),
  status: status.default('open'),
})

const patchSchema = z.strictObject({
  status: status.optional(),
  subject: subject.nullable().optional(),
  language: language.nullable().optional(),
  parameters: parameters.optional(),
  external_id: externalId.nullable().optional(),
})

const pageSize = `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`
const listQuerySchema = z.strictObject({
  contact_id: z
    .string()
    .optional()
    .meta({ description: 'Only this contact’s cases', examples: ['31612345678'] }),
  status: status.optional().describe('Only cases in this status'),
  external_id: externalId.optional().describe('Only the case with your ticket id'),
  limit: z.coerce
    .number(pageSize)
    .int(pageSize)
    .min(1, pageSize)
    .max(MAX_PAGE_SIZE, pageSize)
    .default(DEFAULT_PAGE_SIZE)
    .describe('Cases per page'),
  cursor: z.string().optional().describe('paging.next_cursor of the previous page'),
  access_token: z.string().optional(),
})

const caseExample = {
  id: 'case_0mf0y5o0g3f9c2a1b4d5e6f7a',
  channel_id: '106540352242922',
  contact_id: '31612345678',
  external_id: 'T-1042',
  status: 'open',
  subject: 'Router does not connect',
  language: 'en',
  parameters: { ticket_id: 'T-1042' },
  last_reengaged_at: null,
  created_at: '2024-03-01T10:00:00.000Z',
  updated_at: '2024-03-01T10:00:00.000Z',
}

const caseParamsSchema = z.object({
  caseId: z.string().meta({ description: 'The case’s id', examples: [caseExample.id] }),
})

const externalIdParamsSchema = channelParamsSchema.extend({
  externalId: z.string().meta({ description: 'The case’s external_id, URL-encoded', examples: ['T-1042'] }),
})

const updateDescription =
  'Changes the fields given (null clears subject, language or external_id). Resolving a case stops the contact’s pending Issue Resolution re-engagement, unless another case of theirs is still open or replies are held for them. 409 when another case of the channel has the new external_id.'

/**
 * Cases (tickets): one contact on one channel, open, pending or resolved. Keep-alive reminders and the Issue
 * Resolution re-engagement act on open cases and take their language and template parameters from them.
 */
export function registerCaseRoutes(app: FastifyInstance, gateway: Gateway): void {
  const collection = '/v1/channels/:channelId/cases'
  const byExternalId = `${collection}/by-external-id/:externalId`
  const byId = '/v1/cases/:caseId'

  app.post(
    collection,
    {
      config: WRITES,
      schema: {
        operationId: 'createCase',
        summary: 'Open a case',
        description:
          'Opens a case (ticket) for a contact on the channel; the contact is created if carewindow has not seen it. external_id is your own ticket id, unique per channel (409 when a case has it). status defaults to open.',
        tags: ['cases'],
        ...documentedZod({ params: channelParamsSchema, body: createCaseSchema }),
        response: responses({ 201: jsonObject('The case', caseExample) }, [400, 401, 404, 409]),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>, reply) => {
      const { channel } = await tenantChannel(gateway, request)
      const input = parseInput(createCaseSchema, requireBody(request, 'the case'))
      const created = await createCase(gateway, channel, {
        contactId: contactIdOf(channel, input.contact_id),
        status: input.status,
        ...(input.external_id === undefined ? {} : { externalId: input.external_id }),
        ...(input.subject === undefined ? {} : { subject: input.subject }),
        ...(input.language === undefined ? {} : { language: input.language }),
        ...(input.parameters === undefined ? {} : { parameters: input.parameters }),
      })
      return reply.status(201).send(created)
    },
  )

  app.get(
    collection,
    {
      config: READS,
      schema: {
        operationId: 'listCases',
        summary: 'List cases',
        description:
          'The channel’s cases, oldest first. Filter by contact_id, status or external_id; page with limit (1–500, default 50) and the opaque paging.next_cursor, null on the last page.',
        tags: ['cases'],
        ...documentedZod({ params: channelParamsSchema, querystring: listQuerySchema }),
        response: responses({
          200: jsonObject('A page of cases', {
            data: [caseExample],
            paging: { next_cursor: 'Y2FzZV8wbWYweTVvMGczZjljMmExYjRkNWU2ZjdhOA' },
          }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const { channel } = await tenantChannel(gateway, request)
      const query = parseInput(listQuerySchema, request.query)
      const afterId = query.cursor === undefined ? undefined : decodeCaseCursor(query.cursor)
      if (query.cursor !== undefined && afterId === undefined)
        throw new GatewayError(
          'INVALID_REQUEST',
          'cursor: not a cursor carewindow gave out; pass paging.next_cursor of the previous page as it is',
        )
      return listChannelCases(gateway, channel, {
        limit: query.limit,
        ...(query.contact_id === undefined ? {} : { contactId: contactIdOf(channel, query.contact_id) }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.external_id === undefined ? {} : { externalId: query.external_id }),
        ...(afterId === undefined ? {} : { afterId }),
      })
    },
  )

  app.get(
    byId,
    {
      config: READS,
      schema: {
        operationId: 'getCase',
        summary: 'Read a case',
        description:
          'The case with its status, subject, language, template parameters and when it was last re-engaged.',
        tags: ['cases'],
        ...documentedZod({ params: caseParamsSchema }),
        response: responses({ 200: jsonObject('The case', caseExample) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: CaseParams }>) => {
      const tenant = await authenticate(gateway, request)
      const { channel, record } = await tenantCase(gateway, tenant.id, request.params.caseId)
      return caseJson(record, channel)
    },
  )

  app.patch(
    byId,
    {
      config: WRITES,
      schema: {
        operationId: 'updateCase',
        summary: 'Update a case',
        description: updateDescription,
        tags: ['cases'],
        ...documentedZod({ params: caseParamsSchema, body: patchSchema }),
        response: responses({ 200: jsonObject('The updated case', caseExample) }, [400, 401, 404, 409]),
      },
    },
    async (request: FastifyRequest<{ Params: CaseParams }>) => {
      const tenant = await authenticate(gateway, request)
      const { channel, record } = await tenantCase(gateway, tenant.id, request.params.caseId)
      return updateCase(gateway, channel, record, changesOf(request))
    },
  )

  const externalCase = async (request: FastifyRequest<{ Params: ExternalIdParams }>) => {
    const { channel } = await tenantChannel(gateway, request)
    return { channel, record: await caseByExternalId(gateway, channel, request.params.externalId) }
  }

  app.get(
    byExternalId,
    {
      config: READS,
      schema: {
        operationId: 'getCaseByExternalId',
        summary: 'Read a case by your ticket id',
        description: 'The channel’s case with this external_id.',
        tags: ['cases'],
        ...documentedZod({ params: externalIdParamsSchema }),
        response: responses({ 200: jsonObject('The case', caseExample) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: ExternalIdParams }>) => {
      const { channel, record } = await externalCase(request)
      return caseJson(record, channel)
    },
  )

  app.patch(
    byExternalId,
    {
      config: WRITES,
      schema: {
        operationId: 'updateCaseByExternalId',
        summary: 'Update a case by your ticket id',
        description: updateDescription,
        tags: ['cases'],
        ...documentedZod({ params: externalIdParamsSchema, body: patchSchema }),
        response: responses({ 200: jsonObject('The updated case', caseExample) }, [400, 401, 404, 409]),
      },
    },
    async (request: FastifyRequest<{ Params: ExternalIdParams }>) => {
      const { channel, record } = await externalCase(request)
      return updateCase(gateway, channel, record, changesOf(request))
    },
  )
}

function changesOf(request: FastifyRequest): CaseChanges {
  const input = parseInput(patchSchema, requireBody(request, 'the changes'))
  return {
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    ...(input.language === undefined ? {} : { language: input.language }),
    ...(input.parameters === undefined ? {} : { parameters: input.parameters }),
    ...(input.external_id === undefined ? {} : { externalId: input.external_id }),
  }
}
