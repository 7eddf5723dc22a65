import { describe, expect, it } from 'vitest'
import { admittedWaitUs, refusedRetryAfterUs, takeSlot, type Slot, type SlotRequest } from './gcra.js'

const FIFTY_PER_SECOND = { intervalUs: 20_000, burst: 1 }

/** Runs sends arriving at `arrivalsUs` through one bucket, as the store would. */
function run(arrivalsUs: readonly number[], rule: Omit<SlotRequest, 'atUs'>): Slot[] {
  let tat: number | null = null
  return arrivalsUs.map((atUs) => {
    const next = takeSlot(tat, { ...rule, atUs })
    tat = next.tatUs
    return next.slot
  })
}

describe('takeSlot', () => {
  it('admits the first send at once', () => {
    expect(takeSlot(null, { ...FIFTY_PER_SECOND, atUs: 1_000, maxWaitUs: 0 })).toEqual({
      tatUs: 21_000,
      slot: { admitted: true, waitUs: 0 },
    })
  })

  it('refuses a send one microsecond before its interval, admits one exactly at it (refuse mode)', () => {
    const rule = { ...FIFTY_PER_SECOND, maxWaitUs: 0 }
    expect(run([0, 19_999], rule)).toEqual([
      { admitted: true, waitUs: 0 },
      { admitted: false, retryAfterUs: 1 },
    ])
    expect(run([0, 20_000], rule)).toEqual([
      { admitted: true, waitUs: 0 },
      { admitted: true, waitUs: 0 },
    ])
  })

  it('leaves the state unchanged when it refuses', () => {
    const first = takeSlot(null, { ...FIFTY_PER_SECOND, atUs: 0, maxWaitUs: 0 })
    const refused = takeSlot(first.tatUs, { ...FIFTY_PER_SECOND, atUs: 5_000, maxWaitUs: 0 })
    expect(refused.tatUs).toBe(first.tatUs)
  })

  it('lets a burst through at once, then spaces the rest by the interval', () => {
    const slots = run([0, 0, 0, 0], { intervalUs: 6_000_000, burst: 3, maxWaitUs: 0 })
    expect(slots.map((slot) => slot.admitted)).toEqual([true, true, true, false])
    expect(slots[3]).toEqual({ admitted: false, retryAfterUs: 6_000_000 })
  })

  it('queues sends at their slots in smooth mode, up to the longest wait', () => {
    const slots = run([0, 0, 0, 0], { ...FIFTY_PER_SECOND, maxWaitUs: 40_000 })
    expect(slots).toEqual([
      { admitted: true, waitUs: 0 },
      { admitted: true, waitUs: 20_000 },
      { admitted: true, waitUs: 40_000 },
      { admitted: false, retryAfterUs: 60_000 },
    ])
  })

  it('never admits more than the rate and burst in any one-second window', () => {
    const arrivals = Array.from({ length: 400 }, (_, index) => index * 2_500) // 400/s for one second
    let tat: number | null = null
    const sentAt: number[] = []
    for (const atUs of arrivals) {
      const next = takeSlot(tat, { intervalUs: 20_000, burst: 5, atUs, maxWaitUs: 10_000_000 })
      tat = next.tatUs
      if (next.slot.admitted) sentAt.push(atUs + next.slot.waitUs)
    }
    const most = Math.max(
      ...sentAt.map((start) => sentAt.filter((t) => t >= start && t < start + 1e6).length),
    )
    expect(most).toBeLessThanOrEqual(55)
    expect(sentAt).toHaveLength(400)
  })

  it('forgets an idle spell: a bucket whose time has passed is as good as new', () => {
    expect(takeSlot(10_000, { ...FIFTY_PER_SECOND, atUs: 1_000_000, maxWaitUs: 0 })).toEqual({
      tatUs: 1_020_000,
      slot: { admitted: true, waitUs: 0 },
    })
  })
})

describe('reading a slot back from the state', () => {
  it('recovers the wait and the retry-after takeSlot computed', () => {
    const request = { intervalUs: 20_000, burst: 2, maxWaitUs: 30_000, atUs: 100 }
    for (const tat of [null, 0, 20_100, 40_100, 60_100, 90_000]) {
      const next = takeSlot(tat, request)
      if (next.slot.admitted) expect(admittedWaitUs(next.tatUs ?? 0, request)).toBe(next.slot.waitUs)
      else expect(refusedRetryAfterUs(next.tatUs ?? 0, request)).toBe(next.slot.retryAfterUs)
    }
  })
})
