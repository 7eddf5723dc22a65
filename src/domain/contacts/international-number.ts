import { parsePhoneNumberFromString } from 'libphonenumber-js'

/**
 * What carewindow reads of a phone number written in international form (digits only, country calling code
 * first): its country calling code, national number, country and whether its length is possible there. A
 * customer's number is read when Meta's notification is taken in, again when it is applied and when its market is
 * priced; libphonenumber takes microseconds each time, so recent readings are remembered, in two generations: the
 * newest numbers are kept while older ones age out, and memory stays bounded.
 */
export interface InternationalNumber {
  readonly countryCallingCode: string
  readonly nationalNumber: string
  /** ISO 3166-1 alpha-2, or `null` when the calling code is shared and the number matches none of its countries. */
  readonly country: string | null
  /** libphonenumber's `isPossible`: a length some number of that country or calling code has. */
  readonly isPossible: boolean
}

/** Numbers remembered per generation: at most twice this many in all. */
export const NUMBERS_PER_GENERATION = 50_000

let newer = new Map<string, InternationalNumber | null>()
let older = new Map<string, InternationalNumber | null>()

/** The reading of `+digits`, or `null` when no country calling code starts it (see {@link InternationalNumber}). */
export function readInternationalNumber(digits: string): InternationalNumber | null {
  const known = newer.get(digits)
  if (known !== undefined) return known
  const aged = older.get(digits)
  const reading = aged !== undefined ? aged : parse(digits)
  if (newer.size >= NUMBERS_PER_GENERATION) {
    older = newer
    newer = new Map()
  }
  newer.set(digits, reading)
  return reading
}

function parse(digits: string): InternationalNumber | null {
  const number = parsePhoneNumberFromString(`+${digits}`)
  if (number === undefined) return null
  return {
    countryCallingCode: number.countryCallingCode,
    nationalNumber: number.nationalNumber,
    country: number.country ?? null,
    isPossible: number.isPossible(),
  }
}
