import type { Readable } from 'node:stream'
import { Agent } from 'undici'
import type { UpstreamChannel } from './upstream.js'

/** The Graph methods a WhatsApp or Messenger client uses besides sending. */
export type PassthroughMethod = 'GET' | 'POST' | 'DELETE'

/** What a passed-on call does: the sandbox answers by it; Graph reads it from the path as usual. */
export type GraphOperation =
  | 'media.upload'
  | 'media.get'
  | 'media.delete'
  | 'templates.list'
  | 'templates.create'
  | 'templates.delete'
  | 'template.edit'
  | 'phone_number.get'
  | 'business_profile.get'
  | 'business_profile.update'
  | 'phone_number.register'
  | 'phone_number.deregister'
  | 'messenger_profile.get'
  | 'messenger_profile.update'
  | 'messenger_profile.delete'
  | 'attachment.upload'

/** A Graph call passed on as the client made it, except for its credentials: the channel's token replaces them. */
export interface PassthroughRequest<C extends UpstreamChannel = UpstreamChannel> {
  readonly channel: C
  readonly operation: GraphOperation
  readonly method: PassthroughMethod
  /** `v21.0` … as the client sent it. */
  readonly version: string
  /** The path under the version: `/{phone_number_id}/media`, `/{media_id}`, `/me/messenger_profile` … */
  readonly path: string
  /** The client's query, without its `access_token`. */
  readonly query: Readonly<Record<string, string>>
  readonly contentType?: string
  /** The client's `Content-Length`, passed on with a streamed body. */
  readonly contentLength?: string
  /** The body: text (JSON) or the request's own stream (a media upload), passed on as it arrives. */
  readonly body?: string | Readable
}

/** Graph's answer, streamed: nothing of a media download is held in memory. */
export interface PassthroughAnswer {
  readonly status: number
  readonly contentType: string | undefined
  readonly contentLength: string | undefined
  readonly body: Readable
}

/** Passes Graph calls on for a channel, and fetches media from the URLs Graph gave for it. */
export interface GraphPassthrough<C extends UpstreamChannel = UpstreamChannel> {
  /** Throws when no answer came: the connection's error (with its `code`), or undici's timeout. */
  pass(request: PassthroughRequest<C>): Promise<PassthroughAnswer>
  /** `GET` of a media URL Graph answered with, with the channel's token (Meta's lookaside URLs require it). */
  download(channel: C, url: URL): Promise<PassthroughAnswer>
  /** Lets calls in flight finish, then closes the kept-alive connections. */
  close(): Promise<void>
}

/** The largest media Meta takes (documents, 100 MB): a larger upload is refused before it goes anywhere. */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024

/** The path and query of a passed-on call under the channel's Graph base URL. */
export function passthroughUrl(baseUrl: string, request: PassthroughRequest): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/${request.version}${request.path}`)
  for (const [name, value] of Object.entries(request.query)) url.searchParams.set(name, value)
  return url
}

/**
 * Passes calls on to Meta's Graph API (or a channel's own `base_url`) over keep-alive connections, one pool per
 * origin (undici's `Agent`) — a pool of its own: the send client caps answers at a few hundred kilobytes, which a
 * media download is not. Bodies are streamed both ways. `timeoutMs` (upstream.timeout_ms) bounds each silence — no
 * headers, no bytes of the body either way for that long ends the call — not the whole call, which for 100 MB may
 * rightly take longer. Never retried: an upload's stream cannot be sent twice, and a template created twice is two.
 */
export function graphPassthrough(timeoutMs: number): GraphPassthrough {
  const agent = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
  let closing: Promise<void> | undefined
  const call = async (
    url: URL,
    method: PassthroughMethod,
    headers: Record<string, string>,
    body: string | Readable | undefined,
  ): Promise<PassthroughAnswer> => {
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      body: body ?? null,
    })
    return {
      status: response.statusCode,
      contentType: single(response.headers['content-type']),
      contentLength: single(response.headers['content-length']),
      body: response.body,
    }
  }
  return {
    pass(request) {
      const { upstream } = request.channel
      if (upstream.mode !== 'cloud')
        throw new Error(`channel ${request.channel.externalId} is not a cloud channel`)
      const headers: Record<string, string> = { authorization: `Bearer ${upstream.accessToken}` }
      if (request.contentType !== undefined) headers['content-type'] = request.contentType
      if (request.contentLength !== undefined && typeof request.body !== 'string')
        headers['content-length'] = request.contentLength
      return call(passthroughUrl(upstream.baseUrl, request), request.method, headers, request.body)
    },
    download(channel, url) {
      const { upstream } = channel
      if (upstream.mode !== 'cloud') throw new Error(`channel ${channel.externalId} is not a cloud channel`)
      return call(url, 'GET', { authorization: `Bearer ${upstream.accessToken}` }, undefined)
    },
    close: () => (closing ??= agent.close()),
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}
