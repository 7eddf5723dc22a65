import { DEFAULT_STOP_KEYWORDS } from './consent/stop-keywords.js'
import { utcDate, type Instant } from './time.js'

/** The end of Messenger's 24+1 allowance and of the pre-2020 tag list as announced in 2019, and as the brief states it. */
export const MESSENGER_POLICY_CHANGE_BRIEF: Instant = utcDate('2020-01-15')
/** The date Meta actually moved the 2020 Messenger policy change to. */
export const MESSENGER_POLICY_CHANGE_META: Instant = utcDate('2020-03-04')
/** From this date Meta answers CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and ACCOUNT_UPDATE with error 100. */
export const MESSENGER_TAG_RETIREMENT: Instant = utcDate('2026-04-27')
/** PRC-CBP-2022: conversation-based pricing replaces notification-based pricing. */
export const PRICING_CBP_2022_START: Instant = utcDate('2022-02-01')
/** PRC-CBP-2023: conversations by category (marketing, utility, authentication, service). */
export const PRICING_CBP_2023_START: Instant = utcDate('2023-06-01')
/** PRC-FREE-SERVICE: service conversations become free. */
export const PRICING_FREE_SERVICE_START: Instant = utcDate('2024-11-01')
/** PRC-PMP: per-message pricing replaces conversations. */
export const PRICING_PMP_2025_START: Instant = utcDate('2025-07-01')
/** The reported date service messages and in-window utility templates become chargeable (unconfirmed). */
export const PRICING_2026_CHANGE: Instant = utcDate('2026-10-01')

/** How a channel applies the rules: the dates Meta moved and the choices a business makes. */
export interface PolicySettings {
  /** CCW-7: whether Issue Resolution templates may go out without opt-in (the brief's policy; on by default). */
  readonly issueResolutionWithoutOptIn: boolean
  /** MSG-2/MSG-3: the instant the 24+1 allowance and the pre-2020 Messenger tags end. */
  readonly messengerPolicyChangeAt: Instant
  /** MSG-3: the instant CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE and ACCOUNT_UPDATE stop being accepted. */
  readonly messengerTagRetirementAt: Instant
  /**
   * When each confirmed pricing era starts (pricing/pricing-eras.ts): Meta's dates by default. Meta applies them in
   * the business account's time zone; a business that needs that precision, or whose account moved on another day,
   * sets them. Each must come after the one before (config/policy-settings.ts checks it).
   */
  readonly pricingCbp2022At: Instant
  readonly pricingCbp2023At: Instant
  readonly pricingFreeServiceAt: Instant
  readonly pricingPmp2025At: Instant
  /** PRC-PMP-2026: whether the reported 2026-10-01 pricing change is applied (off until Meta confirms it). */
  readonly pricing2026Enabled: boolean
  /** PRC-PMP-2026: when that change takes effect. */
  readonly pricing2026At: Instant
  /** OPT-OUT: words that, sent on their own, opt the contact out. Matched case-, accent- and space-insensitively. */
  readonly stopKeywords: readonly string[]
  /** OPT-OUT: what a stop keyword opts the contact out of. */
  readonly stopKeywordScope: 'marketing' | 'all'
  /** PRC-CBP-2022/2023: conversations a month that were free under conversation-based pricing. */
  readonly freeTierConversationsPerMonth: number
  /**
   * MSG-3: tag a human agent's Messenger reply `HUMAN_AGENT` when it falls between the 24 h window and the
   * 7-day horizon (never a bot's, never inside the window). Off by default: the channel must opt in.
   */
  readonly autoTagHumanAgent: boolean
}

/** The defaults: the brief's dates and policies. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = Object.freeze({
  issueResolutionWithoutOptIn: true,
  messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_BRIEF,
  messengerTagRetirementAt: MESSENGER_TAG_RETIREMENT,
  pricingCbp2022At: PRICING_CBP_2022_START,
  pricingCbp2023At: PRICING_CBP_2023_START,
  pricingFreeServiceAt: PRICING_FREE_SERVICE_START,
  pricingPmp2025At: PRICING_PMP_2025_START,
  pricing2026Enabled: false,
  pricing2026At: PRICING_2026_CHANGE,
  stopKeywords: DEFAULT_STOP_KEYWORDS,
  stopKeywordScope: 'marketing',
  freeTierConversationsPerMonth: 1000,
  autoTagHumanAgent: false,
})

/** Fills in the defaults for what `overrides` leaves out and freezes the result. */
export function policySettings(overrides: Partial<PolicySettings> = {}): PolicySettings {
  const settings: Record<string, unknown> = { ...DEFAULT_POLICY_SETTINGS }
  // An override given as `undefined` (an unset option) keeps the default.
  for (const [key, value] of Object.entries(overrides) as [string, unknown][])
    if (value !== undefined) settings[key] = value
  return Object.freeze(settings as unknown as PolicySettings)
}
