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

/** `2024-03-02T10:00:00.000Z` */
export function formatInstant(at: Instant): string {
  return new Date(at).toISOString()
}

/** `2024-03-02 10:00 UTC` (seconds shown only when not zero), for sentences people read. */
export function formatHuman(at: Instant): string {
  const iso = new Date(at).toISOString()
  const seconds = iso.slice(17, 19)
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`} UTC`
}
