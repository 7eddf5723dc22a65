import { z } from 'zod'
import {
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  policySettings,
  type PolicySettings,
} from '../domain/index.js'
import { dateOrInstant } from '../shared/validation.js'
import { rateSettingsSchema } from './rate-settings.js'

/**
 * A channel's policy settings as written in a config or scenario file (snake_case JSON). Unknown keys are
 * errors, so a typo never silently falls back to a default.
 */
export const policySettingsSchema = z.strictObject({
  /** CCW-7 (default true). */
  issue_resolution_without_opt_in: z.boolean().optional(),
  /** MSG-2: `brief` (2020-01-15, default), `meta` (2020-03-04) or a date. */
  messenger_plus_one_cutoff: z
    .union([z.enum(['brief', 'meta']), dateOrInstant], 'use "brief", "meta" or a date such as "2020-03-04"')
    .optional(),
  /** MSG-3: when CONFIRMED_EVENT_UPDATE / POST_PURCHASE_UPDATE / ACCOUNT_UPDATE retire (default 2026-04-27). */
  messenger_tag_retirement: dateOrInstant.optional(),
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
    pricing2026Enabled: input.pricing_2026,
    pricing2026At: input.pricing_2026_at,
    stopKeywords: input.stop_keywords,
    stopKeywordScope: input.stop_keyword_scope,
    freeTierConversationsPerMonth: input.free_tier_conversations_per_month,
    autoTagHumanAgent: input.auto_human_agent_tag,
  })
}
