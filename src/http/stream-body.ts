import { Transform, type Readable, type TransformCallback } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { GatewayError } from '../shared/errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes media (multipart/form-data, application/octet-stream) as a stream: `request.body` is a
     * {@link LimitedBody}, never read into memory. Other routes answer those types with 415, as before.
     */
    readonly streamsBody?: boolean
    /** The largest streamed body the route takes, in bytes. */
    readonly streamLimitBytes?: number
  }
}

/** The body types a media upload comes in. */
export const STREAMED_TYPES = ['multipart/form-data', 'application/octet-stream'] as const

/**
 * A request body passed on as it arrives, counted: past `limitBytes` it fails (and `isOverLimit` says why), so no
 * more than the limit ever goes further.
 */
export class LimitedBody extends Transform {
  private receivedBytes = 0
  isOverLimit = false

  constructor(
    private readonly limitBytes: number,
    private readonly source: Readable,
  ) {
    super()
    source.on('error', (error) => this.destroy(error))
    source.pipe(this)
  }

  /**
   * Reads what the client still sends and lets it go, once the answer is out: a body left half read (refused,
   * past its limit, not wanted upstream) would hold the connection open, the client stuck sending.
   */
  discardRest(): void {
    if (this.source.readableEnded) return
    this.source.unpipe(this)
    this.source.resume()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.receivedBytes += chunk.length
    if (this.receivedBytes > this.limitBytes) {
      this.isOverLimit = true
      done(tooLarge(this.limitBytes))
      return
    }
    done(null, chunk)
  }
}

/**
 * Media bodies reach the routes that asked for them (`config.streamsBody`) as a stream: Fastify's `bodyLimit`
 * (which counts what it buffers) does not apply, the route's `streamLimitBytes` does — at once for a declared
 * Content-Length, otherwise as the bytes arrive.
 */
export function registerStreamedBodies(app: FastifyInstance): void {
  app.addContentTypeParser([...STREAMED_TYPES], (request: FastifyRequest, payload: Readable, done) => {
    const { streamsBody, streamLimitBytes } = request.routeOptions.config
    if (streamsBody !== true || streamLimitBytes === undefined) {
      done(
        new GatewayError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type ${request.headers['content-type'] ?? ''} is not accepted here`,
        ),
        undefined,
      )
      return
    }
    const declared = Number(request.headers['content-length'] ?? Number.NaN)
    if (declared > streamLimitBytes) {
      done(tooLarge(streamLimitBytes), undefined)
      return
    }
    done(null, new LimitedBody(streamLimitBytes, payload))
  })
  app.addHook('onResponse', (request, _reply, hookDone) => {
    if (request.body instanceof LimitedBody) request.body.discardRest()
    hookDone()
  })
}

function tooLarge(limitBytes: number): GatewayError {
  return new GatewayError('MEDIA_TOO_LARGE', `the upload is larger than ${limitBytes} bytes`)
}
