import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'

/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
 * secret>`. Always over the bytes exactly as sent — re-serialised JSON (Meta escapes non-ASCII as \uXXXX)
 * would not match. carewindow signs what it relays to businesses the same way, with the tenant's secret.
 */
export const SIGNATURE_HEADER = 'x-hub-signature-256'

export function signatureOf(body: string | Buffer, secret: string): string {
  return `sha256=${digestOf(body, secret).toString('hex')}`
}

const PREFIX = 'sha256='
const DIGEST_BYTES = 32
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/

/** Whether `header` is the signature of `body` with `secret`, compared in constant time. */
export function isValidSignature(body: string | Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined || !header.startsWith(PREFIX)) return false
  const hex = header.slice(PREFIX.length).trim()
  if (!HEX_DIGEST.test(hex)) return false
  const given = Buffer.from(hex, 'hex')
  return given.length === DIGEST_BYTES && timingSafeEqual(given, digestOf(body, secret))
}

/**
 * The channels whose app secret signed `body` — each distinct secret checked once: the numbers and pages of one Meta
 * app share its secret, and a notification is checked against all of a platform's channels.
 */
export function channelsSigning<T extends { readonly appSecret: string }>(
  channels: readonly T[],
  body: string | Buffer,
  header: string | undefined,
): T[] {
  const verdicts = new Map<string, boolean>()
  return channels.filter((channel) => {
    let verdict = verdicts.get(channel.appSecret)
    if (verdict === undefined) {
      verdict = isValidSignature(body, header, channel.appSecret)
      verdicts.set(channel.appSecret, verdict)
    }
    return verdict
  })
}

/** Secrets as key objects, made once: each webhook is checked against the same few app secrets. */
const keys = new Map<string, KeyObject>()
const MAX_KEYS = 1_024

function digestOf(body: string | Buffer, secret: string): Buffer {
  let key = keys.get(secret)
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear()
    key = createSecretKey(Buffer.from(secret, 'utf8'))
    keys.set(secret, key)
  }
  return createHmac('sha256', key).update(body).digest()
}
