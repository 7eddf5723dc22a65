import { setTimeout as sleep } from 'node:timers/promises'
import { policySettingsSchema } from '../../config/policy-settings.js'
import { DEFAULT_RATE_SETTINGS, toRateSettings, type RateSettings } from '../../config/rate-settings.js'
import type { Clock } from '../../shared/clock.js'
import type { ChannelRecord, RateLimitStore } from '../../store/store.js'
import type { Metrics } from '../metrics.js'
import type { MessageOutcomes } from './message-outcomes.js'
import type { IdempotencyClaim } from './message-outcomes.js'
import type { AllowedSendDecision, Throttled, ThroughputLimit } from './send-result.js'

/** A send may go (after waiting for its slot, in `smooth` mode), or is held to a limit. */
export type Admission =
  | { readonly kind: 'admitted'; readonly waitedMs: number }
  | { readonly kind: 'throttled'; readonly limit: ThroughputLimit; readonly retryAfterMs: number }

export interface ThroughputDependencies {
  readonly store: RateLimitStore
  readonly clock: Clock
  readonly metrics: Metrics
  /** How a `smooth` send waits for its slot (a test may make it instant). */
  readonly wait?: (ms: number) => Promise<void>
}

const ADMITTED: Admission = { kind: 'admitted', waitedMs: 0 }

/**
 * Meta's throughput limits, kept by carewindow: a WhatsApp number's messages per second (130429 above it) and
 * one user's (the pair rate, 131056), per channel (`settings.rate`, config/rate-settings.ts).
 *
 * Only a send that is allowed and about to be forwarded is held to them — a refused one costs Meta nothing — so
 * the check comes after the decision and before the upstream call. The buckets are in the database
 * (RateLimitStore, a GCRA row per key), so every instance on one PostgreSQL draws from the same ones, and the
 * number's check is one statement. The pair's is taken first: a send the number then refuses gives the pair's slot
 * back, while a number slot taken for a send the pair refuses would only leave the number a little slower.
 *
 * In `smooth` mode an admitted send reserves its future slot at once and waits for it here; the number's slot is
 * asked for at the instant the pair's wait ends, so no send goes before the slot it holds. The wait is bounded
 * (`max_wait_ms`), and so are the sends waiting per channel in this process (`queue_max`): beyond either the send
 * is refused as in `refuse` mode. Messenger Pages are not limited: the pair rate and these tiers are WhatsApp's.
 */
export class Throughput {
  /** Sends waiting for their slot in this process, per channel. */
  private readonly waiting = new Map<string, number>()
  private readonly settings = new Map<string, { readonly updatedAt: number; readonly rate: RateSettings }>()
  private readonly wait: (ms: number) => Promise<void>

  constructor(private readonly deps: ThroughputDependencies) {
    this.wait = deps.wait ?? ((ms) => sleep(ms))
  }

  /** The channel's limits; settings were validated when the channel was configured (an unreadable row: defaults). */
  rateOf(channel: ChannelRecord): RateSettings {
    const known = this.settings.get(channel.id)
    if (known?.updatedAt === channel.updatedAt) return known.rate
    const parsed = policySettingsSchema.safeParse(channel.settings)
    const input = parsed.success ? parsed.data.rate : undefined
    const rate = input === undefined ? DEFAULT_RATE_SETTINGS : toRateSettings(input)
    this.settings.set(channel.id, { updatedAt: channel.updatedAt, rate })
    return rate
  }

  /**
   * Takes the send's slots, and waits for them in `smooth` mode — or whenever `waits` (carewindow's own sends,
   * which have no client to retry them: a burst of re-engagements waits its turn rather than failing its jobs); or
   * says which limit holds it back.
   */
  async admit(
    channel: ChannelRecord,
    contact: string,
    options: { readonly waits?: boolean } = {},
  ): Promise<Admission> {
    if (channel.platform !== 'whatsapp') return ADMITTED
    const rate = this.rateOf(channel)
    const isSmooth = rate.mode === 'smooth' || options.waits === true
    // Counted once a send waits: sends still asking the database at this moment may overshoot it by a few.
    const queued = this.waiting.get(channel.id) ?? 0
    if (isSmooth && queued >= rate.queueMax)
      // The queue drains at the number's rate: that long until there is room again.
      return this.throttled(channel, 'number', Math.ceil((queued / rate.perSecond) * 1000))
    const atUs = this.deps.clock() * 1000
    const maxWaitUs = isSmooth ? rate.maxWaitMs * 1000 : 0
    let pairWaitUs = 0
    const pairKey = `pair:${channel.id}:${contact}`
    const pairIntervalUs = rate.pairIntervalMs * 1000
    if (pairIntervalUs > 0) {
      const pair = await this.deps.store.takeRateSlot(pairKey, {
        intervalUs: pairIntervalUs,
        burst: rate.pairBurst,
        atUs,
        maxWaitUs,
      })
      if (!pair.admitted) return this.throttled(channel, 'pair', pair.retryAfterUs / 1000)
      pairWaitUs = pair.waitUs
    }
    const number = await this.deps.store.takeRateSlot(`number:${channel.id}`, {
      // Rounded up: never faster than the rate (80/s is 12,500 µs; 3/s would be 333,333.3).
      intervalUs: Math.ceil(1_000_000 / rate.perSecond),
      burst: rate.burst,
      atUs: atUs + pairWaitUs,
      maxWaitUs: maxWaitUs - pairWaitUs,
    })
    if (!number.admitted) {
      if (pairIntervalUs > 0) await this.deps.store.returnRateSlot(pairKey, pairIntervalUs)
      return this.throttled(channel, 'number', (pairWaitUs + number.retryAfterUs) / 1000)
    }
    // Waited from now, not from the arrival: the statements' round trips must not push the send past its slot.
    const slotAtMs = (atUs + pairWaitUs + number.waitUs) / 1000
    const waitMs = Math.max(0, Math.ceil(slotAtMs - this.deps.clock()))
    if (waitMs > 0) await this.queue(channel, waitMs)
    return { kind: 'admitted', waitedMs: waitMs }
  }

  private async queue(channel: ChannelRecord, waitMs: number): Promise<void> {
    const labels = { channel: channel.externalId }
    this.waiting.set(channel.id, (this.waiting.get(channel.id) ?? 0) + 1)
    this.deps.metrics.sendsQueued.inc(labels)
    try {
      await this.wait(waitMs)
    } finally {
      const left = (this.waiting.get(channel.id) ?? 1) - 1
      if (left === 0) this.waiting.delete(channel.id)
      else this.waiting.set(channel.id, left)
      this.deps.metrics.sendsQueued.dec(labels)
      this.deps.metrics.sendWait.observe(waitMs / 1000)
    }
  }

  private throttled(channel: ChannelRecord, limit: ThroughputLimit, retryAfterMs: number): Admission {
    this.deps.metrics.sendsThrottled.inc({ channel: channel.externalId, limit })
    return { kind: 'throttled', limit, retryAfterMs: Math.ceil(retryAfterMs) }
  }
}

/** The recorded, allowed message a limit held back. */
export interface ThrottledMessage {
  readonly messageId: string
  readonly decision: AllowedSendDecision
  readonly traceId: string
  readonly idempotency: IdempotencyClaim | null
}

/**
 * Records a send a limit held back: `throttled`, its price cleared (nothing went to Meta, nothing is billed), Graph's
 * error kept as the message's error, and its Idempotency-Key let go so a retry may send. Like a message Graph
 * refuses, it stays in the contact's history as sent: the history errs on the cautious side.
 */
export async function recordThrottled(
  deps: { readonly outcomes: MessageOutcomes; readonly clock: Clock },
  message: ThrottledMessage,
  admission: Extract<Admission, { kind: 'throttled' }>,
): Promise<Throttled> {
  const code = admission.limit === 'number' ? 130429 : 131056
  const outcome = {
    id: message.messageId,
    patch: {
      status: 'throttled' as const,
      statusAt: deps.clock(),
      priceMicros: null,
      errorJson: JSON.stringify({
        throttled: { limit: admission.limit, code, retry_after_ms: admission.retryAfterMs },
      }),
    },
    ...(message.idempotency === null
      ? {}
      : { key: { claim: message.idempotency, outcome: { kind: 'release' as const } } }),
  }
  try {
    await deps.outcomes.write(outcome)
  } catch {
    deps.outcomes.writeLater(outcome)
  }
  return {
    kind: 'throttled',
    messageId: message.messageId,
    decision: message.decision,
    platform: 'whatsapp',
    traceId: message.traceId,
    limit: admission.limit,
    retryAfterMs: admission.retryAfterMs,
  }
}
