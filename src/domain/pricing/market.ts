import { parsePhoneNumberFromString } from 'libphonenumber-js'

// Parsing a number costs microseconds; contacts repeat, so remember recent answers (bounded).
const MAX_REMEMBERED = 50_000
const remembered = new Map<string, string | null>()

/**
 * The country (ISO 3166-1 alpha-2) of a WhatsApp contact's phone number, which is the market Meta prices a
 * message in; `null` when the id is not a phone number (a Messenger PSID, a business-scoped user id).
 */
export function countryOfPhoneNumber(waId: string): string | null {
  const known = remembered.get(waId)
  if (known !== undefined) return known
  const digits = waId.replace(/[\s()+-]/g, '')
  const country = /^\d{6,15}$/.test(digits)
    ? (parsePhoneNumberFromString(`+${digits}`)?.country ?? null)
    : null
  if (remembered.size >= MAX_REMEMBERED) remembered.clear()
  remembered.set(waId, country)
  return country
}
