import type { RuleId } from '../rules.js'
import type { PolicySettings } from '../settings.js'
import { utcDate, type Instant } from '../time.js'

/** How Meta charged for WhatsApp messages in an era. */
export type PricingModel = 'NBP' | 'CBP' | 'PMP'

export type PricingEraId = 'NBP' | 'CBP_2022' | 'CBP_2023' | 'CBP_FREE_SERVICE' | 'PMP_2025' | 'PMP_2026'

/** One effective-dated WhatsApp pricing rule set (SPEC §2). */
export interface PricingEra {
  readonly id: PricingEraId
  readonly model: PricingModel
  /** The rule that describes the era, cited by every billing outcome in it. */
  readonly rule: RuleId
  /** First instant the era applies (UTC midnight; Meta applies it in the account's time zone). */
  readonly from: Instant
  /** Whether click-to-WhatsApp / Page call-to-action entry points earn a free window (FEP-1). */
  readonly hasFreeEntryPoint: boolean
}

const NBP: PricingEra = {
  id: 'NBP',
  model: 'NBP',
  rule: 'PRC-NBP',
  from: -Infinity,
  hasFreeEntryPoint: false,
}

/** The confirmed eras, oldest first. The reported 2026 change is added by {@link pricingEras} when enabled. */
export const PRICING_ERAS: readonly PricingEra[] = Object.freeze([
  NBP,
  {
    id: 'CBP_2022',
    model: 'CBP',
    rule: 'PRC-CBP-2022',
    from: utcDate('2022-02-01'),
    hasFreeEntryPoint: true,
  },
  {
    id: 'CBP_2023',
    model: 'CBP',
    rule: 'PRC-CBP-2023',
    from: utcDate('2023-06-01'),
    hasFreeEntryPoint: true,
  },
  {
    id: 'CBP_FREE_SERVICE',
    model: 'CBP',
    rule: 'PRC-FREE-SERVICE',
    from: utcDate('2024-11-01'),
    hasFreeEntryPoint: true,
  },
  { id: 'PMP_2025', model: 'PMP', rule: 'PRC-PMP', from: utcDate('2025-07-01'), hasFreeEntryPoint: true },
])

const erasBySettings = new WeakMap<PolicySettings, readonly PricingEra[]>()

/** The timeline in force under `settings`, oldest first. */
export function pricingEras(settings: PolicySettings): readonly PricingEra[] {
  if (!settings.pricing2026Enabled) return PRICING_ERAS
  let eras = erasBySettings.get(settings)
  if (eras === undefined) {
    eras = Object.freeze([
      ...PRICING_ERAS.filter((era) => era.from < settings.pricing2026At),
      {
        id: 'PMP_2026',
        model: 'PMP',
        rule: 'PRC-PMP-2026',
        from: settings.pricing2026At,
        hasFreeEntryPoint: true,
      } satisfies PricingEra,
    ])
    erasBySettings.set(settings, eras)
  }
  return eras
}

/** The pricing era in force at `at`. */
export function pricingEraAt(at: Instant, settings: PolicySettings): PricingEra {
  const eras = pricingEras(settings)
  for (let i = eras.length - 1; i > 0; i--) {
    const era = eras[i] as PricingEra
    if (at >= era.from) return era
  }
  return NBP
}
