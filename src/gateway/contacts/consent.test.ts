import { describe, expect, it } from 'vitest'
import { optOutAtInItsSecond } from './consent.js'

const SECOND = Date.parse('2025-09-01T10:00:00Z')

describe('an opt-out stamped to the second', () => {
  it('keeps its stamp when nothing else was recorded later in its second', () => {
    expect(optOutAtInItsSecond([], SECOND, SECOND + 5_000)).toBe(SECOND)
    expect(optOutAtInItsSecond([{ at: SECOND - 1 }, { at: SECOND + 1_000 }], SECOND, SECOND + 5_000)).toBe(
      SECOND,
    )
  })

  it('goes to the latest entry recorded later in its second, so it is appended after it', () => {
    const ledger = [{ at: SECOND + 200 }, { at: SECOND + 999 }, { at: SECOND + 600 }]
    expect(optOutAtInItsSecond(ledger, SECOND, SECOND + 5_000)).toBe(SECOND + 999)
  })

  it('is never placed after now, nor before its stamp', () => {
    expect(optOutAtInItsSecond([{ at: SECOND + 800 }], SECOND, SECOND + 300)).toBe(SECOND + 300)
    expect(optOutAtInItsSecond([{ at: SECOND + 800 }], SECOND, SECOND - 2_000)).toBe(SECOND)
  })
})
