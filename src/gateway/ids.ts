import { createHash, randomBytes, randomFillSync } from 'node:crypto'

const ID_BYTES = 16
/** Random bytes for ids, drawn from the CSPRNG a few kilobytes at a time (as `randomUUID` does): one call per id cost more than the rest of building it. */
const idPool = Buffer.alloc(ID_BYTES * 256)
let idPoolOffset = idPool.length

/** A random id with a readable prefix: `msg_3k9x…`. 16 random bytes, base64url. */
export function randomId(prefix: string): string {
  if (idPoolOffset === idPool.length) {
    randomFillSync(idPool)
    idPoolOffset = 0
  }
  const id = idPool.toString('base64url', idPoolOffset, idPoolOffset + ID_BYTES)
  idPoolOffset += ID_BYTES
  return `${prefix}_${id}`
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
