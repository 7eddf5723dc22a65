import { z } from 'zod'
import {
  DEFAULT_POLICY_SETTINGS,
  formatInstant,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  policySettings,
  type PolicySettings,
} from '../domain/index.js'
import { dateOrInstant } from '../shared/validation.js'
import { rateSettingsSchema } from './rate-settings.js'

/** The settings that date the pricing eras, oldest first, with the engine setting each one sets. */
const ERA_STARTS = [
  ['pricing_cbp_2022_at', 'pricingCbp2022At'],
  ['pricing_cbp_2023_at', 'pricingCbp2023At'],
  ['pricing_free_service_at', 'pricingFreeServiceAt'],
  ['pricing_pmp_2025_at', 'pricingPmp2025At'],
  ['pricing_2026_at', 'pricing2026At'],
] as const

/**
 * A channel's policy settings as written in a config or scenario file (snake_case JSON). Unknown keys are
 * errors, so a typo never silently falls back to a default.
 */
const settingsFields = z.strictObject({
  /** CCW-7 (default true). */
  issue_resolution_without_opt_in: z.boolean().optional(),
  /** MSG-2: `brief` (2020-01-15, default), `meta` (2020-03-04) or a date. */
  messenger_plus_one_cutoff: z
    .union([z.enum(['brief', 'meta']), dateOrInstant], 'use "brief", "meta" or a date such as "2020-03-04"')
    .optional(),
  /** MSG-3: when CONFIRMED_EVENT_UPDATE / POST_PURCHASE_UPDATE / ACCOUNT_UPDATE retire (default 2026-04-27). */
  messenger_tag_retirement: dateOrInstant.optional(),
  /** When each pricing era starts (defaults: Meta's dates, 2022-02-01, 2023-06-01, 2024-11-01, 2025-07-01). */
  pricing_cbp_2022_at: dateOrInstant.optional(),
  pricing_cbp_2023_at: dateOrInstant.optional(),
  pricing_free_service_at: dateOrInstant.optional(),
  pricing_pmp_2025_at: dateOrInstant.optional(),
  /** PRC-PMP-2026: apply the reported 2026-10-01 pricing change (default false). */
  pricing_2026: z.boolean().optional(),
  pricing_2026_at: dateOrInstant.optional(),
  /** OPT-OUT: replaces the built-in stop keyword list. */
  stop_keywords: z.array(z.string().min(1)).min(1).optional(),
  /** OPT-OUT: what a stop keyword opts out of (default marketing). */
  stop_keyword_scope: z.enum(['marketing', 'all']).optional(),
  free_tier_conversations_per_month: z.number().int().min(0).optional(),
  /** MSG-3: tag a person's late Messenger reply HUMAN_AGENT automatically (default false). */
  auto_human_agent_tag: z.boolean().optional(),
  /** Throughput limits of a WhatsApp number (config/rate-settings.ts); not a policy rule, kept with the settings. */
  rate: rateSettingsSchema.optional(),
})

/** The settings, with the pricing eras' dates checked to follow each other. */
export const policySettingsSchema = settingsFields.superRefine((input, context) => {
  for (const issue of eraOrderIssues(input)) context.addIssue({ code: 'custom', ...issue })
})

/**
 * Where validated settings put a pricing era at or before the one before it (an empty list when they do not): at the
 * key the user gave, the later one, or the earlier one when the later is a default. Also for settings laid over
 * others, each valid alone (a what-if's over a channel's).
 */
export function eraOrderIssues(
  settings: z.output<typeof settingsFields>,
): { readonly path: [string]; readonly message: string }[] {
  // The reported 2026 change only counts when it is switched on.
  const starts = ERA_STARTS.filter(([key]) => key !== 'pricing_2026_at' || settings.pricing_2026 === true)
  const issues: { readonly path: [string]; readonly message: string }[] = []
  let previous: { readonly key: string; readonly at: number; readonly isDefault: boolean } | undefined
  for (const [key, setting] of starts) {
    const at = settings[key] ?? DEFAULT_POLICY_SETTINGS[setting]
    if (previous !== undefined && at <= previous.at) {
      const earlier = previous
      issues.push(
        settings[key] === undefined
          ? {
              path: [earlier.key],
              message: `${dateOf(earlier.at)} must come before ${key} (${dateOf(at)}, the default): each pricing era starts after the one before it`,
            }
          : {
              path: [key],
              message: `${dateOf(at)} must come after ${earlier.key} (${dateOf(earlier.at)}${earlier.isDefault ? ', the default' : ''}): each pricing era starts after the one before it`,
            },
      )
    }
    previous = { key, at, isDefault: settings[key] === undefined }
  }
  return issues
}

/** A date as people write it (an instant when it is not midnight UTC). */
function dateOf(at: number): string {
  return formatInstant(at).replace('T00:00:00.000Z', '')
}

export type PolicySettingsInput = z.input<typeof policySettingsSchema>

/** Turns validated settings input into the policy engine's frozen settings. */
export function toPolicySettings(input: z.output<typeof policySettingsSchema> = {}): PolicySettings {
  const cutoff = input.messenger_plus_one_cutoff
  return policySettings({
    issueResolutionWithoutOptIn: input.issue_resolution_without_opt_in,
    messengerPolicyChangeAt:
      cutoff === 'brief'
        ? MESSENGER_POLICY_CHANGE_BRIEF
        : cutoff === 'meta'
          ? MESSENGER_POLICY_CHANGE_META
          : cutoff,
    messengerTagRetirementAt: input.messenger_tag_retirement,
    pricingCbp2022At: input.pricing_cbp_2022_at,
    pricingCbp2023At: input.pricing_cbp_2023_at,
    pricingFreeServiceAt: input.pricing_free_service_at,
    pricingPmp2025At: input.pricing_pmp_2025_at,
    pricing2026Enabled: input.pricing_2026,
    pricing2026At: input.pricing_2026_at,
    stopKeywords: input.stop_keywords,
    stopKeywordScope: input.stop_keyword_scope,
    freeTierConversationsPerMonth: input.free_tier_conversations_per_month,
    autoTagHumanAgent: input.auto_human_agent_tag,
  })
}
