import { parsePhoneNumberWithError, validatePhoneNumberLength } from 'libphonenumber-js'
import { readInternationalNumber, type InternationalNumber } from './international-number.js'

/**
 * WhatsApp keys a customer by `wa_id`: the phone number in international form, digits only, country calling code
 * first (`31612345678`). People write the same number many ways (`+31 6 1234 5678`, `0031 6 1234 5678`,
 * `+31 (0)6-1234-5678`); carewindow turns each into the one `wa_id`, so every form finds the same window.
 *
 * The rule, in order:
 * 1. Surrounding whitespace is ignored, and so are spaces, dashes, dots and parentheses between the digits.
 * 2. The number is international: it starts with `+`, with the `00` international prefix, or with the country
 *    calling code itself (the `wa_id` form). A number written nationally (`06 1234 5678`) has no country and is
 *    refused: carewindow does not guess one.
 * 3. A national (trunk) prefix written after the country calling code is dropped — the `0` of `+31 06…` and
 *    `+31 (0)6…` (`8` in Russia) — as libphonenumber knows it per country. Where the leading `0` belongs to the
 *    number itself, as in Italy (`+39 06…`), it is kept.
 * 4. The country calling code must exist, and the number must have a possible length for it (libphonenumber's
 *    `isPossible`, with the same `min` metadata as market.ts), with at most 15 digits in all (E.164).
 *    carewindow does not require `isValid`: that would refuse the `555` test numbers of Meta's examples
 *    (`15550001234`) and ranges newer than the metadata, and whether a number is on WhatsApp at all is Meta's
 *    to say (code 131026), not carewindow's.
 * 5. Mexican mobile numbers keep the `1` WhatsApp writes after `52` (`5215512345678`, as Meta's notifications
 *    carry them), which libphonenumber, following Mexico's 2019 plan, no longer counts as possible.
 *    `+52 1 55…` and `+52 55…` stay two ids, as do Argentina's `549…` and `54…`: carewindow does not guess
 *    which of the two Meta uses for a customer.
 *
 * A `wa_id` carewindow already keys (digits, as Meta sends them) comes out unchanged.
 */
export type WaIdParse =
  | { readonly ok: true; readonly id: string }
  | {
      readonly ok: false
      /** Why, as a sentence that names the input (`"+31 6 1234" is too short for country calling code 31`). */
      readonly problem: string
    }

/** A `wa_id` has at most 15 digits (E.164). */
export const MAX_WA_ID_DIGITS = 15

/** The longest text read as a contact id: far above any way of writing a phone number or a business-scoped id. */
export const MAX_WRITTEN_CONTACT_ID_LENGTH = 64

// Digits with the separators people write between them, after an optional `+`.
const WRITTEN_NUMBER = /^\+?[\d\s().-]+$/
const SEPARATORS = /[\s().+-]/g
// A business-scoped user id: a two-letter country code, a dot, an alphanumeric id (`US.13491208655302741918`;
// a parent id has `ENT.` between them).
const BUSINESS_SCOPED_ID = /^[A-Z]{2}(?:\.[\dA-Za-z]+)+$/
// More digits than any way of writing a 15-digit number (with a trunk prefix) can have.
const MAX_WRITTEN_DIGITS = MAX_WA_ID_DIGITS + 2
const MEXICO = '52'

/**
 * A WhatsApp contact as carewindow keys it: a business-scoped user id (`US.13491208655302741918`, which Meta
 * sends for customers with a username) exactly as written, otherwise the {@link parseWaId | wa_id} of a phone
 * number. Messenger PSIDs are not WhatsApp contacts and never pass through here.
 */
export function parseWhatsAppContactId(written: string): WaIdParse {
  const text = written.trim()
  if (text.length <= MAX_WRITTEN_CONTACT_ID_LENGTH && BUSINESS_SCOPED_ID.test(text))
    return { ok: true, id: text }
  if (/\p{L}/u.test(text))
    return refuse(
      `${quoted(text)} is neither a phone number (digits, with an optional leading + or 00) nor a business-scoped user id (US.13491208655302741918)`,
    )
  return parseWaId(written)
}

/**
 * The `wa_id` a written phone number stands for, or why it cannot be one (see {@link WaIdParse} for the rule). The
 * number's reading is remembered (international-number.ts): contacts repeat.
 */
export function parseWaId(written: string): WaIdParse {
  const text = written.trim()
  if (text === '')
    return refuse(
      'an empty text is not a phone number: write it with its country calling code, e.g. +31 6 1234 5678',
    )
  if (text.length > MAX_WRITTEN_CONTACT_ID_LENGTH)
    return refuse(
      `a text of ${text.length} characters is not a phone number: one is written in at most ${MAX_WRITTEN_CONTACT_ID_LENGTH} characters`,
    )
  if (!WRITTEN_NUMBER.test(text))
    return refuse(
      `${quoted(text)} is not a phone number: digits, with spaces, dashes, dots or parentheses between them and an optional leading + or 00`,
    )
  const digits = text.replace(SEPARATORS, '')
  const international = text.startsWith('+') ? digits : digits.replace(/^00/, '')
  if (digits === '') return refuse(`${quoted(text)} has no digits`)
  if (!text.startsWith('+') && !digits.startsWith('00') && digits.startsWith('0'))
    return refuse(
      `${quoted(text)} is written nationally: write it with its country calling code (+31 6 1234 5678 or 0031 6 1234 5678, not 06 1234 5678)`,
    )
  if (international.length > MAX_WRITTEN_DIGITS)
    return refuse(
      `${quoted(text)} has ${international.length} digits; a phone number has at most ${MAX_WA_ID_DIGITS}`,
    )
  const number = readInternationalNumber(international)
  if (number === null)
    return refuse(
      international.length < 6
        ? `${quoted(text)} is too short for a phone number with its country calling code`
        : `${quoted(text)} does not start with a country calling code that exists (+${international.slice(0, 3)}…)`,
    )
  const waId = `${number.countryCallingCode}${number.nationalNumber}`
  if (!number.isPossible && !isMexicanMobile(number)) return refuse(lengthProblem(text, international))
  if (waId.length > MAX_WA_ID_DIGITS)
    return refuse(`${quoted(text)} has ${waId.length} digits; a phone number has at most ${MAX_WA_ID_DIGITS}`)
  return { ok: true, id: waId }
}

/** `52 1` and ten digits: the form WhatsApp gives Mexican mobile numbers. */
function isMexicanMobile(number: InternationalNumber): boolean {
  return (
    number.countryCallingCode === MEXICO &&
    /^1\d{10}$/.test(number.nationalNumber) &&
    readInternationalNumber(`${MEXICO}${number.nationalNumber.slice(1)}`)?.isPossible === true
  )
}

/** Why a number's length is not possible (a refusal: its number is parsed again, for the words). */
function lengthProblem(text: string, international: string): string {
  const number = parsePhoneNumberWithError(`+${international}`)
  const code = number.countryCallingCode
  const where =
    number.country === undefined ? `with country calling code +${code}` : `in ${number.country} (+${code})`
  switch (validatePhoneNumberLength(number.number)) {
    case 'TOO_SHORT':
      return `${quoted(text)} is too short for a phone number ${where}`
    case 'TOO_LONG':
      return `${quoted(text)} is too long for a phone number ${where}`
    default:
      return `${quoted(text)} has ${number.nationalNumber.length} digits after +${code}, which no phone number ${where} has`
  }
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 32)}…` : text)
}

function refuse(problem: string): WaIdParse {
  return { ok: false, problem }
}
