import { describe, expect, it } from 'vitest'
import { policySettingsSchema } from './policy-settings.js'
import { DEFAULT_RATE_SETTINGS, rateSettingsSchema, toRateSettings } from './rate-settings.js'

describe('rate settings', () => {
  it("defaults to Meta's limits: 80/s with a tenth as burst, one message per 6 s to a user with a burst of 45", () => {
    expect(DEFAULT_RATE_SETTINGS).toEqual({
      perSecond: 80,
      burst: 8,
      pairIntervalMs: 6_000,
      pairBurst: 45,
      mode: 'refuse',
      queueMax: 1_000,
      maxWaitMs: 10_000,
    })
    expect(Object.isFrozen(DEFAULT_RATE_SETTINGS)).toBe(true)
  })

  it('takes every setting as given, and a burst of at least 1', () => {
    const input = {
      per_second: 5,
      pair_interval_ms: 0,
      pair_burst: 2,
      mode: 'smooth',
      queue_max: 3,
      max_wait_ms: 0,
    }
    expect(toRateSettings(rateSettingsSchema.parse(input))).toEqual({
      perSecond: 5,
      burst: 1,
      pairIntervalMs: 0,
      pairBurst: 2,
      mode: 'smooth',
      queueMax: 3,
      maxWaitMs: 0,
    })
    expect(toRateSettings(rateSettingsSchema.parse({ per_second: 50, burst: 3 })).burst).toBe(3)
  })

  it.each([
    [{ per_second: 1001 }, "per_second is at most 1000, Meta's highest throughput tier"],
    [{ per_second: 0 }, 'per_second is at least 1'],
    [{ per_second: 2.5 }, 'per_second is a whole number of messages per second'],
    [{ mode: 'queue' }, 'mode is "refuse" or "smooth"'],
    [{ max_wait_ms: 60_000 }, 'max_wait_ms is at most 30000'],
    [{ pair_burst: 0 }, 'pair_burst is at least 1'],
  ])('refuses %j with a message that says why', (input, message) => {
    const parsed = rateSettingsSchema.safeParse(input)
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain(message)
  })

  it('is a channel setting, under settings.rate, where an unknown key is an error', () => {
    expect(policySettingsSchema.safeParse({ rate: { per_second: 50, mode: 'smooth' } }).success).toBe(true)
    expect(policySettingsSchema.safeParse({ rate: { per_secnd: 50 } }).success).toBe(false)
  })
})
