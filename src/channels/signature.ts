import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
 * secret>`. Always over the bytes exactly as sent — re-serialised JSON (Meta escapes non-ASCII as \uXXXX)
 * would not match. carewindow signs what it relays to businesses the same way, with the tenant's secret.
 */
export const SIGNATURE_HEADER = 'x-hub-signature-256'

export function signatureOf(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Whether `header` is the signature of `body` with `secret`, compared in constant time. */
export function isValidSignature(body: string | Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false
  const expected = Buffer.from(signatureOf(body, secret))
  const given = Buffer.from(header.trim().toLowerCase())
  return given.length === expected.length && timingSafeEqual(given, expected)
}
