import type { Billing } from '../pricing/billing.js'
import { formatMicros } from '../pricing/rate-card.js'
import type { RuleId } from '../rules.js'
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '../settings.js'
import { modernCategoryOf } from '../templates/template.js'
import { formatHuman, type Instant } from '../time.js'
import type { AllowedDecision, Decision, RefusedDecision } from './decision.js'

/**
 * Two or three plain sentences saying why a decision went the way it did and what it costs, citing the
 * rule ids. `settings` supplies dates the decision does not carry (the 24+1 cut-off).
 */
export function explain(decision: Decision, settings: PolicySettings = DEFAULT_POLICY_SETTINGS): string {
  return decision.allowed ? explainAllowed(decision, settings) : explainRefused(decision, settings)
}

function explainAllowed(decision: AllowedDecision, settings: PolicySettings): string {
  const { window, template } = decision
  const sentences: string[] = []
  switch (decision.reason) {
    case 'IN_CARE_WINDOW':
      sentences.push(
        `Allowed: the customer care window is open until ${at(window.expiresAt)}, 24 h after the customer's last message at ${at(window.lastUserMessageAt)} (${cite(decision, 'CCW-2', 'CCW-4')}).`,
      )
      if (decision.rules.includes('CCW-8'))
        sentences.push('The customer’s reply opened this new window (CCW-8).')
      break
    case 'OPTED_IN_TEMPLATE': {
      const consent = decision.consent[modernCategoryOf((template as NonNullable<typeof template>).category)]
      sentences.push(
        `Allowed: ${closedClause(window.expiresAt)}, but the contact opted in to ${modernCategoryOf((template as NonNullable<typeof template>).category)} messages at ${at(consent.since)}${consent.source === null ? '' : ` (source: ${consent.source})`} (CCW-6).`,
      )
      break
    }
    case 'ISSUE_RESOLUTION_TEMPLATE':
      sentences.push(
        `Allowed: "${template?.name ?? ''}" is an Issue Resolution template, which may invite the customer back without opt-in (${cite(decision, 'CCW-7', 'TPL-1')}). When the customer replies, a new 24 h window opens (CCW-8).`,
      )
      break
    case 'IN_STANDARD_WINDOW':
      sentences.push(
        window.type === 'messenger_ad'
          ? `Allowed: the Messenger window is open until ${at(window.expiresAt)}, 7 days after the user's message from a click-to-Messenger ad (MSG-1, MSG-AD).`
          : `Allowed: the Messenger standard window is open until ${at(window.expiresAt)}, 24 h after the user's last message (MSG-1).`,
      )
      break
    case 'PLUS_ONE':
      sentences.push(
        `Allowed: the standard window closed at ${at(window.expiresAt)}; this is the one extra message allowed after it (MSG-2), a rule that ends at ${formatHuman(settings.messengerPolicyChangeAt)}.`,
      )
      break
    case 'MESSAGE_TAG':
      sentences.push(`Allowed: outside the window with a message tag accepted at this date (MSG-3).`)
      break
    case 'HUMAN_AGENT':
      sentences.push(
        `Allowed: a person's reply tagged HUMAN_AGENT within 7 days of the user's last message, until ${at(window.humanAgentExpiresAt)} (MSG-3).`,
      )
      if (decision.autoTagged === true)
        sentences.push('carewindow added the tag itself: auto-tagging is on for this channel.')
      break
  }
  sentences.push(billingSentence(decision.billing))
  return sentences.join(' ')
}

function explainRefused(decision: RefusedDecision, settings: PolicySettings): string {
  const { window } = decision
  switch (decision.reason) {
    case 'WINDOW_CLOSED':
      return `Refused: ${closedSentence(window.expiresAt)} Outside the window only templates the contact opted in to may be sent (CCW-6).`
    case 'NO_OPT_IN': {
      const noOptIn = decision.rules.includes('CCW-5')
        ? 'no opt-in is on record, and the customer’s own message is not one (CCW-5)'
        : 'no opt-in is on record'
      const issueResolution = decision.template?.issueResolution
        ? 'Issue Resolution templates without opt-in are switched off for this channel (CCW-7).'
        : 'An Issue Resolution template may be sent without opt-in (CCW-7).'
      return `Refused: ${closedSentence(window.expiresAt)} Outside the window only templates the contact opted in to may be sent (CCW-6); ${noOptIn}. ${issueResolution}`
    }
    case 'OUTSIDE_MESSENGER_WINDOW': {
      const plusOne = decision.rules.includes('MSG-2')
        ? ` The one extra message after the window (24+1) ended at ${formatHuman(settings.messengerPolicyChangeAt)} (MSG-2).`
        : ''
      const closed =
        window.expiresAt === null
          ? 'the user has never messaged this Page, so no standard window is open (MSG-1).'
          : `the Messenger standard window closed at ${at(window.expiresAt)} (MSG-1).`
      return `Refused: ${closed}${plusOne} Outside the window a message needs MESSAGE_TAG with a tag allowed at this date (MSG-3).`
    }
    case 'PLUS_ONE_USED':
      return `Refused: the Messenger standard window closed at ${at(window.expiresAt)} and the one extra message after it was already sent (MSG-2). Until the user writes again, use MESSAGE_TAG with an allowed tag (MSG-3).`
    default: {
      // The details may end a sentence of their own; the rule ids belong inside it, and the error makes a second.
      const { details, code, subcode } = decision.error
      return `Refused: ${details.replace(/\.$/, '')} (${decision.rules.join(', ')}). The client receives Graph error ${code}${subcode === null ? '' : ` (subcode ${subcode})`}.`
    }
  }
}

function billingSentence(billing: Billing): string {
  const price =
    billing.price === null ? '' : ` ${formatMicros(billing.price.amountMicros)} ${billing.price.currency}`
  const model = MODEL_NAMES[billing.pricingModel]
  const rule = billing.era === 'MESSENGER' ? null : ERA_RULES[billing.era]
  switch (billing.type) {
    case 'free':
      return 'Messenger messages are not charged.'
    case 'free_customer_service':
      return `Free under ${model}: ${billing.category === 'service' ? 'service messages' : `${billing.category} templates`} inside the window cost nothing (${rule}).`
    case 'free_entry_point':
      return `Free: the customer came from an ad or call-to-action and was answered in time, so messages are free for 72 h (FEP-1).`
    case 'free_tier':
      return `Opens a ${label(billing.category)} conversation inside the monthly free tier: billable, but charged${price === '' ? ' nothing' : price} (${rule}).`
    case 'in_conversation':
      return `Part of the ${label(billing.category)} conversation opened at ${at(billing.conversation?.openedAt ?? null)}; no extra charge (${rule}).`
    case 'in_window_rate':
      return `Billed at the in-window (CCW) rate under ${model}${price === '' ? '' : `:${price}`} (CCW-3, ${rule}).`
    case 'regular':
      return billing.conversation === null
        ? `Billed as a ${label(billing.category)} message under ${model}${price === '' ? '' : `:${price}`} (${rule}).`
        : `Opens a 24 h ${label(billing.category)} conversation under ${model}${price === '' ? '' : `:${price}`} (${rule}).`
  }
}

const MODEL_NAMES: Readonly<Record<Billing['pricingModel'], string>> = {
  NBP: 'notification-based pricing',
  CBP: 'conversation-based pricing',
  PMP: 'per-message pricing',
  NONE: 'no pricing',
}

const ERA_RULES: Readonly<Record<Exclude<Billing['era'], 'MESSENGER'>, RuleId>> = {
  NBP: 'PRC-NBP',
  CBP_2022: 'PRC-CBP-2022',
  CBP_2023: 'PRC-CBP-2023',
  CBP_FREE_SERVICE: 'PRC-FREE-SERVICE',
  PMP_2025: 'PRC-PMP',
  PMP_2026: 'PRC-PMP-2026',
}

function label(category: string): string {
  return category.replace(/_/g, '-')
}

function cite(decision: Decision, ...rules: RuleId[]): string {
  return rules.filter((rule) => decision.rules.includes(rule)).join(', ')
}

function at(instant: Instant | null): string {
  return instant === null ? 'an unknown time' : formatHuman(instant)
}

function closedClause(expiresAt: Instant | null): string {
  return expiresAt === null
    ? 'the contact has never written'
    : `the customer care window closed at ${formatHuman(expiresAt)}`
}

function closedSentence(expiresAt: Instant | null): string {
  return expiresAt === null
    ? 'the contact has never written, so no customer care window is open (CCW-1).'
    : `the customer care window closed at ${formatHuman(expiresAt)}, 24 h after the customer's last message (CCW-4).`
}
