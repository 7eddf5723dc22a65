import fc from 'fast-check'
import {
  DAY_MS,
  MESSENGER_POLICY_CHANGE_META,
  parseDate,
  PLATFORMS,
  policySettings,
  SAMPLE_RATE_CARDS,
  templateCatalog,
  WHATSAPP_SESSION_TYPES,
  type ConsentEvent,
  type ContactEvent,
  type DecisionContext,
  type Intent,
  type MessagingType,
  type Platform,
  type PolicySettings,
  type ReferralSource,
} from '../index.js'
import { issueResolutionTemplates } from '../templates/issue-resolution-library.js'
import {
  businessMessage,
  DUTCH_CONTACT,
  messengerMessage,
  optIn,
  optOut,
  sessionMessage,
  template,
  templateMessage,
  userMessage,
} from './builders.js'

/**
 * fast-check arbitraries for decide's property tests (decisions/decide-*.property.test.ts): contacts' histories,
 * consent, settings and intents on either platform, between 2019 and 2027. They use the package's public entry
 * point, as a library user would.
 */

const FROM = parseDate('2019-06-01') ?? Number.NaN
/** The last instant a property decides at. */
export const UNTIL = parseDate('2027-06-01') ?? Number.NaN

/** The business's templates: one of each category, a paused one, one with a parameter, and the shipped examples. */
export const CATALOG = templateCatalog([
  template('account_notice'),
  template('spring_sale', 'MARKETING'),
  template('login_code', 'AUTHENTICATION'),
  template('ticket_followup', 'UTILITY', { issueResolution: true }),
  template('paused_notice', 'UTILITY', { status: 'PAUSED' }),
  template('order_shipped', 'UTILITY', { body: 'Order {{1}} has shipped.' }),
  ...issueResolutionTemplates('APPROVED', ['en']),
])

const SETTINGS: readonly PolicySettings[] = [
  policySettings(),
  policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META }),
  policySettings({ issueResolutionWithoutOptIn: false }),
  policySettings({ pricing2026Enabled: true }),
]

/** An instant between 2019-06-01 and 2027-06-01. */
export const instantArb = fc.integer({ min: FROM, max: UNTIL })
/** Where history events fall relative to the decision's instant: mostly the days before it. */
export const offsetArb = fc.integer({ min: -10 * DAY_MS, max: DAY_MS })
/** WhatsApp or Messenger. */
export const platformArb = fc.constantFrom(...PLATFORMS)
/** The default settings, or one of them switched. */
export const settingsArb = fc.constantFrom(...SETTINGS)
const referralArb = fc.constantFrom<ReferralSource | null>(null, 'ad', 'cta', 'link')
/** The type of a message a user writes. */
export const userTypeArb = fc.constantFrom('text', 'button', 'reaction', 'postback')
/** The type of an inbound notification that is not a message from the user. */
export const noticeTypeArb = fc.constantFrom('system', 'unsupported', 'unknown')

/** A history event, once given its instant. */
export type EventAt = (at: number) => ContactEvent

/** An inbound event of one of `messageTypes`, from one of `referrals`. */
export function inboundArb(
  messageTypes: fc.Arbitrary<string>,
  referrals = referralArb,
): fc.Arbitrary<EventAt> {
  return fc.tuple(referrals, messageTypes).map(
    ([referral, messageType]): EventAt =>
      (at) =>
        userMessage(at, referral === null ? { messageType } : { referral, messageType }),
  )
}

/** A message the business sent on `platform`. */
export function outboundArb(platform: Platform): fc.Arbitrary<EventAt> {
  if (platform === 'messenger')
    return fc
      .tuple(
        fc.constantFrom<MessagingType>('RESPONSE', 'UPDATE', 'MESSAGE_TAG'),
        fc.constantFrom(null, 'HUMAN_AGENT', 'ACCOUNT_UPDATE'),
      )
      .map(
        ([messagingType, tag]): EventAt =>
          (at) =>
            businessMessage(at, { type: 'messenger', messagingType, tag }),
      )
  return fc.oneof(
    fc.constant<EventAt>((at) => businessMessage(at)),
    fc
      .constantFrom('MARKETING', 'UTILITY', 'AUTHENTICATION', 'TRANSACTIONAL', 'SHIPPING_UPDATE' as const)
      .map(
        (category): EventAt =>
          (at) =>
            businessMessage(at, { type: 'template', category }),
      ),
  )
}

/** A message the business wants to send on `platform`, some of them refused whatever the window. */
export function intentArb(platform: Platform): fc.Arbitrary<Intent> {
  if (platform === 'messenger')
    return fc
      .tuple(
        fc.constantFrom<MessagingType>('RESPONSE', 'UPDATE', 'MESSAGE_TAG'),
        fc.constantFrom(
          null,
          'HUMAN_AGENT',
          'ACCOUNT_UPDATE',
          'POST_PURCHASE_UPDATE',
          'SHIPPING_UPDATE',
          'SALE',
        ),
        fc.constantFrom('bot' as const, 'agent' as const),
      )
      .map(([messagingType, tag, sender]) => messengerMessage(messagingType, tag, sender))
  return fc.oneof(
    fc.constantFrom(...WHATSAPP_SESSION_TYPES).map((type) => sessionMessage(type)),
    fc
      .constantFrom(
        'account_notice',
        'spring_sale',
        'login_code',
        'ticket_followup',
        'paused_notice',
        'no_such',
      )
      .map((name) => templateMessage(name)),
    fc.constant(templateMessage('ticket_update', { ticket_id: 'T-1042' })),
    fc.constant(templateMessage('order_shipped', ['A-1001'])),
  )
}

const consentArb: fc.Arbitrary<(at: number) => ConsentEvent[]> = fc
  .array(
    fc.tuple(
      fc.boolean(),
      fc.constantFrom('all' as const, 'marketing' as const, 'utility' as const, 'authentication' as const),
      offsetArb,
    ),
    { maxLength: 3 },
  )
  .map(
    (entries) => (at) =>
      entries.map(([isOptIn, scope, offset]) => (isOptIn ? optIn : optOut)(scope, at + offset)),
  )

/** A contact's history on one platform, events at distinct instants around `at`. */
export function scenarioArb(platform: Platform) {
  return fc
    .record({
      at: instantArb,
      events: fc.uniqueArray(
        fc.tuple(
          offsetArb,
          fc.oneof(inboundArb(userTypeArb), inboundArb(noticeTypeArb), outboundArb(platform)),
        ),
        { maxLength: 8, selector: ([offset]) => offset },
      ),
      consent: consentArb,
      settings: settingsArb,
    })
    .map(({ at, events, consent, settings }) => ({
      at,
      history: events.map(([offset, make]) => make(at + offset)),
      consent: consent(at),
      settings,
    }))
}

/** A scenario and an intent on either platform, priced with or without rate cards. */
export const anyDecisionArb = platformArb.chain((platform) =>
  fc.record({ scenario: scenarioArb(platform), intent: intentArb(platform), withCards: fc.boolean() }),
)

/** The decision context of `scenario`, with {@link CATALOG}, a Dutch contact and (unless told) the sample rate cards. */
export function contextOf(
  scenario: { history: ContactEvent[]; consent: ConsentEvent[]; settings: PolicySettings },
  withCards = true,
): DecisionContext {
  return {
    history: scenario.history,
    consent: scenario.consent,
    settings: scenario.settings,
    templates: CATALOG,
    contact: DUTCH_CONTACT,
    rateCards: withCards ? SAMPLE_RATE_CARDS : [],
  }
}
