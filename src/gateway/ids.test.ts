import { describe, expect, it } from 'vitest'
import { randomId, randomToken } from './ids.js'

describe('random ids', () => {
  it('gives tokens of the asked length in the asked encoding, never the same twice across pool refills', () => {
    const seen = new Set<string>()
    // 2,000 × 24 bytes crosses the 4 KiB pool about a dozen times, with tokens that straddle no refill.
    for (let index = 0; index < 2_000; index++) {
      const token = randomToken(24, 'base64url')
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/)
      seen.add(token)
    }
    expect(seen.size).toBe(2_000)
    expect(randomToken(8, 'hex')).toMatch(/^[0-9a-f]{16}$/)
  })

  it('prefixes ids, with 16 random bytes after the prefix', () => {
    expect(randomId('msg')).toMatch(/^msg_[A-Za-z0-9_-]{22}$/)
    expect(randomId('req')).not.toBe(randomId('req'))
  })
})
