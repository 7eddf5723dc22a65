import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FakeGraph } from './fake-graph.js'

/** One call the fake Graph's media and template side received. */
export interface GraphCallReceived {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly contentType: string | undefined
  /** Bytes of the body received so far (counted as they arrive; the body itself is kept up to 1 MB). */
  receivedBytes: number
  body: Buffer
  /** Whether the whole body arrived (false for an upload cut off on the way). */
  isComplete: boolean
}

const KEPT_BYTES = 1024 * 1024
const UPLOAD = /^\/v\d+\.\d+\/\d+\/media$/
const MEDIA = /^\/v\d+\.\d+\/(\d+)$/
const LOOKASIDE = /^\/lookaside\/(\d+)$/

/**
 * The fake Graph's answers to the passthrough's media calls: uploads (read as they stream in, counted, kept up to
 * 1 MB), media URLs pointing at a lookaside path on the fake, which serves the file to the token that uploaded it.
 * Every call is recorded with its Authorization header. (A WABA's templates: fake-graph-templates.ts.)
 */
export class FakeGraphMedia {
  readonly calls: GraphCallReceived[] = []
  private readonly files = new Map<string, { readonly bytes: Buffer; readonly token: string | undefined }>()
  private nextId = 1_037_543_291_543_636n

  constructor(private readonly graph: FakeGraph) {
    graph.handleOthersWith((request, response) => this.handle(request, response))
  }

  private handle(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    const isOurs =
      (request.method === 'POST' && UPLOAD.test(path)) ||
      (request.method === 'GET' && (MEDIA.test(path) || LOOKASIDE.test(path)))
    if (!isOurs) return false
    const call: GraphCallReceived = {
      method: request.method ?? 'GET',
      path,
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      receivedBytes: 0,
      body: Buffer.alloc(0),
      isComplete: false,
    }
    this.calls.push(call)
    const kept: Buffer[] = []
    request.on('data', (chunk: Buffer) => {
      call.receivedBytes += chunk.length
      if (call.receivedBytes <= KEPT_BYTES) kept.push(chunk)
    })
    request.on('end', () => {
      call.isComplete = true
      call.body = Buffer.concat(kept)
      this.answer(call, response)
    })
    return true
  }

  private answer(call: GraphCallReceived, response: ServerResponse): void {
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(value))
    }
    if (UPLOAD.test(call.path)) {
      const id = String(this.nextId++)
      this.files.set(id, { bytes: fileOf(call.body), token: call.authorization })
      json(200, { id })
      return
    }
    const media = MEDIA.exec(call.path) ?? LOOKASIDE.exec(call.path)
    const file = this.files.get(media?.[1] ?? '')
    if (file === undefined || file.token !== call.authorization) {
      json(400, {
        error: {
          message: 'Unsupported get request.',
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        },
      })
      return
    }
    if (LOOKASIDE.test(call.path)) {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(file.bytes.length) })
      response.end(file.bytes)
      return
    }
    json(200, {
      messaging_product: 'whatsapp',
      url: `${this.graph.url}/lookaside/${media?.[1] ?? ''}`,
      mime_type: 'image/jpeg',
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      file_size: file.bytes.length,
      id: media?.[1],
    })
  }
}

/** The `file` part of a multipart body (the bytes between its headers and the next boundary). */
function fileOf(body: Buffer): Buffer {
  const start = body.indexOf('filename=')
  const headersEnd = body.indexOf('\r\n\r\n', start)
  if (start < 0 || headersEnd < 0) return body
  const boundary = body.subarray(0, body.indexOf('\r\n'))
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headersEnd)
  return body.subarray(headersEnd + 4, end < 0 ? body.length : end)
}
