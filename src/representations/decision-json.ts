import {
  explain,
  formatInstant,
  formatMicros,
  type Billing,
  type ConsentSnapshot,
  type ConsentStatus,
  type Decision,
  type Instant,
  type PolicySettings,
  type WindowSnapshot,
} from '../domain/index.js'

/**
 * The JSON shapes of policy values in carewindow's API, CLI and webhooks: snake_case like Graph, instants
 * as ISO 8601 strings, money as decimal strings (plus integer micros for summing).
 */

const iso = (at: Instant | null): string | null => (at === null ? null : formatInstant(at))

export function windowJson(window: WindowSnapshot, at?: Instant): Record<string, unknown> {
  return {
    state: window.state,
    type: window.type,
    opened_at: iso(window.openedAt),
    last_user_message_at: iso(window.lastUserMessageAt),
    expires_at: iso(window.expiresAt),
    ...(at === undefined
      ? {}
      : {
          seconds_left:
            window.state === 'open' && window.expiresAt !== null
              ? Math.floor((window.expiresAt - at) / 1000)
              : 0,
        }),
    ...(window.plusOne === null
      ? { free_entry_point_expires_at: iso(window.freeEntryPointExpiresAt) }
      : { human_agent_expires_at: iso(window.humanAgentExpiresAt), plus_one: window.plusOne }),
  }
}

function consentStatusJson(status: ConsentStatus): Record<string, unknown> {
  return { state: status.state, since: iso(status.since), scope: status.scope, source: status.source }
}

export function consentJson(consent: ConsentSnapshot): Record<string, unknown> {
  return {
    marketing: consentStatusJson(consent.marketing),
    utility: consentStatusJson(consent.utility),
    authentication: consentStatusJson(consent.authentication),
    revoked_all_at: iso(consent.revokedAllAt),
  }
}

export function billingJson(billing: Billing): Record<string, unknown> {
  return {
    pricing_model: billing.pricingModel,
    era: billing.era,
    category: billing.category,
    billable: billing.billable,
    type: billing.type,
    conversation:
      billing.conversation === null
        ? null
        : {
            category: billing.conversation.category,
            opened_at: iso(billing.conversation.openedAt),
            expires_at: iso(billing.conversation.expiresAt),
            is_new: billing.conversation.isNew,
          },
    price:
      billing.price === null
        ? null
        : {
            amount: formatMicros(billing.price.amountMicros),
            amount_micros: billing.price.amountMicros,
            currency: billing.price.currency,
            rate_card: billing.price.rateCardId,
            market: billing.price.market,
          },
  }
}

/** A decision as carewindow reports it, with its plain-language explanation. */
export function decisionJson(
  decision: Decision,
  options: { readonly contact?: string; readonly settings?: PolicySettings } = {},
): Record<string, unknown> {
  return {
    at: formatInstant(decision.at),
    ...(options.contact === undefined ? {} : { contact: options.contact }),
    platform: decision.platform,
    allowed: decision.allowed,
    reason: decision.reason,
    rules: decision.rules,
    window: windowJson(decision.window, decision.at),
    consent: consentJson(decision.consent),
    template:
      decision.template === null
        ? null
        : {
            name: decision.template.name,
            language: decision.template.language,
            category: decision.template.category,
            issue_resolution: decision.template.issueResolution,
          },
    billing: decision.allowed ? billingJson(decision.billing) : null,
    ...(decision.allowed && decision.autoTagged === true
      ? { auto_tagged: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } }
      : {}),
    ...(decision.allowed
      ? {}
      : {
          error: {
            code: decision.error.code,
            ...(decision.error.subcode === null ? {} : { error_subcode: decision.error.subcode }),
            title: decision.error.title,
            details: decision.error.details,
          },
        }),
    explanation: explain(decision, options.settings),
  }
}
