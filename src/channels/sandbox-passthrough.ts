import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Template } from '../domain/index.js'
import { randomToken } from '../shared/ids.js'
import type { GraphPassthrough, PassthroughAnswer, PassthroughRequest } from './graph-passthrough.js'
import { SANDBOX_ORIGIN, SandboxTemplates, type SandboxAnswer } from './sandbox-templates.js'
import type { UpstreamChannel } from './upstream.js'

/** Where the sandbox's media URLs point: nowhere real; carewindow's download route reads them from memory. */
export const SANDBOX_MEDIA_ORIGIN = SANDBOX_ORIGIN

/** Uploads the sandbox keeps to serve back (the newest); a larger one is counted and hashed, not kept. */
const KEPT_MEDIA = 20
const KEPT_MEDIA_BYTES = 5 * 1024 * 1024

interface SandboxMedia {
  readonly id: string
  readonly mimeType: string
  readonly sha256: string
  readonly size: number
  /** `null` when the file was larger than the sandbox keeps. */
  readonly bytes: Buffer | null
}

/**
 * The built-in stand-in for Graph's other calls, for demos without a Meta account: uploads are read (never kept
 * whole beyond a few MB) and get a media id, media ids get a URL, `message_templates` lists, creates and deletes the
 * templates of a simulated account (sandbox-templates.ts: it starts from the channel's templates in carewindow's
 * registry), the profiles are kept in memory. Answers have Graph's shapes; what a real account would do with them
 * (template review, registration) is not simulated.
 */
export function sandboxPassthrough<C extends UpstreamChannel>(
  templatesOf: (channel: C) => Promise<readonly Template[]>,
): GraphPassthrough<C> {
  const templates = new SandboxTemplates<C>(templatesOf)
  const media = new Map<string, SandboxMedia>()
  const profiles = new Map<string, Record<string, unknown>>()
  const keep = (item: SandboxMedia): void => {
    media.set(item.id, item)
    for (const id of media.keys()) {
      if (media.size <= KEPT_MEDIA) break
      media.delete(id)
    }
  }
  return {
    async pass(request) {
      const id = request.channel.externalId
      switch (request.operation) {
        case 'media.upload':
        case 'attachment.upload': {
          const item = await readUpload(request.body, request.contentType)
          keep(item)
          return request.operation === 'media.upload'
            ? json(200, { id: item.id })
            : json(200, { attachment_id: item.id })
        }
        case 'media.get': {
          const item = media.get(request.path.slice(1))
          if (item === undefined) return unknownObject(request.path.slice(1))
          return json(200, {
            messaging_product: 'whatsapp',
            url: `${SANDBOX_MEDIA_ORIGIN}/media/${item.id}`,
            mime_type: item.mimeType,
            sha256: item.sha256,
            file_size: item.size,
            id: item.id,
          })
        }
        case 'media.delete':
          return media.delete(request.path.slice(1))
            ? json(200, { success: true })
            : unknownObject(request.path.slice(1))
        case 'templates.list':
          return answer(
            await templates.list(request.channel, wabaOf(request), request.version, request.query),
          )
        case 'templates.create':
          return answer(await templates.create(request.channel, wabaOf(request), fieldsOf(request.body)))
        case 'templates.delete':
          return answer(await templates.remove(request.channel, wabaOf(request), request.query))
        case 'template.edit': {
          const edited = await templates.edit(request.path.slice(1), fieldsOf(request.body))
          return edited === null ? unknownObject(request.path.slice(1)) : answer(edited)
        }
        case 'business_profile.update':
        case 'phone_number.register':
        case 'phone_number.deregister':
          if (request.operation === 'business_profile.update')
            profiles.set(id, { ...profileOf(profiles, id), ...fieldsOf(request.body) })
          return json(200, { success: true })
        case 'phone_number.get':
          return json(200, {
            verified_name: 'carewindow sandbox',
            display_phone_number: id,
            id,
            quality_rating: 'GREEN',
            code_verification_status: 'VERIFIED',
            platform_type: 'CLOUD_API',
            throughput: { level: 'STANDARD' },
          })
        case 'business_profile.get':
          return json(200, { data: [{ messaging_product: 'whatsapp', ...profileOf(profiles, id) }] })
        case 'messenger_profile.get':
          return json(200, { data: [profiles.get(id) ?? {}] })
        case 'messenger_profile.update':
          profiles.set(id, { ...profiles.get(id), ...fieldsOf(request.body) })
          return json(200, { result: 'success' })
        case 'messenger_profile.delete':
          profiles.delete(id)
          return json(200, { result: 'success' })
      }
    },
    download(_channel, url) {
      const item =
        url.origin === SANDBOX_MEDIA_ORIGIN ? media.get(url.pathname.split('/').at(-1) ?? '') : undefined
      const bytes = item?.bytes ?? null
      if (item === undefined || bytes === null) return Promise.resolve(unknownObject(url.pathname))
      return Promise.resolve({
        status: 200,
        contentType: item.mimeType,
        contentLength: String(bytes.length),
        body: Readable.from([bytes]),
      })
    },
    close: () => Promise.resolve(),
  }
}

async function readUpload(
  body: PassthroughRequest['body'],
  contentType: string | undefined,
): Promise<SandboxMedia> {
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let size = 0
  const chunks = typeof body === 'string' ? [Buffer.from(body)] : (body ?? [])
  for await (const chunk of chunks) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
    hash.update(bytes)
    size += bytes.length
    if (size <= KEPT_MEDIA_BYTES) kept.push(bytes)
  }
  const whole = size <= KEPT_MEDIA_BYTES ? Buffer.concat(kept) : null
  return {
    id: sandboxId(),
    mimeType: filePartType(whole, contentType) ?? 'application/octet-stream',
    sha256: hash.digest('hex'),
    size,
    bytes: whole === null ? null : (fileOf(whole, contentType) ?? whole),
  }
}

/** The file part of a multipart upload, as Graph keeps it (the form's other fields are not the media). */
function fileOf(whole: Buffer, contentType: string | undefined): Buffer | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1]
  if (boundary === undefined) return undefined
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  let start = whole.indexOf('filename=')
  if (start < 0) return undefined
  start = whole.indexOf('\r\n\r\n', start)
  if (start < 0) return undefined
  const end = whole.indexOf(delimiter, start + 4)
  return end < 0 ? undefined : whole.subarray(start + 4, end)
}

function filePartType(whole: Buffer | null, contentType: string | undefined): string | undefined {
  if (whole === null || contentType?.startsWith('multipart/') !== true) return contentType
  const head = whole.subarray(0, 16 * 1024).toString('latin1')
  return /filename=[^\r\n]*\r\nContent-Type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim()
}

function profileOf(profiles: Map<string, Record<string, unknown>>, id: string): Record<string, unknown> {
  return profiles.get(id) ?? { about: 'carewindow sandbox', vertical: 'OTHER' }
}

function fieldsOf(body: PassthroughRequest['body']): Record<string, unknown> {
  if (typeof body !== 'string') return {}
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

function sandboxId(): string {
  return String(BigInt(`0x${randomToken(7, 'hex')}`))
}

/** The WABA id of `/{waba_id}/message_templates`. */
function wabaOf(request: PassthroughRequest): string {
  return request.path.split('/')[1] ?? ''
}

function answer(sandbox: SandboxAnswer): PassthroughAnswer {
  return json(sandbox.status, sandbox.json)
}

function json(status: number, value: unknown): PassthroughAnswer {
  const text = JSON.stringify(value)
  return {
    status,
    contentType: 'application/json; charset=UTF-8',
    contentLength: String(Buffer.byteLength(text)),
    body: Readable.from([Buffer.from(text)]),
  }
}

/** Graph's answer to an id it does not know (or the token may not see). */
function unknownObject(id: string): PassthroughAnswer {
  return json(400, {
    error: {
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: `sandbox${randomToken(6, 'hex')}`,
    },
  })
}
