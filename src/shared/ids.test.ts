import { describe, expect, it } from 'vitest'
import { randomId, randomToken, timeOrderedId } from './ids.js'

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

  it('orders time-ordered ids by their instants, across base-36 digit carries, and keeps them unique', () => {
    const instants = [
      0,
      35,
      36,
      1_295,
      1_296,
      Date.UTC(2026, 10, 24),
      Date.UTC(2026, 10, 24) + 1,
      Date.UTC(2100, 0, 1),
    ]
    const ids = instants.map((at) => timeOrderedId('msg', at))
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-z]{9}[A-Za-z0-9_-]{16}$/)
    expect([...ids].sort()).toEqual(ids)
    const sameInstant = Array.from({ length: 1_000 }, () => timeOrderedId('dlv', 1_795_520_601_000))
    expect(new Set(sameInstant).size).toBe(1_000)
    expect(
      sameInstant.every((id) => id.startsWith(`dlv_${(1_795_520_601_000).toString(36).padStart(9, '0')}`)),
    ).toBe(true)
  })
})
