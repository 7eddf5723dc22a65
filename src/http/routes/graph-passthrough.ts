import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  MAX_MEDIA_BYTES,
  type GraphOperation,
  type PassthroughMethod,
} from '../../channels/graph-passthrough.js'
import type { Gateway } from '../../gateway/gateway.js'
import type { ChannelRecord, TenantRecord } from '../../store/store.js'
import { authenticate } from '../auth.js'
import { documentedRequest } from '../openapi/schemas.js'
import { READS, WRITES } from '../route-access.js'
import { registerStreamedBodies } from '../stream-body.js'
import {
  bodyKeyOf,
  CALL_RESPONSES,
  checkGraphPath,
  pageByIdOf,
  pageOf,
  passOn,
  phoneNumberOf,
  sendAnswer,
  tokenChannelOf,
  VERSION_PARAM,
  wabaChannelOf,
} from './graph-calls.js'
import { registerGraphMediaRoutes } from './graph-media.js'

type CallRequest = FastifyRequest<{ Params: { version: string; id?: string } }>

/** Which channel's token a call goes with, found from its path id and the API key's tenant. */
type Target = 'phone_number' | 'waba' | 'template' | 'page' | 'page_id'

interface GraphCall {
  readonly method: PassthroughMethod
  /** The route, `:id` being the path's object. */
  readonly url: string
  readonly operation: GraphOperation
  readonly target: Target
  readonly operationId: string
  readonly summary: string
  readonly description: string
  /** The body the call takes: JSON, or media (multipart, streamed). */
  readonly body?: 'json' | 'media' | 'json-or-media'
}

const ID = {
  phone_number: 'The channel’s phone_number_id',
  waba: 'The WhatsApp Business Account id (the channel setting waba_id)',
  template: 'A message template id',
  page: '',
  page_id: 'The Messenger Page’s id',
} as const satisfies Record<Target, string>

/** The Cloud API and Messenger Platform calls carewindow passes on (docs/graph-surface.md lists them all). */
const CALLS: readonly GraphCall[] = [
  {
    method: 'POST',
    url: '/:version/:id/media',
    operation: 'media.upload',
    target: 'phone_number',
    operationId: 'uploadMedia',
    summary: 'Upload media for a WhatsApp number (Graph-compatible)',
    description:
      'multipart/form-data with `file`, `type` and `messaging_product=whatsapp`, streamed to Graph as it arrives (never held in memory), with the channel’s token. Up to 100 MB (Meta’s limit for documents): 413 beyond.',
    body: 'media',
  },
  ...['GET', 'POST', 'DELETE'].map((method): GraphCall => ({
    method: method as PassthroughMethod,
    url: '/:version/:id/message_templates',
    operation:
      method === 'GET' ? 'templates.list' : method === 'POST' ? 'templates.create' : 'templates.delete',
    target: 'waba',
    operationId: {
      GET: 'listMessageTemplates',
      POST: 'createMessageTemplate',
      DELETE: 'deleteMessageTemplate',
    }[method] as string,
    summary: `${{ GET: 'List', POST: 'Create', DELETE: 'Delete' }[method] ?? ''} message templates of a WhatsApp Business Account (Graph-compatible)`,
    description:
      'Passed on to Graph’s `/{waba_id}/message_templates` with the token of a channel whose `waba_id` it is; query (`name`, `hsm_id`, `fields`, `limit` …) and body unchanged. A WABA that is not the tenant’s is 404.',
    ...(method === 'POST' ? { body: 'json' as const } : {}),
  })),
  {
    method: 'POST',
    url: '/:version/:id',
    operation: 'template.edit',
    target: 'template',
    operationId: 'editMessageTemplate',
    summary: 'Edit a message template (Graph-compatible)',
    description:
      'Graph’s `POST /{template_id}`, passed on with the token of the tenant’s WhatsApp channel that has a `waba_id` (`?phone_number_id=` names one when several reach Graph with different tokens).',
    body: 'json',
  },
  ...(['GET', 'POST'] as const).map((method): GraphCall => ({
    method,
    url: '/:version/:id/whatsapp_business_profile',
    operation: method === 'GET' ? 'business_profile.get' : 'business_profile.update',
    target: 'phone_number',
    operationId: method === 'GET' ? 'getBusinessProfile' : 'updateBusinessProfile',
    summary: `${method === 'GET' ? 'Read' : 'Update'} a WhatsApp number’s business profile (Graph-compatible)`,
    description: 'Passed on to Graph with the channel’s token; `fields` and the body unchanged.',
    ...(method === 'POST' ? { body: 'json' as const } : {}),
  })),
  ...(['register', 'deregister'] as const).map((edge): GraphCall => ({
    method: 'POST',
    url: `/:version/:id/${edge}`,
    operation: edge === 'register' ? 'phone_number.register' : 'phone_number.deregister',
    target: 'phone_number',
    operationId: edge === 'register' ? 'registerPhoneNumber' : 'deregisterPhoneNumber',
    summary: `${edge === 'register' ? 'Register' : 'Deregister'} a WhatsApp number with the Cloud API (Graph-compatible)`,
    description: `Graph’s \`/{phone_number_id}/${edge}\`, passed on with the channel’s token.`,
    body: 'json',
  })),
  ...(['me', 'page_id'] as const).flatMap((page) =>
    (['GET', 'POST', 'DELETE'] as const).map((method): GraphCall => ({
      method,
      url: page === 'me' ? '/:version/me/messenger_profile' : '/:version/:id/messenger_profile',
      operation:
        method === 'GET'
          ? 'messenger_profile.get'
          : method === 'POST'
            ? 'messenger_profile.update'
            : 'messenger_profile.delete',
      target: page === 'me' ? 'page' : 'page_id',
      operationId: `${{ GET: 'get', POST: 'update', DELETE: 'delete' }[method]}${page === 'me' ? '' : 'Page'}MessengerProfile`,
      summary: `${{ GET: 'Read', POST: 'Set', DELETE: 'Delete' }[method]} ${page === 'me' ? 'the Page’s Messenger profile' : 'the Messenger profile of a Page by its id'} (Graph-compatible)`,
      description:
        page === 'me'
          ? 'Graph’s `/me/messenger_profile` (greeting, get started, persistent menu, ice breakers …) for the tenant’s Messenger Page, with the Page’s token.'
          : 'Graph’s `/{page_id}/messenger_profile` for the tenant’s Messenger Page with that id, with the Page’s token; a Page that is not the tenant’s is 404.',
      ...(method === 'GET' ? {} : { body: 'json' as const }),
    })),
  ),
  {
    method: 'POST',
    url: '/:version/me/message_attachments',
    operation: 'attachment.upload',
    target: 'page',
    operationId: 'uploadMessageAttachment',
    summary: 'Upload a reusable Messenger attachment (Graph-compatible)',
    description:
      'Graph’s Attachment Upload API for the tenant’s Messenger Page: JSON with a URL, or multipart with `filedata` (streamed, up to 100 MB); answers `attachment_id`.',
    body: 'json-or-media',
  },
]

/**
 * Graph's calls besides sends that a WhatsApp Cloud API or Messenger client makes — media, templates, profiles,
 * registration — passed on for the API key's tenant with the channel's own token (`docs/graph-surface.md`). Ids
 * that are not the tenant's get the 404 an unknown id gets.
 */
export function registerGraphPassthroughRoutes(app: FastifyInstance, gateway: Gateway): void {
  registerStreamedBodies(app)
  for (const call of CALLS) {
    app.route({
      method: call.method,
      url: call.url,
      // Graph's GETs here only read (a list, a profile); every other call changes something at Meta.
      config: {
        ...(call.method === 'GET' ? READS : WRITES),
        ...(call.body === 'media' || call.body === 'json-or-media'
          ? { streamsBody: true, streamLimitBytes: MAX_MEDIA_BYTES }
          : {}),
      },
      schema: {
        operationId: call.operationId,
        summary: call.summary,
        description: call.description,
        tags: ['graph'],
        ...documentedRequest({ params: paramsOf(call), ...bodySchemaOf(call) }),
        response: CALL_RESPONSES,
      },
      handler: (request: CallRequest, reply) => handle(gateway, call, request, reply),
    })
  }
  registerGraphMediaRoutes(app, gateway)
}

async function handle(
  gateway: Gateway,
  call: GraphCall,
  request: CallRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { version, id = 'me' } = request.params
  checkGraphPath(request, version)
  const tenant = await authenticate(gateway, request, bodyKeyOf(request))
  const channel = await channelFor(gateway, request, tenant, call.target, id)
  const path = call.url.replace('/:version', '').replace(':id', id)
  const answer = await passOn(gateway, request, channel, {
    operation: call.operation,
    method: call.method,
    version,
    path,
  })
  return sendAnswer(reply, answer)
}

function channelFor(
  gateway: Gateway,
  request: FastifyRequest,
  tenant: TenantRecord,
  target: Target,
  id: string,
): Promise<ChannelRecord> {
  switch (target) {
    case 'phone_number':
      return phoneNumberOf(gateway, request, tenant, id)
    case 'waba':
      return wabaChannelOf(gateway, request, tenant, id)
    case 'template':
      return tokenChannelOf(gateway, request, tenant, id, { withWaba: true })
    case 'page':
      return pageOf(gateway, tenant)
    case 'page_id':
      return pageByIdOf(gateway, request, tenant, id)
  }
}

function paramsOf(call: GraphCall): Record<string, unknown> {
  if (call.target === 'page')
    return { type: 'object', properties: { version: VERSION_PARAM }, required: ['version'] }
  return {
    type: 'object',
    properties: { version: VERSION_PARAM, id: { type: 'string', description: ID[call.target] } },
    required: ['version', 'id'],
  }
}

const MEDIA_FORM = {
  type: 'object',
  properties: {
    messaging_product: { type: 'string', enum: ['whatsapp'] },
    type: { type: 'string', description: 'The file’s MIME type', examples: ['image/jpeg'] },
    file: { type: 'string', format: 'binary' },
    filedata: { type: 'string', format: 'binary', description: 'Messenger’s attachment file' },
  },
} as const

function bodySchemaOf(call: GraphCall): { body?: Record<string, unknown> } {
  const json = { 'application/json': { schema: { type: 'object', additionalProperties: true } } }
  const media = { 'multipart/form-data': { schema: MEDIA_FORM } }
  switch (call.body) {
    case undefined:
      return {}
    case 'json':
      return { body: { content: json } }
    case 'media':
      return { body: { content: media } }
    case 'json-or-media':
      return { body: { content: { ...json, ...media } } }
  }
}
