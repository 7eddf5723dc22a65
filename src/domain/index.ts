/**
 * The carewindow policy engine: pure functions of (history, intent, instant) that answer whether a message
 * may be sent, why, until when, and at what cost. No I/O, no clock, no environment.
 */
export type { Instant } from './time.js'
export {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  formatHuman,
  formatInstant,
  parseDate,
  parseInstant,
} from './time.js'
export { RULES, RULE_IDS, type RuleId } from './rules.js'
export type { Platform } from './platform.js'
export { PLATFORMS } from './platform.js'
export {
  DEFAULT_POLICY_SETTINGS,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  MESSENGER_TAG_RETIREMENT,
  PRICING_2026_CHANGE,
  PRICING_CBP_2022_START,
  PRICING_CBP_2023_START,
  PRICING_FREE_SERVICE_START,
  PRICING_PMP_2025_START,
  policySettings,
  type PolicySettings,
} from './settings.js'

export {
  isUserMessage,
  type ContactEvent,
  type InboundEvent,
  type MessagingType,
  type OutboundEvent,
  type ReferralSource,
  type SentMessage,
} from './windows/contact-events.js'
export { applyEvent, foldHistory, NEW_CONTACT, type ContactState } from './windows/contact-state.js'
export {
  CARE_WINDOW_MS,
  FREE_ENTRY_POINT_MS,
  HUMAN_AGENT_WINDOW_MS,
  MESSENGER_AD_WINDOW_MS,
} from './windows/window-durations.js'
export {
  windowAt,
  type PlusOneState,
  type WindowSnapshot,
  type WindowType,
} from './windows/window-snapshot.js'

export {
  CONSENT_CATEGORIES,
  consentAt,
  EMPTY_CONSENT,
  type ConsentCategory,
  type ConsentEvent,
  type ConsentScope,
  type ConsentSnapshot,
  type ConsentSource,
  type ConsentStatus,
} from './consent/consent-ledger.js'
export {
  DEFAULT_STOP_KEYWORDS,
  matchStopKeyword,
  normalizeKeywordText,
  stopKeywordOptOut,
} from './consent/stop-keywords.js'

export {
  categoryAt,
  isIssueResolution,
  modernCategoryOf,
  NO_TEMPLATES,
  TEMPLATE_CATEGORIES,
  TEMPLATE_STATUSES,
  templateCatalog,
  type Template,
  type TemplateButton,
  type TemplateCatalog,
  type TemplateCategory,
  type TemplateCategoryChange,
  type TemplateHeader,
  type TemplateStatus,
} from './templates/template.js'
export {
  fillPlaceholders,
  parsePlaceholders,
  type PlaceholderFormat,
  type Placeholders,
} from './templates/placeholders.js'
export {
  templateSendProblem,
  templateStatusProblem,
  type TemplateErrorCode,
  type TemplateProblem,
  type TemplateSend,
  type TemplateSendComponent,
  type TemplateSendParameter,
} from './templates/template-send.js'
export { renderTemplate, type TemplatePreview } from './templates/render.js'
export {
  EXAMPLE_LANGUAGES,
  ISSUE_RESOLUTION_EXAMPLES,
  issueResolutionTemplates,
  type ExampleLanguage,
  type IssueResolutionExample,
} from './templates/issue-resolution-library.js'

export {
  PRICING_ERAS,
  pricingEraAt,
  pricingEras,
  type PricingEra,
  type PricingEraId,
  type PricingModel,
} from './pricing/pricing-eras.js'
export type { Conversation, ConversationCategory } from './pricing/conversations.js'
export type { Billing, BillingType } from './pricing/billing.js'
export {
  formatMicros,
  priceOf,
  priceOf as price,
  RATE_CATEGORIES,
  rateCardAt,
  type Price,
  type RateCard,
  type RateCategory,
  type Rates,
} from './pricing/rate-card.js'
export { SAMPLE_RATE_CARDS } from './pricing/sample-rate-cards.js'
export { repriceMessage, type PricedFacts, type Repriced, type RepricingPolicy } from './pricing/reprice.js'
export { ownCardsFrom, rateCardsForTenant } from './pricing/tenant-rate-cards.js'
export { META_REGIONS, metaMarketOf, type MetaMarket } from './pricing/meta-markets.js'
export { countryOfPhoneNumber } from './pricing/market.js'
export {
  MISMATCH_CAUSE_CODES,
  MISMATCH_CAUSES,
  reconcilePricing,
  type MismatchCause,
  type PricingDifference,
  type PricingFacts,
  type Reconciliation,
} from './pricing/reconciliation.js'
export {
  MAX_WA_ID_DIGITS,
  MAX_WRITTEN_CONTACT_ID_LENGTH,
  parseWaId,
  parseWhatsAppContactId,
  type WaIdParse,
} from './contacts/wa-id.js'

export {
  WHATSAPP_SESSION_TYPES,
  type Intent,
  type MessengerIntent,
  type MessengerSender,
  type WhatsAppSessionIntent,
  type WhatsAppSessionType,
  type WhatsAppTemplateIntent,
} from './decisions/intent.js'
export {
  ALLOW_REASONS,
  REFUSAL_ERRORS,
  REFUSAL_REASONS,
  type AllowedDecision,
  type AllowReason,
  type Decision,
  type GraphError,
  type RefusalReason,
  type RefusedDecision,
  type TemplateRef,
} from './decisions/decision.js'
export { decide, type DecisionContext } from './decisions/decide.js'
export { explain } from './decisions/explain.js'
export {
  HUMAN_AGENT_TAG,
  LEGACY_MESSAGE_TAGS,
  messageTagAt,
  POLICY_2020_MESSAGE_TAGS,
  type TagVerdict,
} from './decisions/messenger-tags.js'
