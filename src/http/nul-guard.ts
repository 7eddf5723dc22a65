import type { FastifyInstance } from 'fastify'
import { GatewayError } from '../shared/errors.js'

/**
 * Text with a NUL character (U+0000) cannot be stored in PostgreSQL and means nothing in a message, an id or a
 * name: requests that carry one in their path, query or body are refused with 400 naming where, on both stores
 * alike. Meta's webhooks are exempt — they are acknowledged as received and must never be refused for their
 * content.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.url.startsWith('/webhooks/')) {
      done()
      return
    }
    const where = /%00|\0/i.test(request.url)
      ? 'the URL'
      : request.rawBody !== null && mayHoldNul(request.rawBody)
        ? nulPath(request.body, 'body')
        : null
    if (where === null) done()
    else
      done(
        new GatewayError(
          'INVALID_REQUEST',
          `${where} contains a NUL character (U+0000), which carewindow does not accept in text; remove it`,
        ),
      )
  })
}

/** A cheap look at the raw bytes: a NUL can only be there as JSON's `\u0000` or a form's `%00`. */
function mayHoldNul(raw: Buffer): boolean {
  return raw.includes('u0000') || raw.includes('%00')
}

/** Where in a parsed body a string with a NUL is (`body.text.body`), or `null`. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPath(item, `${path}[${index}]`)
      if (found !== null) return found
    }
    return null
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = key.includes('\0') ? `${path} (a key)` : nulPath(item, `${path}.${key}`)
      if (found !== null) return found
    }
  }
  return null
}
