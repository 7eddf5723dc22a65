import { z } from 'zod'

/**
 * A channel's throughput limits (`settings.rate`), after Meta's: a WhatsApp number takes 80 messages a second by
 * default (up to 1,000 on higher tiers; error 130429 above), and about one message every 6 s to one user, with a
 * burst of up to 45 borrowed from the future (error 131056). carewindow keeps below them instead of letting Meta
 * refuse what it already recorded and billed.
 */
export const rateSettingsSchema = z.strictObject({
  /** Messages per second the number may send (default 80; Meta's tiers go up to 1,000). */
  per_second: z
    .number()
    .int('per_second is a whole number of messages per second')
    .min(1, 'per_second is at least 1')
    .max(1000, "per_second is at most 1000, Meta's highest throughput tier")
    .default(80),
  /**
   * Messages that may go at once after a quiet spell (default a tenth of `per_second`, at least 1): any one second
   * then sees at most `per_second + burst`.
   */
  burst: z.number().int().min(1, 'burst is at least 1').max(1000, 'burst is at most 1000').optional(),
  /** Time between two messages to the same user at the sustained pair rate (ms, default 6,000; 0 turns it off). */
  pair_interval_ms: z
    .number()
    .int()
    .min(0)
    .max(3_600_000, 'pair_interval_ms is at most one hour')
    .default(6_000),
  /** Messages to one user that may go at once, borrowed against later ones (default 45, Meta's burst allowance). */
  pair_burst: z.number().int().min(1, 'pair_burst is at least 1').max(1000).default(45),
  /**
   * `refuse` (default): a send above a limit is answered at once with Graph's own error (130429 or 131056) and
   * `Retry-After`. `smooth`: it waits for its slot and is answered once forwarded.
   */
  mode: z.enum(['refuse', 'smooth'], 'mode is "refuse" or "smooth"').default('refuse'),
  /** `smooth`: sends waiting at once per channel in one instance (default 1,000); more are refused. */
  queue_max: z.number().int().min(0).max(100_000, 'queue_max is at most 100000').default(1_000),
  /**
   * `smooth`: the longest a send waits for its slot (ms, default 10,000); one that would wait longer is refused. At
   * most 30 s: a send waits while its message is `pending`, and a pending send is taken for one a crash left
   * behind after twice the send budget (inbox wait + Graph's attempts, over 60 s with the defaults).
   */
  max_wait_ms: z.number().int().min(0).max(30_000, 'max_wait_ms is at most 30000').default(10_000),
})

/** A channel's throughput limits, validated, with their defaults. */
export interface RateSettings {
  readonly perSecond: number
  readonly burst: number
  /** 0: no pair limit. */
  readonly pairIntervalMs: number
  readonly pairBurst: number
  readonly mode: 'refuse' | 'smooth'
  readonly queueMax: number
  readonly maxWaitMs: number
}

/** The limits a channel without `settings.rate` has. */
export const DEFAULT_RATE_SETTINGS: RateSettings = toRateSettings(rateSettingsSchema.parse({}))

/** Turns validated `settings.rate` into the gateway's frozen settings. */
export function toRateSettings(input: z.output<typeof rateSettingsSchema>): RateSettings {
  return Object.freeze({
    perSecond: input.per_second,
    burst: input.burst ?? Math.max(1, Math.ceil(input.per_second / 10)),
    pairIntervalMs: input.pair_interval_ms,
    pairBurst: input.pair_burst,
    mode: input.mode,
    queueMax: input.queue_max,
    maxWaitMs: input.max_wait_ms,
  })
}
