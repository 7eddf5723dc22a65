import { formatInstant, type Instant } from '../domain/index.js'

/**
 * The bounds every id and instant read off the wire must keep. They are far above what Meta sends and far below
 * what would hurt: ids are keys of database indexes (a PostgreSQL index row holds about 2,700 bytes), and an
 * instant outside the calendar's range cannot even be formatted.
 */
export const WIRE_LIMITS = {
  /** A `wa_id` has at most 15 digits, a business-scoped user id (`US.13491208655302741918`) or a PSID ~25 characters. */
  contactIdLength: 64,
  /** A `phone_number_id`, Page id or WhatsApp Business Account id: Graph ids are up to ~20 digits. */
  accountIdLength: 64,
  /** A `wamid.…` is about 60–100 characters, a Messenger `mid` up to ~150. */
  messageIdLength: 256,
  /** Meta allows template names of up to 512 characters. */
  templateNameLength: 512,
  /** `en`, `en_US`, `zh_HANT_HK`… */
  languageLength: 32,
  /** Enum-like words Meta sends (`APPROVED`, `delivered`, `marketing_messages`…). */
  wordLength: 64,
  /**
   * Changes one notification may carry (messages, statuses, preferences, template updates, Messenger events and
   * the message ids of a delivery, together). Meta batches at most 1,000 updates per notification.
   */
  changesPerNotification: 1_000,
} as const

/** The earliest instant carewindow accepts from the wire: before WhatsApp and Messenger existed. */
export const EARLIEST_WIRE_INSTANT: Instant = Date.UTC(2000, 0, 1)
/** The latest instant carewindow accepts from the wire. */
export const LATEST_WIRE_INSTANT: Instant = Date.UTC(2100, 0, 1)

/** Why an instant is out of range, or `null` when it is within it. */
export function instantProblem(at: Instant, what: string): string | null {
  return at >= EARLIEST_WIRE_INSTANT && at < LATEST_WIRE_INSTANT
    ? null
    : `${what} must be between ${formatInstant(EARLIEST_WIRE_INSTANT)} and ${formatInstant(LATEST_WIRE_INSTANT)}`
}

/** Why a text is too long for its kind, or `null`. */
export function lengthProblem(value: string, limit: number, what: string): string | null {
  return value.length <= limit
    ? null
    : `${what} has ${value.length} characters; at most ${limit} are accepted`
}
