/**
 * The generic cell rate algorithm (GCRA), as a pure function: a token bucket kept as one number per key, the
 * theoretical arrival time (`tat`) of the next send at the sustained rate. One number is what makes the
 * database's copy one row, updated by one atomic statement (store/kysely/rate-limits.ts does in SQL exactly what
 * {@link takeSlot} does here, and the store contract suite checks that they agree).
 *
 * Times are in microseconds: Meta's rates are per second (80/s is an interval of 12.5 ms), so milliseconds would
 * round the interval and drift.
 */

/** A sustained rate with its burst allowance. */
export interface RateRule {
  /** Time between two sends at the sustained rate (µs). */
  readonly intervalUs: number
  /** Sends that may go at once after a quiet spell (≥ 1); later ones are spaced by the interval. */
  readonly burst: number
}

/** One send asking for a slot. */
export interface SlotRequest extends RateRule {
  /** When the send arrives (µs since the epoch). */
  readonly atUs: number
  /** How long the send may wait for its slot (µs): 0 refuses whatever does not fit now (`refuse` mode). */
  readonly maxWaitUs: number
}

/** Admitted, to go after `waitUs` (0: now); or refused, with the time until a send would fit without waiting. */
export type Slot =
  | { readonly admitted: true; readonly waitUs: number }
  | { readonly admitted: false; readonly retryAfterUs: number }

/** The burst tolerance (τ): how far ahead of the sustained rate a send may be and still conform. */
export function toleranceUs(rule: RateRule): number {
  return (rule.burst - 1) * rule.intervalUs
}

/**
 * Asks the bucket whose state is `tatUs` (`null`: never used, or long idle) for a slot. A send conforms when it
 * arrives no earlier than `tat − τ`; one that would have to wait longer than `maxWaitUs` is refused and leaves the
 * state as it was (a refused send costs nothing). An admitted one that waits reserves its future slot at once, so
 * sends waiting in several processes never share a slot.
 */
export function takeSlot(
  tatUs: number | null,
  request: SlotRequest,
): { readonly tatUs: number | null; readonly slot: Slot } {
  const start = Math.max(tatUs ?? request.atUs, request.atUs)
  const waitUs = Math.max(0, start - toleranceUs(request) - request.atUs)
  if (waitUs > request.maxWaitUs) return { tatUs, slot: { admitted: false, retryAfterUs: waitUs } }
  return { tatUs: start + request.intervalUs, slot: { admitted: true, waitUs } }
}

/**
 * The slot an admitted send took, read back from the state it left (`tatUs` after the send): the wait is what
 * {@link takeSlot} computed, recovered without the state before it.
 */
export function admittedWaitUs(tatAfterUs: number, request: SlotRequest): number {
  return Math.max(0, tatAfterUs - request.intervalUs - toleranceUs(request) - request.atUs)
}

/** The wait a refused send was told, from the state it left unchanged. */
export function refusedRetryAfterUs(tatUs: number, request: SlotRequest): number {
  return Math.max(0, Math.max(tatUs, request.atUs) - toleranceUs(request) - request.atUs)
}
