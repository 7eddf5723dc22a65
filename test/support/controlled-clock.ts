import type { Clock } from '../../src/shared/clock.js'

/**
 * A clock that runs with the system clock, offset by an amount the test sets from another process: how a test
 * moves the time of carewindow child processes (see ./serve-with-controlled-clock.ts and
 * {@link GatewayProcess.setClockOffset}). It keeps running between moves, so backoffs, leases and polls behave as
 * they do in production; it only ever moves forward, so no lease or due instant is seen twice.
 */
export class ControlledClock {
  private offsetMs = 0
  readonly now: Clock = () => Date.now() + this.offsetMs

  /** Moves the clock to `Date.now() + offsetMs`; an offset smaller than the current one would turn it back. */
  setOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs) || offsetMs < this.offsetMs)
      throw new Error(`the clock only moves forward: offset ${offsetMs} ms after ${this.offsetMs} ms`)
    this.offsetMs = offsetMs
  }
}

/** Parent → child over the IPC channel: run the clock at this offset from the system clock. */
export interface SetClockOffset {
  readonly type: 'set-clock-offset'
  readonly offsetMs: number
}

/** Child → parent: the clock runs at the offset asked for (or, with `problem`, was left as it was). */
export interface ClockOffsetSet {
  readonly type: 'clock-offset-set'
  readonly offsetMs: number
  readonly problem?: string
}

export function isSetClockOffset(message: unknown): message is SetClockOffset {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'set-clock-offset' &&
    typeof (message as { offsetMs?: unknown }).offsetMs === 'number'
  )
}

export function isClockOffsetSet(message: unknown): message is ClockOffsetSet {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'clock-offset-set' &&
    typeof (message as { offsetMs?: unknown }).offsetMs === 'number'
  )
}
