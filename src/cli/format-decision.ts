import { explain, formatHuman, formatMicros, type Decision, type PolicySettings } from '../domain/index.js'

/** A decision as a short block of text for people at a terminal. */
export function formatDecisionText(decision: Decision, contact: string, settings: PolicySettings): string {
  const verdict = decision.allowed ? 'ALLOWED' : 'REFUSED'
  const window = decision.window
  const windowText =
    window.expiresAt === null
      ? 'window closed (never opened)'
      : `window ${window.state} (${window.type}) ${window.state === 'open' ? 'until' : 'since'} ${formatHuman(window.expiresAt)}`
  const outcome = decision.allowed
    ? `billing ${decision.billing.pricingModel} ${decision.billing.category} ${decision.billing.type}${
        decision.billing.price === null
          ? ''
          : ` ${formatMicros(decision.billing.price.amountMicros)} ${decision.billing.price.currency}`
      }`
    : `Graph error ${decision.error.code}${decision.error.subcode === null ? '' : `/${decision.error.subcode}`}`
  return [
    `${formatHuman(decision.at)}  ${contact}  ${verdict}  ${decision.reason}  [${decision.rules.join(' ')}]`,
    `  ${windowText} · ${outcome}`,
    `  ${explain(decision, settings)}`,
  ].join('\n')
}
