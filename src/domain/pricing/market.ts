import { readInternationalNumber } from '../contacts/international-number.js'

/**
 * The country (ISO 3166-1 alpha-2) of a WhatsApp contact's phone number, which is the market Meta prices a
 * message in; `null` when the id is not a phone number (a Messenger PSID, a business-scoped user id).
 */
export function countryOfPhoneNumber(waId: string): string | null {
  const digits = waId.replace(/[\s()+-]/g, '')
  return /^\d{6,15}$/.test(digits) ? (readInternationalNumber(digits)?.country ?? null) : null
}
