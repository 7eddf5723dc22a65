import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_AUTOMATIONS } from '../../config/automations.js'
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { ChannelRecord, Store } from '../../store/store.js'
import { Metrics } from '../metrics.js'
import { Throughput } from './throughput.js'

const T0 = Date.parse('2026-09-01T10:00:00Z')

let sequence = 0

/** A WhatsApp channel of its own (its own buckets) with these `settings.rate`. */
function channel(
  rate: Record<string, unknown>,
  platform: ChannelRecord['platform'] = 'whatsapp',
): ChannelRecord {
  sequence++
  return {
    id: `ch_${sequence}`,
    tenantId: 'acme',
    platform,
    externalId: `10654035224${String(sequence).padStart(4, '0')}`,
    upstream: { mode: 'sandbox' },
    appSecret: 'acme-app-secret',
    verifyToken: 'acme-verify-token',
    settings: { rate },
    automations: DEFAULT_AUTOMATIONS,
    wabaId: null,
    createdAt: T0,
    updatedAt: T0,
  }
}

describe('throughput limits', () => {
  let directory: string
  let store: Store
  let now: number
  let waits: number[]
  let metrics: Metrics
  let throughput: Throughput

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-throughput-'))
    store = await openSqliteStore({ path: join(directory, 'carewindow.db') })
  })
  afterAll(async () => {
    await store.close()
    await rm(directory, { recursive: true, force: true })
  })
  beforeEach(() => {
    now = T0
    waits = []
    metrics = new Metrics(store, { processMetrics: false })
    throughput = new Throughput({
      store,
      clock: () => now,
      metrics,
      wait: (ms) => {
        waits.push(ms)
        return Promise.resolve()
      },
    })
  })

  const throttledCount = async (limit: string): Promise<number> =>
    (await metrics.sendsThrottled.get()).values
      .filter((value) => value.labels.limit === limit)
      .reduce((sum, value) => sum + value.value, 0)

  it('refuses a second send to one user inside the pair interval, with the time until it would fit', async () => {
    const limited = channel({ pair_burst: 1 })
    expect(await throughput.admit(limited, '31612345678')).toEqual({ kind: 'admitted', waitedMs: 0 })
    now += 1_000

    expect(await throughput.admit(limited, '31612345678')).toEqual({
      kind: 'throttled',
      limit: 'pair',
      retryAfterMs: 5_000,
    })
    expect(await throughput.admit(limited, '31687654321')).toEqual({ kind: 'admitted', waitedMs: 0 })
    expect(await throttledCount('pair')).toBe(1)
  })

  it("refuses sends above the number's rate, and gives the pair back the slot the refused send took", async () => {
    const limited = channel({ per_second: 1, pair_burst: 1 })
    await throughput.admit(limited, '31600000001')

    expect(await throughput.admit(limited, '31600000002')).toEqual({
      kind: 'throttled',
      limit: 'number',
      retryAfterMs: 1_000,
    })
    now += 1_000
    // Had the refused send kept its pair slot, this one would wait 6 s for it.
    expect(await throughput.admit(limited, '31600000002')).toEqual({ kind: 'admitted', waitedMs: 0 })
    expect(await throttledCount('number')).toBe(1)
  })

  it('waits for the slot in smooth mode, and always for carewindow’s own sends', async () => {
    const smooth = channel({ per_second: 50, burst: 1, mode: 'smooth' })
    const results = []
    for (let i = 0; i < 3; i++) results.push(await throughput.admit(smooth, `3160000001${i}`))
    const refusing = channel({ pair_burst: 1 })
    await throughput.admit(refusing, '31600000020')
    results.push(await throughput.admit(refusing, '31600000020', { waits: true }))

    expect(results).toEqual([
      { kind: 'admitted', waitedMs: 0 },
      { kind: 'admitted', waitedMs: 20 },
      { kind: 'admitted', waitedMs: 40 },
      { kind: 'admitted', waitedMs: 6_000 },
    ])
    expect(waits).toEqual([20, 40, 6_000])
    expect(
      (await metrics.sendWait.get()).values.find((value) => value.metricName?.endsWith('_count'))?.value,
    ).toBe(3)
  })

  it('refuses in smooth mode a send that would wait longer than max_wait_ms, or find the queue full', async () => {
    const smooth = channel({ per_second: 1, burst: 1, mode: 'smooth', max_wait_ms: 1_500, queue_max: 1 })
    let release = (): void => undefined
    throughput = new Throughput({
      store,
      clock: () => now,
      metrics,
      wait: () => new Promise<void>((resolve) => (release = resolve)),
    })
    await throughput.admit(smooth, '31600000030')
    const queued = throughput.admit(smooth, '31600000031')
    await new Promise((resolve) => setImmediate(resolve))

    const queueFull = await throughput.admit(smooth, '31600000032')
    expect(queueFull).toMatchObject({ kind: 'throttled', limit: 'number' })
    expect((await metrics.sendsQueued.get()).values[0]?.value).toBe(1)
    release()
    expect(await queued).toEqual({ kind: 'admitted', waitedMs: 1_000 })
    // The slot at +1 s is taken: the next is at +2 s, longer than 1.5 s.
    expect(await throughput.admit(smooth, '31600000033')).toEqual({
      kind: 'throttled',
      limit: 'number',
      retryAfterMs: 2_000,
    })
  })

  it('does not limit Messenger Pages', async () => {
    const page = channel({ per_second: 1, pair_burst: 1 }, 'messenger')
    for (let i = 0; i < 3; i++)
      expect(await throughput.admit(page, '1254477777772919')).toEqual({ kind: 'admitted', waitedMs: 0 })
  })

  it('falls back to the defaults for settings it cannot read', () => {
    expect(throughput.rateOf(channel({ per_second: 'fast' })).perSecond).toBe(80)
    expect(throughput.rateOf(channel({ per_second: 5 })).perSecond).toBe(5)
  })
})
