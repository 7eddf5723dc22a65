import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { parseInstant, type Instant } from '../../../domain/index.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import { contactIdOf, findTenantChannel } from '../../../gateway/api/channels.js'
import type { ChannelRecord, TenantRecord } from '../../../store/store.js'
import { describeIssues } from '../../../shared/validation.js'
import { authenticate } from '../../auth.js'
import { graphErrorResponses, type GraphErrorStatus } from '../../openapi/responses.js'

/** Validates input with its zod schema; a 400 naming every wrong field otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success)
    throw new GatewayError('INVALID_REQUEST', describeIssues(parsed.error, prefix).join('; '))
  return parsed.data
}

/** The request's JSON body; a 400 when there is none. */
export function requireBody(request: FastifyRequest, what: string): unknown {
  if (request.body === undefined || request.body === null)
    throw new GatewayError('INVALID_JSON', `send ${what} as a JSON body`)
  return request.body
}

/** An ISO 8601 instant with offset (`2024-03-02T10:00:00Z`), as milliseconds. */
export const instantSchema = z
  .string('an ISO 8601 instant with offset such as 2024-03-02T10:00:00Z')
  .transform((text, context): Instant => {
    const at = parseInstant(text)
    if (at !== undefined) return at
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not an ISO 8601 instant with offset such as 2024-03-02T10:00:00Z`,
    })
    return z.NEVER
  })
  .meta({ format: 'date-time', examples: ['2024-03-02T10:00:00Z'] })

export interface ChannelParams {
  readonly channelId: string
}

export interface ContactParams extends ChannelParams {
  readonly contactId: string
}

/** The caller's tenant and its channel named in the path (404 for a missing channel and for another tenant's). */
export async function tenantChannel(
  gateway: Gateway,
  request: FastifyRequest<{ Params: ChannelParams }>,
): Promise<{ readonly tenant: TenantRecord; readonly channel: ChannelRecord }> {
  const tenant = await authenticate(gateway, request)
  const channel = await findTenantChannel(gateway.directory, tenant.id, request.params.channelId)
  return { tenant, channel }
}

/** {@link tenantChannel} and the contact named in the path, normalised as carewindow keys it. */
export async function tenantContact(
  gateway: Gateway,
  request: FastifyRequest<{ Params: ContactParams }>,
): Promise<{ readonly tenant: TenantRecord; readonly channel: ChannelRecord; readonly contactId: string }> {
  const { tenant, channel } = await tenantChannel(gateway, request)
  return { tenant, channel, contactId: contactIdOf(channel, request.params.contactId) }
}

// OpenAPI pieces. Request parts are zod schemas, validated in the handlers (so errors name the field the same way
// everywhere) and shown in the document by documentedZod; replies are serialised as they are.

/** The channel in the path: looked up as given (an unknown one is a 404), so the schema only documents it. */
export const channelParamsSchema = z.object({
  channelId: z.string().meta({
    description: 'The channel’s phone_number_id (WhatsApp) or Page id (Messenger)',
    examples: ['106540352242922'],
  }),
})

/** The channel and the contact in the path, documented like {@link channelParamsSchema}. */
export const contactParamsSchema = channelParamsSchema.extend({
  contactId: z.string().meta({
    description:
      'The contact’s wa_id (a phone number: +, 00, spaces, dashes and a trunk 0 are read away), business-scoped user id or PSID',
    examples: ['31612345678'],
  }),
})

/**
 * Response documentation: the success schemas given, and Graph's error envelope (a shared response of
 * src/http/openapi/responses.ts) for each error status.
 */
export function responses(
  success: Readonly<Record<number, object>>,
  errors: readonly GraphErrorStatus[] = [400, 401, 404],
): Record<number, object> {
  return { ...success, ...graphErrorResponses(errors) }
}

/** A JSON object schema that documents a reply without constraining it. */
export function jsonObject(description: string, example: object): object {
  return { type: 'object', description, additionalProperties: true, examples: [example] }
}
