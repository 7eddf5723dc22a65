/**
 * Instants and durations. The domain never reads a clock: every function takes the instant it reasons
 * about as a parameter, as milliseconds since the Unix epoch (UTC).
 */

/** Milliseconds since 1970-01-01T00:00:00Z. */
export type Instant = number

export const SECOND_MS = 1000
export const MINUTE_MS = 60 * SECOND_MS
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

// A strict ISO 8601 timestamp with an explicit offset, so "2024-03-01" or a local time can never be
// mistaken for UTC.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

/** Parses an ISO 8601 timestamp with an offset (`2024-03-01T10:00:00Z`); `undefined` when it is not one. */
export function parseInstant(text: string): Instant | undefined {
  if (!ISO_INSTANT.test(text) || parseDate(text.slice(0, 10)) === undefined) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

/** Parses a calendar date (`2020-01-15`) as midnight UTC; `undefined` when it is not one. */
export function parseDate(text: string): Instant | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined
  const ms = Date.parse(`${text}T00:00:00Z`)
  // Date.parse rolls impossible days over ("2024-02-30" becomes 1 March); a real date formats back to itself.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? undefined : ms
}

/** Like {@link parseDate} for constants known to be valid. */
export function utcDate(text: string): Instant {
  const ms = parseDate(text)
  if (ms === undefined) throw new RangeError(`not a calendar date: ${text}`)
  return ms
}

/** How far from the epoch a `Date` reaches: 100,000,000 days either way (about 275,000 years). */
const DATE_RANGE_MS = 100_000_000 * DAY_MS

/**
 * `2024-03-02T10:00:00.000Z`. An instant past what a `Date` holds — only a broken timestamp makes one, and it may
 * already be stored — is written the same way with ISO 8601's expanded year (`-314918-08-13T06:13:20.000Z`, the
 * form `Date` itself uses past 9999), so showing stored data never fails. Not finite: not an instant, a RangeError.
 */
export function formatInstant(at: Instant): string {
  if (Math.abs(at) <= DATE_RANGE_MS) return new Date(at).toISOString()
  if (!Number.isFinite(at)) throw new RangeError(`not an instant: ${at}`)
  const days = Math.floor(at / DAY_MS)
  // Far out a double holds no single milliseconds any more; whatever is left of the day stays inside it.
  let rest = Math.min(Math.max(at - days * DAY_MS, 0), DAY_MS - 1)
  const { year, month, day } = civilDate(days)
  const hours = Math.floor(rest / HOUR_MS)
  rest -= hours * HOUR_MS
  const minutes = Math.floor(rest / MINUTE_MS)
  rest -= minutes * MINUTE_MS
  const seconds = Math.floor(rest / SECOND_MS)
  const ms = Math.floor(rest - seconds * SECOND_MS)
  // BigInt writes every digit of a year too large for the usual number formatting (no exponent).
  const yearText = `${year < 0 ? '-' : '+'}${BigInt(Math.abs(year)).toString().padStart(6, '0')}`
  return `${yearText}-${twoDigits(month)}-${twoDigits(day)}T${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${String(ms).padStart(3, '0')}Z`
}

/**
 * `2024-03-02 10:00 UTC` (seconds shown only when not zero), for sentences people read. Refusals explain
 * themselves with it on the hot path, so it does calendar arithmetic instead of going through `Date` strings.
 */
export function formatHuman(at: Instant): string {
  const days = Math.floor(at / DAY_MS)
  let rest = at - days * DAY_MS
  const { year, month, day } = civilDate(days)
  const hours = Math.floor(rest / HOUR_MS)
  rest -= hours * HOUR_MS
  const minutes = Math.floor(rest / MINUTE_MS)
  const seconds = Math.floor((rest - minutes * MINUTE_MS) / SECOND_MS)
  return `${year}-${twoDigits(month)}-${twoDigits(day)} ${twoDigits(hours)}:${twoDigits(minutes)}${seconds === 0 ? '' : `:${twoDigits(seconds)}`} UTC`
}

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n))

// Days since 1970-01-01 to a proleptic Gregorian date, after Howard Hinnant's `civil_from_days`
// (http://howardhinnant.github.io/date_algorithms.html): eras of 400 years starting on 1 March.
function civilDate(daysSinceEpoch: number): { year: number; month: number; day: number } {
  const z = daysSinceEpoch + 719_468
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153)
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1,
  }
}
