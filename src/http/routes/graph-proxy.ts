import type { FastifyInstance, FastifyRequest } from 'fastify'
import { readMessengerRequest } from '../../channels/messenger/send-request.js'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../shared/errors.js'
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../../gateway/send/idempotency.js'
import type { SendResult } from '../../gateway/send/send-result.js'
import type { ChannelRecord, TenantRecord } from '../../store/store.js'
import { sendReply } from '../replies/http-reply.js'
import { sendResultReply } from '../replies/send-reply.js'
import { apiKeyOf, authenticate } from '../auth.js'
import { graphErrorResponses, sharedResponses } from '../openapi/responses.js'
import { documentedRequest, schemaRef } from '../openapi/schemas.js'
import { WRITES } from '../route-access.js'

const GRAPH_VERSION = /^v\d{1,3}\.\d{1,2}$/

type ProxyRequest = FastifyRequest<{ Params: { version: string; id?: string } }>

/**
 * The Graph-compatible send endpoints: `POST /{version}/{phone_number_id}/messages` (WhatsApp Cloud API) and
 * `POST /{version}/{page_id}/messages` or `/{version}/me/messages` (Messenger Send API). Which one a request is
 * depends on the channel its id names.
 */
export function registerGraphProxyRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post(
    '/:version/:id/messages',
    {
      config: WRITES,
      schema: {
        operationId: 'sendMessage',
        summary: 'Send a message (Graph-compatible)',
        description:
          'WhatsApp: the Cloud API send endpoint, `{id}` = phone_number_id. Messenger: the Send API, `{id}` = Page id, JSON or form-encoded; mark a person’s message with `X-Carewindow-Sender: agent`. Allowed messages are forwarded unchanged and Graph’s reply is returned; refused ones get HTTP 400 with Graph’s error envelope and the reason in error.error_data.details. Optional Idempotency-Key header.',
        tags: ['proxy'],
        ...documentedRequest({
          params: {
            type: 'object',
            properties: {
              version: VERSION_PARAM,
              id: {
                type: 'string',
                description: 'The channel’s phone_number_id (WhatsApp) or Page id (Messenger)',
                examples: ['106540352242922'],
              },
            },
            required: ['version', 'id'],
          },
          ...SEND_REQUEST,
        }),
        response: SEND_RESPONSES,
      },
    },
    async (request: ProxyRequest, reply) => {
      const { version, id = '' } = request.params
      checkVersion(version)
      const tenant = await authenticate(gateway, request, bodyAccessToken(request))
      const channel =
        (await gateway.directory.tenantChannel(tenant.id, 'whatsapp', id)) ??
        (await gateway.directory.tenantChannel(tenant.id, 'messenger', id))
      if (channel === undefined)
        throw new GatewayError('NOT_FOUND', `Unsupported post request. Object with ID '${id}' does not exist`)
      return sendReply(reply, sendResultReply(await send(gateway, request, tenant, channel, version)))
    },
  )

  app.post(
    '/:version/me/messages',
    {
      config: WRITES,
      schema: {
        operationId: 'sendMessengerMessage',
        summary: 'Send a Messenger message to the Page of the key (Graph-compatible)',
        description:
          'The Send API’s `/me/messages`: `me` is the tenant’s Messenger Page (use `/{page_id}/messages` when it has several: 400 AMBIGUOUS_PAGE otherwise).',
        tags: ['proxy'],
        ...documentedRequest({
          params: { type: 'object', properties: { version: VERSION_PARAM }, required: ['version'] },
          ...SEND_REQUEST,
        }),
        response: SEND_RESPONSES,
      },
    },
    async (request: ProxyRequest, reply) => {
      const { version } = request.params
      checkVersion(version)
      const tenant = await authenticate(gateway, request, bodyAccessToken(request))
      const pages = (await gateway.directory.channelsOf('messenger')).filter(
        (channel) => channel.tenantId === tenant.id,
      )
      const page = pages[0]
      if (page === undefined) throw new GatewayError('NOT_FOUND', 'this tenant has no Messenger Page')
      if (pages.length > 1)
        throw new GatewayError('AMBIGUOUS_PAGE', `this tenant has ${pages.length} Messenger Pages`)
      return sendReply(reply, sendResultReply(await send(gateway, request, tenant, page, version)))
    },
  )
}

const VERSION_PARAM = {
  type: 'string',
  pattern: GRAPH_VERSION.source,
  description: 'A Graph API version; it is passed on to Graph',
  examples: ['v21.0'],
} as const

/** What both send routes take besides their path: checked by the send path, which answers in Graph's envelope. */
const SEND_REQUEST = {
  headers: {
    type: 'object',
    properties: {
      'idempotency-key': {
        type: 'string',
        minLength: 1,
        maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
        description:
          'Retries with the same key and body get the first answer and never send twice; a key may not be reused with another body (422).',
        examples: ['order-42-shipped'],
      },
      'x-carewindow-sender': {
        type: 'string',
        enum: ['agent', 'bot'],
        description: 'Messenger: who writes. Only a person (agent) may reply with HUMAN_AGENT; default bot.',
      },
    },
  },
  body: {
    content: {
      'application/json': {
        schema: { anyOf: [schemaRef('WhatsAppSendBody'), schemaRef('MessengerSendBody')] },
      },
      'application/x-www-form-urlencoded': { schema: schemaRef('MessengerSendBody') },
    },
  },
} as const

/** What both send routes answer. */
const SEND_RESPONSES = {
  ...sharedResponses('SendAccepted', 'SendHeld', 'SendRefused'),
  ...graphErrorResponses([401, 404]),
  ...sharedResponses(
    'IdempotencyInProgress',
    'IdempotencyKeyReused',
    'GraphRateLimited',
    'UpstreamUnavailable',
    'UpstreamOutcomeUnknown',
    'GraphAnswer',
  ),
}

function checkVersion(version: string): void {
  if (!GRAPH_VERSION.test(version))
    throw new GatewayError('INVALID_VERSION', `"${version}" is not a Graph version such as v21.0`)
}

function bodyAccessToken(request: FastifyRequest): string | undefined {
  const body = request.body as { access_token?: unknown } | undefined
  return typeof body?.access_token === 'string' ? body.access_token : undefined
}

/** Body fields that carry the client's credentials (Graph takes them in the body too); they never go upstream. */
const CREDENTIAL_FIELDS = ['access_token', 'appsecret_proof'] as const

/**
 * A WhatsApp send body as it is forwarded and stored: without the carewindow key a client sent as `access_token`
 * (and its `appsecret_proof`) — only the channel's own token goes to Graph. A body without them is kept byte for
 * byte; one with them is forwarded re-serialised without them.
 */
function withoutCredentials(body: unknown, rawBody: Buffer): { body: unknown; rawBody: string } {
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    !CREDENTIAL_FIELDS.some((name) => Object.hasOwn(body, name))
  )
    return { body, rawBody: rawBody.toString('utf8') }
  const fields: Record<string, unknown> = { ...(body as Record<string, unknown>) }
  for (const name of CREDENTIAL_FIELDS) Reflect.deleteProperty(fields, name)
  return { body: fields, rawBody: JSON.stringify(fields) }
}

async function send(
  gateway: Gateway,
  request: ProxyRequest,
  tenant: TenantRecord,
  channel: ChannelRecord,
  version: string,
): Promise<SendResult> {
  const idempotencyKey = request.headers['idempotency-key']
  const common = {
    tenant,
    channel,
    version,
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
    traceId: request.id,
  }
  if (request.rawBody === null || request.body === undefined)
    throw new GatewayError('INVALID_JSON', 'send the message as a JSON body')
  const isForm = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true
  if (channel.platform === 'whatsapp') {
    if (isForm) throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'the WhatsApp Cloud API takes JSON bodies')
    return gateway.sendWhatsApp({ ...common, ...withoutCredentials(request.body, request.rawBody) })
  }
  const sender = request.headers['x-carewindow-sender']
  const wire = readMessengerRequest(
    isForm ? 'form' : 'json',
    request.body,
    request.query as Record<string, unknown>,
    typeof sender === 'string' ? sender : undefined,
  )
  if (!wire.ok) throw new GatewayError('INVALID_REQUEST', wire.problem.details)
  return gateway.sendMessenger({
    ...common,
    wire: wire.value,
    apiKey: apiKeyOf(request, bodyAccessToken(request)) ?? '',
  })
}
