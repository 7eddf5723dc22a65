import type { Readable } from 'node:stream'
import { jsonDepthExceeds } from '../bounded-json.js'
import type { GraphPassthrough } from '../graph-passthrough.js'
import type { UpstreamChannel } from '../upstream.js'

/** How a WhatsApp Business Account's `message_templates` list is read. */
export interface TemplatePagesOptions {
  /** The Graph version asked. */
  readonly version: string
  /** Templates asked for per page (Graph's `limit`). */
  readonly pageSize: number
  /** More pages than this fail the read: a list that never ends is a fault, not an account. */
  readonly maxPages: number
  /** A page larger than this fails the read (Graph's pages of 100 templates are a few hundred kilobytes). */
  readonly maxPageBytes: number
}

export const TEMPLATE_PAGES_DEFAULTS: TemplatePagesOptions = {
  version: 'v21.0',
  pageSize: 100,
  maxPages: 100,
  maxPageBytes: 8 * 1024 * 1024,
}

/** The fields a sync reads of each template. */
const FIELDS = 'name,language,status,category,parameter_format,components,id'

/** Every entry of the list, as Graph gave it, or why the list could not be read in full. */
export type TemplatePages =
  | { readonly ok: true; readonly entries: readonly unknown[]; readonly pages: number }
  | { readonly ok: false; readonly reason: string }

/**
 * Reads all of `GET /{waba_id}/message_templates`, page after page, with the channel's token through `passthrough`
 * (Graph's keep-alive pool, or the sandbox). Pages are followed by `paging.cursors.after` for as long as Graph
 * gives a `paging.next` — asked of the channel's own base URL: `next` itself names graph.facebook.com. Any page
 * that fails (no answer, an error from Graph, a body that is not the list) fails the whole read, so a caller never
 * takes part of a list for all of it.
 */
export async function readTemplatePages<C extends UpstreamChannel>(
  passthrough: GraphPassthrough<C>,
  channel: C,
  wabaId: string,
  options: TemplatePagesOptions = TEMPLATE_PAGES_DEFAULTS,
): Promise<TemplatePages> {
  const entries: unknown[] = []
  const cursors = new Set<string>()
  let after: string | undefined
  for (let page = 1; page <= options.maxPages; page++) {
    const read = await readPage(passthrough, channel, wabaId, options, after)
    if (!read.ok)
      return { ok: false, reason: `page ${page} of ${wabaId}'s message_templates: ${read.reason}` }
    entries.push(...read.data)
    if (read.next === null) return { ok: true, entries, pages: page }
    if (cursors.has(read.next))
      return { ok: false, reason: `page ${page} of ${wabaId}'s message_templates repeats an earlier cursor` }
    cursors.add(read.next)
    after = read.next
  }
  return {
    ok: false,
    reason: `${wabaId}'s message_templates has more than ${options.maxPages} pages of ${options.pageSize}`,
  }
}

type PageRead =
  | { readonly ok: true; readonly data: readonly unknown[]; readonly next: string | null }
  | { readonly ok: false; readonly reason: string }

async function readPage<C extends UpstreamChannel>(
  passthrough: GraphPassthrough<C>,
  channel: C,
  wabaId: string,
  options: TemplatePagesOptions,
  after: string | undefined,
): Promise<PageRead> {
  let status: number
  let bytes: Buffer | null
  try {
    const answer = await passthrough.pass({
      channel,
      operation: 'templates.list',
      method: 'GET',
      version: options.version,
      path: `/${wabaId}/message_templates`,
      query: {
        fields: FIELDS,
        limit: String(options.pageSize),
        ...(after === undefined ? {} : { after }),
      },
    })
    status = answer.status
    bytes = await readBounded(answer.body, options.maxPageBytes)
  } catch (error) {
    return { ok: false, reason: `${hostOf(channel)} did not answer: ${messageOf(error)}` }
  }
  if (bytes === null) return { ok: false, reason: `the page is larger than ${options.maxPageBytes} bytes` }
  const json = parse(bytes)
  if (status !== 200) return { ok: false, reason: `Graph answered ${status}${graphMessage(json)}` }
  if (!isRecord(json) || !Array.isArray(json.data))
    return { ok: false, reason: 'the answer is not Graph’s list of templates ({"data": [...]})' }
  const paging = isRecord(json.paging) ? json.paging : {}
  if (typeof paging.next !== 'string' || paging.next === '') return { ok: true, data: json.data, next: null }
  const cursor = isRecord(paging.cursors) ? paging.cursors.after : undefined
  if (typeof cursor !== 'string' || cursor === '')
    return { ok: false, reason: 'paging.next is given but paging.cursors.after is not' }
  return { ok: true, data: json.data, next: cursor }
}

/** The body, or `null` once it grows past `maxBytes` (the rest is not read). */
async function readBounded(body: Readable, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
    size += bytes.length
    if (size > maxBytes) {
      body.destroy()
      return null
    }
    chunks.push(bytes)
  }
  return Buffer.concat(chunks)
}

function parse(bytes: Buffer): unknown {
  if (jsonDepthExceeds(bytes)) return undefined
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** `: ` and Graph's own message from its error envelope, when there is one. */
function graphMessage(json: unknown): string {
  const error = isRecord(json) && isRecord(json.error) ? json.error : undefined
  return typeof error?.message === 'string' ? `: ${error.message}` : ''
}

function hostOf(channel: UpstreamChannel): string {
  return channel.upstream.mode === 'cloud' ? new URL(channel.upstream.baseUrl).host : 'the sandbox'
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
