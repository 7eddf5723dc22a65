import { createHash, randomBytes } from 'node:crypto'

/** A random id with a readable prefix: `msg_3k9x…`. 16 random bytes, base64url. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`
}

/** A new API key. Shown once; only its SHA-256 is stored. */
export function generateApiKey(): string {
  return `cw_${randomBytes(24).toString('base64url')}`
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** The first characters of a key, safe to show in lists and logs. */
export function keyPrefix(key: string): string {
  return `${key.slice(0, 7)}…`
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
