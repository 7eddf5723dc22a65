import { describe, expect, it } from 'vitest'
import { titled } from '../testing/builders.js'
import { DEFAULT_POLICY_SETTINGS, PRICING_2026_CHANGE, policySettings } from '../settings.js'
import { DAY_MS, utcDate } from '../time.js'
import { PRICING_ERAS, pricingEraAt, pricingEras } from './pricing-eras.js'

const WITH_2026 = policySettings({ pricing2026Enabled: true })

describe('pricingEraAt (SPEC §2 pricing models)', () => {
  it.each(
    titled(
      (row) =>
        `switches to ${row.boundary} at ${row.date}: ${row.before} until 1 ms before, ${row.from} from the instant`,
      [
        { boundary: 'conversation-based pricing', date: '2022-02-01', before: 'NBP', from: 'CBP_2022' },
        {
          boundary: 'four conversation categories',
          date: '2023-06-01',
          before: 'CBP_2022',
          from: 'CBP_2023',
        },
        {
          boundary: 'free service conversations',
          date: '2024-11-01',
          before: 'CBP_2023',
          from: 'CBP_FREE_SERVICE',
        },
        { boundary: 'per-message pricing', date: '2025-07-01', before: 'CBP_FREE_SERVICE', from: 'PMP_2025' },
      ],
    ),
  )('%s', (_title, { date, before, from }) => {
    const at = utcDate(date)
    expect(pricingEraAt(at - 1, DEFAULT_POLICY_SETTINGS).id).toBe(before)
    expect(pricingEraAt(at, DEFAULT_POLICY_SETTINGS).id).toBe(from)
  })

  it.each(
    titled(
      (row) => `puts ${row.date} in era ${row.era} (${row.model}, cited as ${row.rule})`,
      [
        { era: 'NBP', model: 'NBP', rule: 'PRC-NBP', date: '2018-08-01', hasFreeEntryPoint: false },
        { era: 'CBP_2022', model: 'CBP', rule: 'PRC-CBP-2022', date: '2022-06-01', hasFreeEntryPoint: true },
        { era: 'CBP_2023', model: 'CBP', rule: 'PRC-CBP-2023', date: '2023-09-01', hasFreeEntryPoint: true },
        {
          era: 'CBP_FREE_SERVICE',
          model: 'CBP',
          rule: 'PRC-FREE-SERVICE',
          date: '2025-01-01',
          hasFreeEntryPoint: true,
        },
        { era: 'PMP_2025', model: 'PMP', rule: 'PRC-PMP', date: '2027-01-01', hasFreeEntryPoint: true },
      ],
    ),
  )('%s', (_title, { era, model, rule, date, hasFreeEntryPoint }) => {
    expect(pricingEraAt(utcDate(date), DEFAULT_POLICY_SETTINGS)).toMatchObject({
      id: era,
      model,
      rule,
      hasFreeEntryPoint,
    })
  })

  it('answers notification-based pricing for any instant before 2022, however early', () => {
    expect(pricingEraAt(0, DEFAULT_POLICY_SETTINGS).id).toBe('NBP')
    expect(pricingEraAt(-Number.MAX_SAFE_INTEGER, DEFAULT_POLICY_SETTINGS).id).toBe('NBP')
  })

  it('stays in per-message pricing after 2026-10-01 while the reported change is off (the default)', () => {
    expect(pricingEraAt(PRICING_2026_CHANGE, DEFAULT_POLICY_SETTINGS).id).toBe('PMP_2025')
  })

  it('applies the reported 2026-10-01 change only when it is switched on', () => {
    expect(pricingEraAt(PRICING_2026_CHANGE - 1, WITH_2026).id).toBe('PMP_2025')
    expect(pricingEraAt(PRICING_2026_CHANGE, WITH_2026)).toMatchObject({
      id: 'PMP_2026',
      model: 'PMP',
      rule: 'PRC-PMP-2026',
      hasFreeEntryPoint: true,
    })
  })

  it('applies the 2026 change from the configured date', () => {
    const settings = policySettings({ pricing2026Enabled: true, pricing2026At: utcDate('2027-01-01') })
    expect(pricingEraAt(PRICING_2026_CHANGE, settings).id).toBe('PMP_2025')
    expect(pricingEraAt(utcDate('2027-01-01'), settings).id).toBe('PMP_2026')
  })
})

describe('pricingEras', () => {
  it('is the confirmed timeline, oldest first, while the 2026 change is off', () => {
    expect(pricingEras(DEFAULT_POLICY_SETTINGS)).toBe(PRICING_ERAS)
    expect(PRICING_ERAS.map((era) => era.id)).toEqual([
      'NBP',
      'CBP_2022',
      'CBP_2023',
      'CBP_FREE_SERVICE',
      'PMP_2025',
    ])
    const starts = PRICING_ERAS.map((era) => era.from)
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
  })

  it('appends the 2026 era when it is switched on, and builds the timeline once per settings', () => {
    const eras = pricingEras(WITH_2026)
    expect(eras.map((era) => era.id)).toEqual([
      'NBP',
      'CBP_2022',
      'CBP_2023',
      'CBP_FREE_SERVICE',
      'PMP_2025',
      'PMP_2026',
    ])
    expect(pricingEras(WITH_2026)).toBe(eras)
  })

  it('drops the eras that would start after an earlier configured 2026 change', () => {
    const settings = policySettings({ pricing2026Enabled: true, pricing2026At: utcDate('2025-01-01') })
    expect(pricingEras(settings).map((era) => era.id)).toEqual([
      'NBP',
      'CBP_2022',
      'CBP_2023',
      'CBP_FREE_SERVICE',
      'PMP_2026',
    ])
    expect(pricingEraAt(utcDate('2025-08-01'), settings).id).toBe('PMP_2026')
  })
})

describe('pricing eras dated by settings', () => {
  const MOVED_PMP = utcDate('2025-08-01')

  it.each(
    titled(
      (row) => `with per-message pricing moved to 2025-08-01, answers ${row.era} at ${row.label}`,
      [
        { label: '1 ms before the moved date', at: MOVED_PMP - 1, era: 'CBP_FREE_SERVICE' },
        { label: 'the moved date', at: MOVED_PMP, era: 'PMP_2025' },
        { label: '1 ms after the moved date', at: MOVED_PMP + 1, era: 'PMP_2025' },
        {
          label: "Meta's own date, now still conversation-based",
          at: utcDate('2025-07-01'),
          era: 'CBP_FREE_SERVICE',
        },
      ],
    ),
  )('%s', (_title, { at, era }) => {
    expect(pricingEraAt(at, policySettings({ pricingPmp2025At: MOVED_PMP })).id).toBe(era)
  })

  it.each([
    ['pricingCbp2022At', 'NBP', 'CBP_2022'],
    ['pricingCbp2023At', 'CBP_2022', 'CBP_2023'],
    ['pricingFreeServiceAt', 'CBP_2023', 'CBP_FREE_SERVICE'],
  ] as const)(
    'moves the start of the era %s dates by a day: %s until 1 ms before, %s from it',
    (setting, before, from) => {
      const moved = DEFAULT_POLICY_SETTINGS[setting] + DAY_MS
      const settings = policySettings({ [setting]: moved })
      expect(pricingEraAt(moved - 1, settings).id).toBe(before)
      expect(pricingEraAt(moved, settings).id).toBe(from)
      expect(pricingEraAt(moved + 1, settings).id).toBe(from)
      expect(pricingEraAt(DEFAULT_POLICY_SETTINGS[setting], settings).id).toBe(before)
    },
  )

  it('builds a moved timeline once per settings, in order, and leaves the default one alone', () => {
    const settings = policySettings({ pricingCbp2022At: utcDate('2021-11-01') })
    const eras = pricingEras(settings)
    expect(eras).not.toBe(PRICING_ERAS)
    expect(pricingEras(settings)).toBe(eras)
    expect(eras.map((era) => era.from)).toEqual([
      -Infinity,
      utcDate('2021-11-01'),
      utcDate('2023-06-01'),
      utcDate('2024-11-01'),
      utcDate('2025-07-01'),
    ])
    expect(PRICING_ERAS[1]?.from).toBe(utcDate('2022-02-01'))
  })

  it('keeps the timeline ordered when settings date an era after a later one: the later era wins', () => {
    const settings = policySettings({ pricingCbp2023At: utcDate('2025-01-01') })
    expect(pricingEras(settings).map((era) => era.id)).toEqual([
      'NBP',
      'CBP_2022',
      'CBP_FREE_SERVICE',
      'PMP_2025',
    ])
    expect(pricingEraAt(utcDate('2024-12-01'), settings).id).toBe('CBP_FREE_SERVICE')
  })
})
