import type { RuleId } from '../rules.js'
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '../settings.js'
import type { Instant } from '../time.js'

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

/** The settings that date each era after NBP, oldest first (SPEC §2). */
type EraStart = 'pricingCbp2022At' | 'pricingCbp2023At' | 'pricingFreeServiceAt' | 'pricingPmp2025At'

const CONFIRMED: readonly (Omit<PricingEra, 'from'> & { readonly startsAt: EraStart })[] = [
  {
    id: 'CBP_2022',
    model: 'CBP',
    rule: 'PRC-CBP-2022',
    startsAt: 'pricingCbp2022At',
    hasFreeEntryPoint: true,
  },
  {
    id: 'CBP_2023',
    model: 'CBP',
    rule: 'PRC-CBP-2023',
    startsAt: 'pricingCbp2023At',
    hasFreeEntryPoint: true,
  },
  {
    id: 'CBP_FREE_SERVICE',
    model: 'CBP',
    rule: 'PRC-FREE-SERVICE',
    startsAt: 'pricingFreeServiceAt',
    hasFreeEntryPoint: true,
  },
  { id: 'PMP_2025', model: 'PMP', rule: 'PRC-PMP', startsAt: 'pricingPmp2025At', hasFreeEntryPoint: true },
]

/**
 * The eras in force under `settings`, oldest first. Settings that would put an era at or after a later one's start
 * are refused when they are read (config/policy-settings.ts); should they reach the engine anyway, the later era
 * wins and the earlier one is left out, so the timeline stays ordered.
 */
function timeline(settings: PolicySettings): readonly PricingEra[] {
  const eras: PricingEra[] = [
    NBP,
    ...CONFIRMED.map(({ startsAt, ...era }) => ({ ...era, from: settings[startsAt] })),
  ]
  if (settings.pricing2026Enabled)
    eras.push({
      id: 'PMP_2026',
      model: 'PMP',
      rule: 'PRC-PMP-2026',
      from: settings.pricing2026At,
      hasFreeEntryPoint: true,
    })
  const kept: PricingEra[] = []
  for (const era of eras.reverse()) {
    const next = kept.at(-1)
    if (next === undefined || era.from < next.from) kept.push(era)
  }
  return Object.freeze(kept.reverse())
}

/** The confirmed eras at Meta's dates, oldest first. The reported 2026 change is added when it is switched on. */
export const PRICING_ERAS: readonly PricingEra[] = timeline(DEFAULT_POLICY_SETTINGS)

const erasBySettings = new WeakMap<PolicySettings, readonly PricingEra[]>()

/** Whether `settings` date the eras as Meta does, without the 2026 change. */
function isDefaultTimeline(settings: PolicySettings): boolean {
  return (
    !settings.pricing2026Enabled &&
    CONFIRMED.every(({ startsAt }) => settings[startsAt] === DEFAULT_POLICY_SETTINGS[startsAt])
  )
}

/** The timeline in force under `settings`, oldest first; built once per settings object. */
export function pricingEras(settings: PolicySettings): readonly PricingEra[] {
  if (isDefaultTimeline(settings)) return PRICING_ERAS
  let eras = erasBySettings.get(settings)
  if (eras === undefined) {
    eras = timeline(settings)
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
