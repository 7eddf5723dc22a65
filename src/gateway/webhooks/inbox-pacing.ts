import { setImmediate as nextTurn } from 'node:timers/promises'

/** The longest rest between batches while requests keep coming, and the slices it is taken in. */
const MAX_REST_MS = 1_000
const REST_SLICE_MS = 100

/** How the inbox shares the process with the requests it serves. */
export interface InboxPacing {
  /**
   * A count that grows with every request the process answers (any route). When it moved while a batch was
   * processed, requests are waiting for the same event loop.
   */
  readonly answered: () => number
  /**
   * The share of the event loop (0–1] processing takes while requests keep arriving, no one waits for the inbox
   * and the backlog is young. 1 never rests.
   */
  readonly minShare: number
  /**
   * The lag (how long the oldest notification in a batch had waited) at which processing takes the whole loop again.
   * The share grows with the lag up to it, so a storm that does not pass cannot grow the backlog for ever. 0:
   * never rests.
   */
  readonly fullSpeedLagMs: number
}

/** Never rests: processing takes the event loop whenever it has work (tests that do not exercise pacing). */
export const UNPACED: InboxPacing = { answered: () => 0, minShare: 1, fullSpeedLagMs: 0 }

/**
 * Keeps the inbox to its share of the event loop while requests keep coming: after a batch, a rest in proportion to
 * what the batch took — less as the backlog ages (see {@link InboxPacing}).
 */
export class Pacer {
  /** End the rests being taken (see {@link wakeUp}). */
  private readonly wakers = new Set<() => void>()

  constructor(private readonly pacing: InboxPacing) {}

  /**
   * After a batch that took `spentMs` while requests were being answered, with its oldest notification `lagMs` old:
   * waits long enough for processing to keep to its share at this lag, or less when {@link wakeUp} is called.
   */
  async rest(spentMs: number, lagMs: number): Promise<void> {
    const { minShare, fullSpeedLagMs } = this.pacing
    const share = lagMs >= fullSpeedLagMs ? 1 : Math.max(minShare, lagMs / fullSpeedLagMs)
    if (share >= 1) {
      await nextTurn()
      return
    }
    // A batch's time is mostly the database's on PostgreSQL, not the loop's: a rest in proportion to it is capped,
    // and taken in slices that end it as soon as no request came during one — the storm has passed.
    let leftMs = Math.min(MAX_REST_MS, (spentMs * (1 - share)) / share)
    while (leftMs > 0) {
      const answered = this.pacing.answered()
      const sliceMs = Math.min(leftMs, REST_SLICE_MS)
      const isWoken = await new Promise<boolean>((resolve) => {
        const done = (woken: boolean): void => {
          clearTimeout(timer)
          this.wakers.delete(wake)
          resolve(woken)
        }
        const wake = (): void => {
          done(true)
        }
        const timer = setTimeout(() => {
          done(false)
        }, sliceMs)
        this.wakers.add(wake)
      })
      if (isWoken || this.pacing.answered() === answered) return
      leftMs -= sliceMs
    }
  }

  /** Ends every rest being taken. */
  wakeUp(): void {
    for (const wake of [...this.wakers]) wake()
  }
}
