import { parsePhoneNumberFromString } from 'libphonenumber-js'
import { describe, expect, it } from 'vitest'
import { NUMBERS_PER_GENERATION, readInternationalNumber } from './international-number.js'

/** A Dutch mobile number never read before in this file: `316` and eight digits from `n`. */
const dutch = (n: number): string => `316${String(n).padStart(8, '0')}`

describe('readInternationalNumber', () => {
  it('reads what libphonenumber reads of +digits', () => {
    for (const digits of ['31612345678', '15550001234', '5215512345678', '4420', '3930012345678']) {
      const number = parsePhoneNumberFromString(`+${digits}`)
      expect(readInternationalNumber(digits)).toEqual({
        countryCallingCode: number?.countryCallingCode,
        nationalNumber: number?.nationalNumber,
        country: number?.country ?? null,
        isPossible: number?.isPossible(),
      })
    }
  })

  it('is null for a number no country calling code starts', () => {
    expect(readInternationalNumber('999123456')).toBeNull()
    expect(readInternationalNumber('999123456')).toBeNull()
  })

  it('remembers a reading until two full generations of newer numbers have passed it', () => {
    const first = readInternationalNumber(dutch(0))
    expect(readInternationalNumber(dutch(0))).toBe(first)
    // A full generation of other numbers: the first one ages into the older generation and is still remembered,
    // and reading it brings it back to the newer one.
    for (let n = 1; n <= NUMBERS_PER_GENERATION; n++) readInternationalNumber(dutch(n))
    expect(readInternationalNumber(dutch(0))).toBe(first)
    // Two more generations that never read it: it is forgotten, and read anew (an equal, not the same, reading).
    for (let n = 1; n <= 2 * NUMBERS_PER_GENERATION; n++) readInternationalNumber(dutch(1_000_000 + n))
    const again = readInternationalNumber(dutch(0))
    expect(again).toEqual(first)
    expect(again).not.toBe(first)
  })
})
