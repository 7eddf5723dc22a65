import type { Instant } from '../domain/index.js'
import { instantProblem, lengthProblem, WIRE_LIMITS } from './wire-limits.js'

/**
 * Reads the fields carewindow acts on out of a Meta notification, loosely and bounded at once. Meta adds fields
 * and event kinds over time, so a field that is absent only means the item is not one carewindow acts on (it is
 * relayed, not applied). A field that is present with a value no notification from Meta carries — the wrong type,
 * an id longer than any index should hold, an instant outside the calendar — is a problem: the notification is
 * refused before it is acknowledged, so it can never be stored and then fail to apply.
 */
export class NotificationFields {
  private readonly found: string[] = []
  private changes = 0

  /** What is wrong, one line per problem with where it is (`entry[0].changes[0].value.messages[1].id: …`). */
  get problems(): readonly string[] {
    return this.found
  }

  problem(path: string, message: string): void {
    // A handful say enough; a body of ten thousand bad items must not make a ten-thousand-line answer.
    if (this.found.length < 10) this.found.push(`${path}: ${message}`)
  }

  /** Counts a change carewindow would apply; past the limit the notification is refused. */
  countChange(path: string): void {
    this.changes++
    if (this.changes === WIRE_LIMITS.changesPerNotification + 1)
      this.problem(
        path,
        `a notification carries at most ${WIRE_LIMITS.changesPerNotification} changes (messages, statuses, events…)`,
      )
  }

  /** A non-empty string (or a finite number, as Meta sometimes sends ids) of at most `limit` characters, or `null` when absent. */
  text(value: unknown, path: string, limit: number = WIRE_LIMITS.wordLength): string | null {
    if (value === undefined || value === null || value === '') return null
    let text: string
    if (typeof value === 'string') text = value
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
    else {
      this.problem(path, `expected a string, got ${describe(value)}`)
      return null
    }
    const tooLong = lengthProblem(text, limit, 'it')
    if (tooLong !== null) {
      this.problem(path, tooLong)
      return null
    }
    return text
  }

  /** An instant in milliseconds (already converted from the wire's unit), or `null` when out of range. */
  instant(at: Instant, path: string): Instant | null {
    const problem = instantProblem(at, 'the timestamp')
    if (problem === null) return at
    this.problem(path, problem)
    return null
  }
}

/** A value's kind, for messages (`an object`, `a boolean`, `the number NaN`). */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'number') return `the number ${String(value)}`
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

/** The objects of a list (anything else in it is not an item carewindow acts on). */
export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record).filter((item) => item !== null) : []
}
