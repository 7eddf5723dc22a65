import type { PolicySettings } from '../settings.js'
import { formatHuman, type Instant } from '../time.js'

/** The message tags Messenger accepted until its 2020 policy change, with what replaced each. */
export const LEGACY_MESSAGE_TAGS: Readonly<Record<string, string | null>> = Object.freeze({
  BUSINESS_PRODUCTIVITY: 'POST_PURCHASE_UPDATE',
  COMMUNITY_ALERT: null,
  CONFIRMED_EVENT_REMINDER: 'CONFIRMED_EVENT_UPDATE',
  NON_PROMOTIONAL_SUBSCRIPTION: null,
  PAIRING_UPDATE: null,
  APPLICATION_UPDATE: 'ACCOUNT_UPDATE',
  ACCOUNT_UPDATE: 'ACCOUNT_UPDATE',
  PAYMENT_UPDATE: 'POST_PURCHASE_UPDATE',
  PERSONAL_FINANCE_UPDATE: 'ACCOUNT_UPDATE',
  SHIPPING_UPDATE: 'POST_PURCHASE_UPDATE',
  RESERVATION_UPDATE: 'POST_PURCHASE_UPDATE',
  ISSUE_RESOLUTION: 'HUMAN_AGENT',
  APPOINTMENT_UPDATE: 'CONFIRMED_EVENT_UPDATE',
  GAME_EVENT: null,
  TRANSPORTATION_UPDATE: 'CONFIRMED_EVENT_UPDATE',
  FEATURE_FUNCTIONALITY_UPDATE: 'HUMAN_AGENT',
  TICKET_UPDATE: 'CONFIRMED_EVENT_UPDATE',
})

/** The tags of the 2020 policy; all but HUMAN_AGENT retire on the configured retirement date. */
export const POLICY_2020_MESSAGE_TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'HUMAN_AGENT',
] as const

export const HUMAN_AGENT_TAG = 'HUMAN_AGENT'

/** Whether a tag may be used at an instant (MSG-3). */
export type TagVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'TAG_UNKNOWN' | 'TAG_NOT_ALLOWED'; readonly details: string }

/** MSG-3: the tag list in force at `at` — the pre-2020 list until the policy change, then the 2020 list until the retirement date, then HUMAN_AGENT. */
export function messageTagAt(tag: string, at: Instant, settings: PolicySettings): TagVerdict {
  if (tag === HUMAN_AGENT_TAG) return { allowed: true }
  const isLegacy = Object.hasOwn(LEGACY_MESSAGE_TAGS, tag)
  const is2020 = (POLICY_2020_MESSAGE_TAGS as readonly string[]).includes(tag)
  if (!isLegacy && !is2020)
    return {
      allowed: false,
      reason: 'TAG_UNKNOWN',
      details: `"${tag}" is not a Messenger message tag; use one of ${POLICY_2020_MESSAGE_TAGS.join(', ')}.`,
    }
  if (at < settings.messengerPolicyChangeAt) {
    if (isLegacy) return { allowed: true }
    return {
      allowed: false,
      reason: 'TAG_NOT_ALLOWED',
      details: `${tag} is only accepted from ${formatHuman(settings.messengerPolicyChangeAt)}, when the 2020 message tag policy takes effect.`,
    }
  }
  if (!is2020) {
    const replacement = LEGACY_MESSAGE_TAGS[tag]
    return {
      allowed: false,
      reason: 'TAG_NOT_ALLOWED',
      details: `${tag} was retired on ${formatHuman(settings.messengerPolicyChangeAt)}${replacement ? `; use ${replacement} where its rules fit` : ''}.`,
    }
  }
  if (at >= settings.messengerTagRetirementAt)
    return {
      allowed: false,
      reason: 'TAG_NOT_ALLOWED',
      details: `${tag} was retired on ${formatHuman(settings.messengerTagRetirementAt)}; Meta answers it with error 100. Only HUMAN_AGENT remains.`,
    }
  return { allowed: true }
}
