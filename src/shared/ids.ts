import { createHash, randomBytes, randomFillSync } from 'node:crypto'

/**
 * Random bytes drawn from the CSPRNG a few kilobytes at a time, as `randomUUID` does: one call per id cost more
 * than the rest of building it. Every byte is used once.
 */
const pool = Buffer.alloc(4096)
let poolOffset = pool.length

/** `bytes` fresh random bytes (at most 4096) as text. */
export function randomToken(bytes: number, encoding: 'base64url' | 'hex'): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const text = pool.toString(encoding, poolOffset, poolOffset + bytes)
  poolOffset += bytes
  return text
}

/** A random id with a readable prefix: `msg_3k9x…`. 16 random bytes, base64url. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomToken(16, 'base64url')}`
}

/** Digits of an instant (ms) in base 36: enough until the year 5000. */
const TIME_DIGITS = 9

/**
 * A random id that sorts by the instant (ms) it is given: `msg_` + the instant in 9 lowercase base-36 digits + 12
 * random bytes (base64url). Rows written in great numbers (messages, webhook deliveries) take these, so each
 * insert lands next to the previous ones at the end of the id index instead of on a random page of it: a group
 * commit then writes a few index pages, not one per row. Lowercase digits and letters keep that order under any
 * collation. Within one millisecond the order is random.
 */
export function timeOrderedId(prefix: string, at: number): string {
  return `${prefix}_${Math.max(0, Math.floor(at)).toString(36).padStart(TIME_DIGITS, '0')}${randomToken(12, 'base64url')}`
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
