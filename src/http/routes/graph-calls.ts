import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  MAX_MEDIA_BYTES,
  type PassthroughAnswer,
  type PassthroughRequest,
} from '../../channels/graph-passthrough.js'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../shared/errors.js'
import type { ChannelRecord, TenantRecord } from '../../store/store.js'
import { graphErrorResponses, sharedResponses } from '../openapi/responses.js'
import { LimitedBody } from '../stream-body.js'

const GRAPH_VERSION = /^v\d{1,3}\.\d{1,2}$/

/** Query fields that carry the client's credentials: the channel's token replaces them, they never go upstream. */
const CREDENTIAL_FIELDS = ['access_token', 'appsecret_proof'] as const

/** A path that is not a Graph path (no version in front) is one carewindow does not know: 404 naming it. */
export function checkGraphPath(request: FastifyRequest, version: string): void {
  if (!GRAPH_VERSION.test(version))
    throw new GatewayError(
      'ROUTE_NOT_FOUND',
      `${request.method} ${request.url.split('?')[0] ?? ''} is not a carewindow route`,
    )
}

/** The answer for an id that is not the tenant's — the same as for one that does not exist, so nothing leaks. */
export function unknownObject(request: FastifyRequest, id: string): GatewayError {
  return new GatewayError(
    'NOT_FOUND',
    `Unsupported ${request.method.toLowerCase()} request. Object with ID '${id}' does not exist`,
  )
}

/** The tenant's WhatsApp channel with this phone_number_id; 404 for any other. */
export async function phoneNumberOf(
  gateway: Gateway,
  request: FastifyRequest,
  tenant: TenantRecord,
  id: string,
): Promise<ChannelRecord> {
  const channel = await gateway.directory.tenantChannel(tenant.id, 'whatsapp', id)
  if (channel === undefined) throw unknownObject(request, id)
  return channel
}

/** A channel of the tenant's WhatsApp Business Account `wabaId` (channel setting `waba_id`); 404 for any other. */
export async function wabaChannelOf(
  gateway: Gateway,
  request: FastifyRequest,
  tenant: TenantRecord,
  wabaId: string,
): Promise<ChannelRecord> {
  const channel = (await tenantChannels(gateway, tenant, 'whatsapp')).find((one) => one.wabaId === wabaId)
  if (channel === undefined) throw unknownObject(request, wabaId)
  return channel
}

/**
 * Whose token a call on an id that is no channel goes with (a media id, a template id): the number named by
 * `?phone_number_id=` (Graph's own parameter for media), else the tenant's only number — or any of them when they
 * all reach Graph the same way (one system-user token for the account). Graph then answers for what that token may
 * see; another tenant's token is never used.
 */
export async function tokenChannelOf(
  gateway: Gateway,
  request: FastifyRequest,
  tenant: TenantRecord,
  id: string,
  options: { readonly withWaba?: boolean } = {},
): Promise<ChannelRecord> {
  const named = queryOf(request).phone_number_id
  if (named !== undefined) return phoneNumberOf(gateway, request, tenant, named)
  const channels = (await tenantChannels(gateway, tenant, 'whatsapp')).filter(
    (channel) => options.withWaba !== true || channel.wabaId !== null,
  )
  const first = channels[0]
  if (first === undefined) throw unknownObject(request, id)
  const reach = JSON.stringify(first.upstream)
  if (channels.some((channel) => JSON.stringify(channel.upstream) !== reach))
    throw new GatewayError(
      'AMBIGUOUS_CHANNEL',
      `this tenant's ${channels.length} WhatsApp numbers reach Graph with different tokens`,
    )
  return first
}

/** The tenant's Messenger Page with this id; 404 for any other, as for one that does not exist. */
export async function pageByIdOf(
  gateway: Gateway,
  request: FastifyRequest,
  tenant: TenantRecord,
  id: string,
): Promise<ChannelRecord> {
  const page = await gateway.directory.tenantChannel(tenant.id, 'messenger', id)
  if (page === undefined) throw unknownObject(request, id)
  return page
}

/** The tenant's Messenger Page, as `/me/messages` finds it. */
export async function pageOf(gateway: Gateway, tenant: TenantRecord): Promise<ChannelRecord> {
  const pages = await tenantChannels(gateway, tenant, 'messenger')
  const page = pages[0]
  if (page === undefined) throw new GatewayError('NOT_FOUND', 'this tenant has no Messenger Page')
  if (pages.length > 1)
    throw new GatewayError('AMBIGUOUS_PAGE', `this tenant has ${pages.length} Messenger Pages`)
  return page
}

async function tenantChannels(
  gateway: Gateway,
  tenant: TenantRecord,
  platform: 'whatsapp' | 'messenger',
): Promise<ChannelRecord[]> {
  return (await gateway.directory.channelsOf(platform)).filter((channel) => channel.tenantId === tenant.id)
}

/** The request's query as strings, without the client's credentials. */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>))
    if (typeof value === 'string' && !(CREDENTIAL_FIELDS as readonly string[]).includes(name))
      query[name] = value
  return query
}

/** The body key a JSON or form body carries as `access_token`, for authentication. */
export function bodyKeyOf(request: FastifyRequest): string | undefined {
  const body = request.body as { access_token?: unknown } | null | undefined
  return typeof body === 'object' && body !== null && typeof body.access_token === 'string'
    ? body.access_token
    : undefined
}

/** The body to pass on: the stream of an upload, or the JSON/form text without the client's credentials. */
function bodyOf(request: FastifyRequest): { body?: string | Readable; contentType?: string } {
  const contentType = request.headers['content-type']
  if (request.body instanceof LimitedBody)
    return { body: request.body, ...(contentType ? { contentType } : {}) }
  if (request.rawBody === null || request.rawBody.length === 0 || contentType === undefined) return {}
  const fields = request.body as Record<string, unknown> | null | undefined
  const hasCredentials =
    typeof fields === 'object' &&
    fields !== null &&
    CREDENTIAL_FIELDS.some((name) => Object.hasOwn(fields, name))
  if (!hasCredentials) return { body: request.rawBody.toString('utf8'), contentType }
  const kept: Record<string, unknown> = { ...fields }
  for (const name of CREDENTIAL_FIELDS) Reflect.deleteProperty(kept, name)
  if (contentType.startsWith('application/x-www-form-urlencoded'))
    return { body: new URLSearchParams(kept as Record<string, string>).toString(), contentType }
  return { body: JSON.stringify(kept), contentType }
}

/**
 * Passes the request on for the channel — path, query, body (streamed for uploads) — and returns Graph's answer.
 * An upload past its limit is 413; no answer from Graph is 502, never retried.
 */
export async function passOn(
  gateway: Gateway,
  request: FastifyRequest,
  channel: ChannelRecord,
  call: Pick<PassthroughRequest, 'operation' | 'method' | 'version' | 'path'>,
): Promise<PassthroughAnswer> {
  const length = request.headers['content-length']
  const passed: PassthroughRequest<ChannelRecord> = {
    ...call,
    channel,
    query: queryOf(request),
    ...bodyOf(request),
    ...(length === undefined ? {} : { contentLength: length }),
  }
  try {
    return await gateway.passthroughFor(channel).pass(passed)
  } catch (error) {
    if (request.body instanceof LimitedBody && request.body.isOverLimit)
      throw new GatewayError('MEDIA_TOO_LARGE', `the upload is larger than ${MAX_MEDIA_BYTES} bytes`)
    if (error instanceof GatewayError) throw error
    throw graphCallFailed(channel, error)
  }
}

/** No answer from Graph for the channel's call. */
export function graphCallFailed(channel: ChannelRecord, error: unknown): GatewayError {
  const host = channel.upstream.mode === 'cloud' ? new URL(channel.upstream.baseUrl).host : 'the sandbox'
  const reason = error instanceof Error ? error.message : String(error)
  return new GatewayError('GRAPH_CALL_FAILED', `${host} did not answer: ${reason}`)
}

/** Graph's answer as Graph gave it: status, type, length, and the body streamed. */
export function sendAnswer(reply: FastifyReply, answer: PassthroughAnswer): FastifyReply {
  void reply.status(answer.status)
  if (answer.contentType !== undefined) void reply.header('content-type', answer.contentType)
  if (answer.contentLength !== undefined) void reply.header('content-length', answer.contentLength)
  return reply.send(answer.body)
}

/** What every passed-on call answers. */
export const CALL_RESPONSES = {
  200: {
    description: 'Graph’s answer, passed on as Graph gave it.',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
  },
  ...graphErrorResponses([401, 404]),
  ...sharedResponses('GraphCallFailed', 'GraphCallAnswer'),
}

/** The path's `version`. */
export const VERSION_PARAM = {
  type: 'string',
  description: 'A Graph API version; it is passed on to Graph',
  examples: ['v21.0'],
} as const
