import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { PassthroughAnswer } from '../../channels/graph-passthrough.js'
import type { Gateway } from '../../gateway/gateway.js'
import type { ChannelRecord } from '../../store/store.js'
import { authenticate } from '../auth.js'
import { documentedRequest } from '../openapi/schemas.js'
import {
  CALL_RESPONSES,
  checkGraphPath,
  graphCallFailed,
  passOn,
  sendAnswer,
  tokenChannelOf,
  unknownObject,
  VERSION_PARAM,
} from './graph-calls.js'
import { READS, WRITES } from '../route-access.js'

type ObjectRequest = FastifyRequest<{ Params: { version: string; id: string } }>
type DownloadRequest = FastifyRequest<{
  Params: { id: string }
  Querystring: { version?: string; phone_number_id?: string }
}>

/** The Graph version a download asks for a media URL with when its link names none. */
const DOWNLOAD_VERSION = 'v21.0'

/** Graph's answer about a media object is a few hundred bytes; one larger is not read for its URL. */
const MAX_MEDIA_ANSWER_BYTES = 64 * 1024

const OBJECT_PARAMS = {
  type: 'object',
  properties: {
    version: VERSION_PARAM,
    id: {
      type: 'string',
      description: 'A media id — or, for GET, the channel’s phone_number_id',
      examples: ['1037543291543636'],
    },
  },
  required: ['version', 'id'],
} as const

const PHONE_NUMBER_QUERY = {
  type: 'object',
  properties: {
    phone_number_id: {
      type: 'string',
      description:
        'Whose token the call goes with, when the tenant’s numbers reach Graph with different tokens',
    },
  },
} as const

/**
 * Graph's calls on a bare id: `GET /{phone_number_id}` (the number), `GET` and `DELETE /{media_id}`, and the download
 * of a media file. A media id names no channel, so the call goes with the token of the number `?phone_number_id=`
 * names (as Graph takes it), or of the tenant's number(s) — Graph then answers for what that token may see.
 *
 * Media URLs are rewritten: Graph's answer names a lookaside URL that only the channel's token opens, which the
 * client does not have; carewindow answers with its own `/media/{media_id}/download` instead, which the client
 * fetches with its API key as it would have fetched Meta's, and which streams the file from Meta.
 */
export function registerGraphMediaRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/:version/:id',
    {
      config: READS,
      schema: {
        operationId: 'getGraphObject',
        summary: 'Read a WhatsApp number or a media object (Graph-compatible)',
        description:
          'A channel’s phone_number_id: the number (verified name, quality rating …) from Graph with its token. Any other id is a media id: Graph’s answer with its `url` replaced by carewindow’s download link (`GET /media/{media_id}/download`, with the API key).',
        tags: ['graph'],
        ...documentedRequest({ params: OBJECT_PARAMS, querystring: PHONE_NUMBER_QUERY }),
        response: CALL_RESPONSES,
      },
    },
    async (request: ObjectRequest, reply) => {
      const { version, id } = request.params
      checkGraphPath(request, version)
      const tenant = await authenticate(gateway, request)
      const number = await gateway.directory.tenantChannel(tenant.id, 'whatsapp', id)
      if (number !== undefined) {
        const answer = await passOn(gateway, request, number, {
          operation: 'phone_number.get',
          method: 'GET',
          version,
          path: `/${id}`,
        })
        return sendAnswer(reply, answer)
      }
      const channel = await tokenChannelOf(gateway, request, tenant, id)
      const answer = await passOn(gateway, request, channel, {
        operation: 'media.get',
        method: 'GET',
        version,
        path: `/${id}`,
      })
      if (answer.status !== 200) return sendAnswer(reply, answer)
      const media = await mediaAnswerOf(answer, channel)
      if (typeof media.url === 'string') media.url = downloadLink(gateway, request, id, channel, version)
      return reply.status(200).type('application/json').send(JSON.stringify(media))
    },
  )

  app.delete(
    '/:version/:id',
    {
      config: WRITES,
      schema: {
        operationId: 'deleteMedia',
        summary: 'Delete a media object (Graph-compatible)',
        description: 'Graph’s `DELETE /{media_id}`, passed on with the token of the tenant’s number.',
        tags: ['graph'],
        ...documentedRequest({ params: OBJECT_PARAMS, querystring: PHONE_NUMBER_QUERY }),
        response: CALL_RESPONSES,
      },
    },
    async (request: ObjectRequest, reply) => {
      const { version, id } = request.params
      checkGraphPath(request, version)
      const tenant = await authenticate(gateway, request)
      const channel = await tokenChannelOf(gateway, request, tenant, id)
      const answer = await passOn(gateway, request, channel, {
        operation: 'media.delete',
        method: 'DELETE',
        version,
        path: `/${id}`,
      })
      return sendAnswer(reply, answer)
    },
  )

  app.get(
    '/media/:id/download',
    {
      config: READS,
      schema: {
        operationId: 'downloadMedia',
        summary: 'Download a media file',
        description:
          'The link carewindow puts in place of Graph’s media `url`: asks Graph for the media’s URL again, then streams the file from it with the channel’s token (status, Content-Type and Content-Length as Meta sent them). Authenticate with the API key, as for any call.',
        tags: ['graph'],
        ...documentedRequest({
          params: {
            type: 'object',
            properties: { id: { type: 'string', description: 'The media id' } },
            required: ['id'],
          },
          querystring: {
            type: 'object',
            properties: {
              ...PHONE_NUMBER_QUERY.properties,
              version: { ...VERSION_PARAM, description: 'The Graph version to ask for the URL with' },
            },
          },
        }),
        response: {
          ...CALL_RESPONSES,
          200: {
            description: 'The media file, streamed from Meta.',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    },
    async (request: DownloadRequest, reply) => {
      const { id } = request.params
      const version = request.query.version ?? DOWNLOAD_VERSION
      checkGraphPath(request, version)
      const tenant = await authenticate(gateway, request)
      const channel = await tokenChannelOf(gateway, request, tenant, id)
      const answer = await passOn(gateway, request, channel, {
        operation: 'media.get',
        method: 'GET',
        version,
        path: `/${id}`,
      })
      if (answer.status !== 200) return sendAnswer(reply, answer)
      const { url } = await mediaAnswerOf(answer, channel)
      if (typeof url !== 'string' || !URL.canParse(url)) throw unknownObject(request, id)
      return sendAnswer(reply, await download(gateway, channel, new URL(url)))
    },
  )
}

async function download(gateway: Gateway, channel: ChannelRecord, url: URL): Promise<PassthroughAnswer> {
  try {
    return await gateway.passthroughFor(channel).download(channel, url)
  } catch (error) {
    throw graphCallFailed(channel, error)
  }
}

/** Graph's JSON about a media object (`url`, `mime_type`, `sha256`, `file_size`, `id`). */
async function mediaAnswerOf(
  answer: PassthroughAnswer,
  channel: ChannelRecord,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of answer.body) {
    const bytes = chunk as Buffer
    size += bytes.length
    if (size > MAX_MEDIA_ANSWER_BYTES) {
      answer.body.destroy()
      throw graphCallFailed(
        channel,
        new Error(`the media answer is longer than ${MAX_MEDIA_ANSWER_BYTES} bytes`),
      )
    }
    chunks.push(bytes)
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>
  } catch {
    // Answered below.
  }
  throw graphCallFailed(channel, new Error('the media answer is not a JSON object'))
}

/** carewindow's link for a media file, on its public URL (or the origin the client reached it at). */
function downloadLink(
  gateway: Gateway,
  request: FastifyRequest,
  mediaId: string,
  channel: ChannelRecord,
  version: string,
): string {
  const origin = (gateway.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '')
  const query = new URLSearchParams({ phone_number_id: channel.externalId, version })
  return `${origin}/media/${encodeURIComponent(mediaId)}/download?${query.toString()}`
}
