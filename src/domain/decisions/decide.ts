import {
  consentAt,
  EMPTY_CONSENT,
  type ConsentEvent,
  type ConsentSnapshot,
} from '../consent/consent-ledger.js'
import type { Platform } from '../platform.js'
import { MESSENGER_BILLING, whatsappBilling } from '../pricing/billing.js'
import { pricingEraAt, type PricingEra } from '../pricing/pricing-eras.js'
import type { RateCard } from '../pricing/rate-card.js'
import type { RuleId } from '../rules.js'
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '../settings.js'
import {
  templateSendProblem,
  templateStatusProblem,
  type TemplateProblem,
} from '../templates/template-send.js'
import {
  categoryAt,
  isIssueResolution,
  modernCategoryOf,
  NO_TEMPLATES,
  type Template,
  type TemplateCatalog,
} from '../templates/template.js'
import { formatHuman, type Instant } from '../time.js'
import type { ContactEvent, SentMessage } from '../windows/contact-events.js'
import { foldHistory, NEW_CONTACT, type ContactState } from '../windows/contact-state.js'
import { isHistory, windowOf, type WindowSnapshot } from '../windows/window-snapshot.js'
import type {
  AllowedDecision,
  AllowReason,
  Decision,
  RefusalReason,
  RefusedDecision,
  TemplateRef,
} from './decision.js'
import { REFUSAL_ERRORS } from './decision.js'
import type { Intent, MessengerIntent, WhatsAppTemplateIntent } from './intent.js'
import { HUMAN_AGENT_TAG, messageTagAt } from './messenger-tags.js'

/** Everything `decide` knows about the contact and the channel. Only what a decision needs is required. */
export interface DecisionContext {
  /** The contact's history (events after the instant are ignored), or a state folded up to the instant. Default: never heard from. */
  readonly history?: readonly ContactEvent[] | ContactState
  /** The consent ledger, or a snapshot taken at the instant. Default: empty. */
  readonly consent?: readonly ConsentEvent[] | ConsentSnapshot
  readonly templates?: TemplateCatalog
  readonly settings?: PolicySettings
  /** The contact's id (`wa_id` or PSID); its country prices WhatsApp messages. */
  readonly contact?: string
  /** The contact's country (ISO 3166-1 alpha-2), when known; otherwise derived from `contact`. */
  readonly country?: string | null
  /** Rate cards to price allowed messages with; without them `billing.price` is `null`. */
  readonly rateCards?: readonly RateCard[]
  /** CBP eras: conversations already counted against this month's free tier, when known. */
  readonly freeTierConversationsUsed?: number
  /**
   * The pricing era to judge by whatever the instant — what-if comparisons such as per-message pricing against
   * conversation-based. Default: the era in force at the instant.
   */
  readonly pricingEra?: PricingEra
}

/**
 * May this message go to this contact at `at`, and what will it cost? A pure function of the intent, the
 * contact's history, consent and templates, the channel's settings and the instant — past instants are judged
 * under the rules in force then.
 */
export function decide(intent: Intent, context: DecisionContext, at: Instant): Decision {
  // Each context field is read once: callers may build contexts with spreads, which V8 reads slowly.
  const {
    history = NEW_CONTACT,
    consent: ledger = EMPTY_CONSENT,
    settings = DEFAULT_POLICY_SETTINGS,
  } = context
  const state = isHistory(history) ? foldHistory(intent.platform, history, at, settings) : history
  const consent = Array.isArray(ledger)
    ? consentAt(ledger as readonly ConsentEvent[], at)
    : (ledger as ConsentSnapshot)
  const era = context.pricingEra ?? pricingEraAt(at, settings)
  const facts: Facts = {
    platform: intent.platform,
    at,
    settings,
    era,
    state,
    window: windowOf(intent.platform, state, at, settings, era),
    consent,
    templates: context.templates ?? NO_TEMPLATES,
    rateCards: context.rateCards ?? NO_RATE_CARDS,
    contact: context.contact,
    country: context.country,
    freeTierConversationsUsed: context.freeTierConversationsUsed,
  }
  switch (intent.kind) {
    case 'session':
      return decideSession(facts)
    case 'template':
      return decideTemplate(intent, facts)
    case 'message':
      return decideMessenger(intent, facts)
  }
}

const NO_RATE_CARDS: readonly RateCard[] = []

interface Facts {
  readonly platform: Platform
  readonly at: Instant
  readonly settings: PolicySettings
  readonly era: PricingEra
  readonly state: ContactState
  readonly window: WindowSnapshot
  readonly consent: ConsentSnapshot
  readonly templates: TemplateCatalog
  readonly rateCards: readonly RateCard[]
  readonly contact: string | undefined
  readonly country: string | null | undefined
  readonly freeTierConversationsUsed: number | undefined
}

function decideSession(facts: Facts): Decision {
  const { window } = facts
  if (window.state === 'closed') {
    return refuse(
      facts,
      'WINDOW_CLOSED',
      window.lastUserMessageAt === null ? ['CCW-1', 'CCW-6'] : ['CCW-4', 'CCW-6'],
      null,
      // Graph's own words for 131047, so clients that match on them keep working; the window says when.
      window.lastUserMessageAt === null
        ? 'The recipient has never replied to the sender number, so only templates can be sent.'
        : 'More than 24 hours have passed since the recipient last replied to the sender number.',
    )
  }
  if (hasRevokedAll(facts)) return refuseRevoked(facts, null)
  return allow(facts, 'IN_CARE_WINDOW', inWindowRules(facts, ['CCW-1', 'CCW-2', 'CCW-4']), null, {
    type: 'session',
  })
}

function decideTemplate(intent: WhatsAppTemplateIntent, facts: Facts): Decision {
  const send = intent.template
  const catalog = facts.templates
  const template = catalog.find(send.name, send.language.code)
  if (template === undefined) {
    const languages = catalog.languagesOf(send.name)
    return refuse(
      facts,
      'TEMPLATE_NOT_FOUND',
      ['TPL-STATUS'],
      null,
      languages.length === 0
        ? `There is no template named "${send.name}". Register it (or import your templates from Meta) first.`
        : `Template "${send.name}" does not exist in language "${send.language.code}"; it exists in ${languages.join(', ')}.`,
    )
  }
  const ref = templateRef(template, facts.at)
  const statusProblem = templateStatusProblem(template)
  if (statusProblem !== null) return refuseTemplate(facts, statusProblem, ref, 'TPL-STATUS')
  const sendProblem = templateSendProblem(template, send)
  if (sendProblem !== null) return refuseTemplate(facts, sendProblem, ref, 'TPL-PARAMS')
  if (hasRevokedAll(facts)) return refuseRevoked(facts, ref)

  const scope = modernCategoryOf(ref.category)
  const consent = facts.consent[scope]
  const sent: SentMessage = { type: 'template', category: ref.category }
  const { window } = facts
  if (scope === 'marketing' && consent.state === 'opted_out') {
    return refuse(facts, 'OPTED_OUT', ['OPT-OUT'], ref, optedOutDetails(scope, consent.since, consent.source))
  }
  if (window.state === 'open') {
    return allow(
      facts,
      'IN_CARE_WINDOW',
      inWindowRules(facts, ['CCW-1', 'CCW-2', 'CCW-4', 'TPL-STATUS']),
      ref,
      sent,
    )
  }
  if (consent.state === 'opted_in')
    return allow(facts, 'OPTED_IN_TEMPLATE', ['CCW-6', 'TPL-STATUS'], ref, sent)
  if (consent.state === 'opted_out') {
    return refuse(
      facts,
      'OPTED_OUT',
      ['CCW-6', 'OPT-OUT'],
      ref,
      optedOutDetails(scope, consent.since, consent.source),
    )
  }
  const isTaggedIssueResolution = isIssueResolution(template)
  if (isTaggedIssueResolution && facts.settings.issueResolutionWithoutOptIn) {
    const rules: RuleId[] = ['CCW-7', 'TPL-STATUS']
    if (template.libraryKey !== undefined) rules.push('TPL-1')
    return allow(facts, 'ISSUE_RESOLUTION_TEMPLATE', rules, ref, sent)
  }
  const rules: RuleId[] = window.lastUserMessageAt === null ? ['CCW-6'] : ['CCW-4', 'CCW-6', 'CCW-5']
  if (isTaggedIssueResolution) rules.push('CCW-7')
  return refuse(
    facts,
    'NO_OPT_IN',
    rules,
    ref,
    `${closedDetails(window)} No ${scope} opt-in is on record for this contact, so the template "${template.name}" may not be sent (CCW-6). ` +
      (isTaggedIssueResolution
        ? 'Issue Resolution templates without opt-in are switched off for this channel (CCW-7).'
        : 'Record the contact’s opt-in, or send an Issue Resolution template to invite them back (CCW-7).'),
  )
}

function decideMessenger(intent: MessengerIntent, facts: Facts): Decision {
  const { window, at } = facts
  const sent: SentMessage = { type: 'messenger', messagingType: intent.messagingType, tag: intent.tag }
  const windowRules: RuleId[] = window.type === 'messenger_ad' ? ['MSG-1', 'MSG-AD'] : ['MSG-1']
  if (intent.messagingType === 'MESSAGE_TAG') {
    const tag = intent.tag
    if (tag === null)
      return refuse(
        facts,
        'TAG_MISSING',
        ['MSG-3'],
        null,
        'messaging_type MESSAGE_TAG needs a "tag"; use HUMAN_AGENT for a person’s reply within 7 days.',
      )
    const verdict = messageTagAt(tag, at, facts.settings)
    if (!verdict.allowed) return refuse(facts, verdict.reason, ['MSG-3'], null, verdict.details)
    if (tag === HUMAN_AGENT_TAG && intent.sender === 'bot') {
      return refuse(
        facts,
        'HUMAN_AGENT_NOT_HUMAN',
        ['MSG-3'],
        null,
        'HUMAN_AGENT may only be used for messages a person writes; automated messages may never carry it. Mark the request as sent by an agent if a person wrote it.',
      )
    }
    if (window.state === 'open') return allow(facts, 'IN_STANDARD_WINDOW', windowRules, null, sent)
    if (tag !== HUMAN_AGENT_TAG) return allow(facts, 'MESSAGE_TAG', ['MSG-3'], null, sent)
    if (window.humanAgentExpiresAt !== null && at < window.humanAgentExpiresAt)
      return allow(facts, 'HUMAN_AGENT', ['MSG-3'], null, sent)
    return refuse(
      facts,
      'HUMAN_AGENT_EXPIRED',
      ['MSG-3'],
      null,
      window.humanAgentExpiresAt === null
        ? 'The user has never messaged this Page, so there is nothing a human agent can reply to.'
        : `HUMAN_AGENT replies are allowed until 7 days after the user's last message; that ended at ${formatHuman(window.humanAgentExpiresAt)}.`,
    )
  }
  if (window.state === 'open') return allow(facts, 'IN_STANDARD_WINDOW', windowRules, null, sent)
  if (window.plusOne === 'available') return allow(facts, 'PLUS_ONE', ['MSG-2'], null, sent)
  if (
    facts.settings.autoTagHumanAgent &&
    intent.sender === 'agent' &&
    window.humanAgentExpiresAt !== null &&
    at < window.humanAgentExpiresAt
  ) {
    // The channel asked carewindow to tag a person's late reply itself, so agents need not know the rule.
    const tagged: SentMessage = { type: 'messenger', messagingType: 'MESSAGE_TAG', tag: HUMAN_AGENT_TAG }
    return { ...allow(facts, 'HUMAN_AGENT', ['MSG-3'], null, tagged), autoTagged: true }
  }
  if (window.plusOne === 'used') {
    return refuse(
      facts,
      'PLUS_ONE_USED',
      ['MSG-2', 'MSG-3'],
      null,
      `${closedDetails(window)} The one extra message after the window was already sent; until the user writes again, use MESSAGE_TAG with an allowed tag.`,
    )
  }
  return refuse(
    facts,
    'OUTSIDE_MESSENGER_WINDOW',
    window.plusOne === 'expired' ? ['MSG-1', 'MSG-2', 'MSG-3'] : ['MSG-1', 'MSG-3'],
    null,
    `${closedDetails(window)} Outside the window use messaging_type MESSAGE_TAG with a tag allowed at this date` +
      (window.type === 'human_agent' ? ' (HUMAN_AGENT, if a person is replying).' : '.'),
  )
}

function hasRevokedAll({ consent, window }: Facts): boolean {
  // A contact who revoked all consent and wrote again since is talking to the business; replies go through.
  // Only a later message counts: the stop message itself carries the revocation's own timestamp.
  return (
    consent.revokedAllAt !== null &&
    !(
      window.state === 'open' &&
      window.lastUserMessageAt !== null &&
      window.lastUserMessageAt > consent.revokedAllAt
    )
  )
}

function refuseRevoked(facts: Facts, ref: TemplateRef | null): Decision {
  return refuse(
    facts,
    'CONSENT_REVOKED',
    ['OPT-OUT'],
    ref,
    `The contact revoked all consent at ${formatHuman(facts.consent.revokedAllAt as Instant)}; nothing may be sent until they write again or opt in.`,
  )
}

function inWindowRules(facts: Facts, rules: RuleId[]): RuleId[] {
  if (facts.state.windowsOpened > 1) rules.push('CCW-8')
  return rules
}

function templateRef(template: Template, at: Instant): TemplateRef {
  return {
    name: template.name,
    language: template.language,
    category: categoryAt(template, at),
    issueResolution: isIssueResolution(template),
  }
}

const TEMPLATE_REFUSALS: Readonly<Record<TemplateProblem['code'], RefusalReason>> = {
  132000: 'TEMPLATE_PARAMETER_COUNT',
  132001: 'TEMPLATE_NOT_APPROVED',
  132012: 'TEMPLATE_PARAMETER_FORMAT',
  132015: 'TEMPLATE_PAUSED',
  132016: 'TEMPLATE_DISABLED',
}

function refuseTemplate(facts: Facts, problem: TemplateProblem, ref: TemplateRef, rule: RuleId): Decision {
  return refuse(facts, TEMPLATE_REFUSALS[problem.code], [rule], ref, problem.details)
}

function closedDetails(window: WindowSnapshot): string {
  if (window.expiresAt === null) return 'The contact has never sent a message, so no window is open.'
  return `The window closed at ${formatHuman(window.expiresAt)}.`
}

function optedOutDetails(scope: string, since: Instant | null, source: string | null): string {
  return `The contact opted out of ${scope} messages at ${formatHuman(since as Instant)}${source === null ? '' : ` (source: ${source})`}.`
}

function allow(
  facts: Facts,
  reason: AllowReason,
  rules: RuleId[],
  template: TemplateRef | null,
  sent: SentMessage,
): AllowedDecision {
  const { at, window, consent } = facts
  let billing = MESSENGER_BILLING
  if (sent.type !== 'messenger') {
    billing = whatsappBilling(facts, sent, window.state === 'open', rules)
  }
  return {
    allowed: true,
    at,
    platform: facts.platform,
    reason,
    rules,
    window,
    consent,
    template,
    billing,
    sent,
  }
}

function refuse(
  facts: Facts,
  reason: RefusalReason,
  rules: RuleId[],
  template: TemplateRef | null,
  details: string,
): RefusedDecision {
  const error = REFUSAL_ERRORS[reason]
  return {
    allowed: false,
    at: facts.at,
    platform: facts.platform,
    reason,
    rules,
    window: facts.window,
    consent: facts.consent,
    template,
    error: { code: error.code, subcode: error.subcode, title: error.title, details },
    billing: null,
  }
}
