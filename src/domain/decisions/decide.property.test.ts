import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyEvent,
  DAY_MS,
  decide,
  explain,
  foldHistory,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  parseDate,
  parseInstant,
  PLATFORMS,
  policySettings,
  RULE_IDS,
  SAMPLE_RATE_CARDS,
  templateCatalog,
  WHATSAPP_SESSION_TYPES,
  windowAt,
  type ConsentEvent,
  type ContactEvent,
  type DecisionContext,
  type Intent,
  type MessagingType,
  type Platform,
  type PolicySettings,
  type ReferralSource,
} from '../index.js'
import {
  businessMessage,
  delivered,
  DUTCH_CONTACT,
  messengerMessage,
  optIn,
  optOut,
  sessionMessage,
  template,
  templateMessage,
  userMessage,
} from '../testing/builders.js'
import { issueResolutionTemplates } from '../templates/issue-resolution-library.js'

// These properties go through the package's public entry point, as a library user would.

const FROM = parseDate('2019-06-01')!
const UNTIL = parseDate('2027-06-01')!

const CATALOG = templateCatalog([
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

const instantArb = fc.integer({ min: FROM, max: UNTIL })
/** Where history events fall relative to the decision's instant: mostly the days before it. */
const offsetArb = fc.integer({ min: -10 * DAY_MS, max: DAY_MS })
const platformArb = fc.constantFrom(...PLATFORMS)
const settingsArb = fc.constantFrom(...SETTINGS)
const referralArb = fc.constantFrom<ReferralSource | null>(null, 'ad', 'cta', 'link')
const userTypeArb = fc.constantFrom('text', 'button', 'reaction', 'postback')
const noticeTypeArb = fc.constantFrom('system', 'unsupported', 'unknown')

type EventAt = (at: number) => ContactEvent

function inboundArb(messageTypes: fc.Arbitrary<string>, referrals = referralArb): fc.Arbitrary<EventAt> {
  return fc.tuple(referrals, messageTypes).map(
    ([referral, messageType]): EventAt =>
      (at) =>
        userMessage(at, referral === null ? { messageType } : { referral, messageType }),
  )
}

function outboundArb(platform: Platform): fc.Arbitrary<EventAt> {
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

function intentArb(platform: Platform): fc.Arbitrary<Intent> {
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
function scenarioArb(platform: Platform) {
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

const anyDecisionArb = platformArb.chain((platform) =>
  fc.record({ scenario: scenarioArb(platform), intent: intentArb(platform), withCards: fc.boolean() }),
)

function contextOf(
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

describe('decide: properties', () => {
  it('never opens a window without a message from the user, and refuses every session message', () => {
    fc.assert(
      fc.property(
        platformArb.chain((platform) =>
          fc.record({
            platform: fc.constant(platform),
            at: instantArb,
            events: fc.array(fc.tuple(offsetArb, fc.oneof(outboundArb(platform), inboundArb(noticeTypeArb)))),
            settings: settingsArb,
          }),
        ),
        ({ platform, at, events, settings }) => {
          const history = events.map(([offset, make]) => make(at + offset))
          expect(windowAt(platform, history, at, settings).state).toBe('closed')
          const intents: Intent[] =
            platform === 'whatsapp'
              ? WHATSAPP_SESSION_TYPES.map((type) => sessionMessage(type))
              : [messengerMessage('RESPONSE'), messengerMessage('UPDATE')]
          for (const intent of intents) {
            const decision = decide(intent, { history, settings }, at)
            expect(decision.allowed).toBe(false)
            expect(decision.reason).toBe(
              platform === 'whatsapp' ? 'WINDOW_CLOSED' : 'OUTSIDE_MESSENGER_WINDOW',
            )
          }
        },
      ),
    )
  })

  it('keeps the window open for every instant in [t, t + 24 h) after a message at t, and closed at t + 24 h', () => {
    fc.assert(
      fc.property(
        platformArb.chain((platform) =>
          fc.record({
            platform: fc.constant(platform),
            t: instantArb,
            // Earlier user messages (never from a 7-day Messenger ad) and business messages at any time.
            earlier: fc.array(
              fc.tuple(
                fc.integer({ min: 1, max: 5 * DAY_MS }),
                inboundArb(userTypeArb, fc.constantFrom(null, 'link')),
              ),
            ),
            sent: fc.array(
              fc.tuple(fc.integer({ min: -5 * DAY_MS, max: 2 * DAY_MS }), outboundArb(platform)),
            ),
            elapsed: fc.integer({ min: 0, max: DAY_MS - 1 }),
            settings: settingsArb,
          }),
        ),
        ({ platform, t, earlier, sent, elapsed, settings }) => {
          const history = [
            userMessage(t),
            ...earlier.map(([before, make]) => make(t - before)),
            ...sent.map(([offset, make]) => make(t + offset)),
          ]
          expect(windowAt(platform, history, t + elapsed, settings)).toMatchObject({
            state: 'open',
            expiresAt: t + DAY_MS,
          })
          expect(windowAt(platform, history, t + DAY_MS, settings).state).toBe('closed')
          const reply = platform === 'whatsapp' ? sessionMessage() : messengerMessage('RESPONSE')
          expect(decide(reply, { history, settings }, t + elapsed).allowed).toBe(true)
          if (platform === 'whatsapp')
            expect(decide(reply, { history, settings }, t + DAY_MS).reason).toBe('WINDOW_CLOSED')
        },
      ),
    )
  })

  it('never prices a refusal, always bills an allowed message, and prices every allowed WhatsApp message from the cards', () => {
    fc.assert(
      fc.property(anyDecisionArb, ({ scenario, intent, withCards }) => {
        const decision = decide(intent, contextOf(scenario, withCards), scenario.at)
        if (!decision.allowed) {
          expect(decision.billing).toBeNull()
          return
        }
        expect(decision.billing).not.toBeNull()
        const isPriced = intent.platform === 'whatsapp' && withCards
        expect(decision.billing.price !== null).toBe(isPriced)
      }),
      { numRuns: 300 },
    )
  })

  it('is deterministic and does not depend on the order of events at distinct instants', () => {
    fc.assert(
      fc.property(
        anyDecisionArb.chain(({ scenario, intent }) =>
          fc
            .shuffledSubarray(scenario.history, {
              minLength: scenario.history.length,
              maxLength: scenario.history.length,
            })
            .map((shuffled) => ({ scenario, intent, shuffled })),
        ),
        ({ scenario, intent, shuffled }) => {
          const decision = decide(intent, contextOf(scenario), scenario.at)
          expect(decide(intent, contextOf(scenario), scenario.at)).toEqual(decision)
          expect(decide(intent, { ...contextOf(scenario), history: shuffled }, scenario.at)).toEqual(decision)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never closes an open window or moves its end earlier when a user message is added, however late it arrives', () => {
    fc.assert(
      fc.property(
        platformArb.chain((platform) =>
          fc.record({
            platform: fc.constant(platform),
            scenario: scenarioArb(platform),
            added: fc.tuple(fc.integer({ min: -10 * DAY_MS, max: 0 }), inboundArb(userTypeArb)),
          }),
        ),
        ({ platform, scenario, added: [offset, make] }) => {
          const { at, history, settings } = scenario
          const before = windowAt(platform, history, at, settings)
          const after = windowAt(platform, [...history, make(at + offset)], at, settings)
          if (before.state === 'open') {
            expect(after.state).toBe('open')
            expect(after.expiresAt).toBeGreaterThanOrEqual(before.expiresAt!)
          }
          const state = foldHistory(platform, history, at, settings)
          const late = applyEvent(state, platform, make(at + offset), settings)
          const newest =
            state.lastUserMessageAt === null ? at + offset : Math.max(state.lastUserMessageAt, at + offset)
          expect(late.lastUserMessageAt).toBe(newest)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('grants the Messenger +1 at most once per user message, and never from the cut-off on', () => {
    const start = MESSENGER_POLICY_CHANGE_BRIEF - 30 * DAY_MS
    fc.assert(
      fc.property(
        fc.record({
          steps: fc.array(
            fc.tuple(
              fc.integer({ min: 1, max: 3 * DAY_MS }),
              fc.constantFrom('user', 'page', 'page', 'page'),
            ),
            { maxLength: 25 },
          ),
          settings: fc.constantFrom(
            policySettings(),
            policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META }),
          ),
        }),
        ({ steps, settings }) => {
          const history: ContactEvent[] = []
          let at = start
          let plusOnesSinceUserMessage = 0
          for (const [gap, who] of steps) {
            at += gap
            if (who === 'user') {
              history.push(userMessage(at))
              plusOnesSinceUserMessage = 0
              continue
            }
            const decision = decide(messengerMessage('RESPONSE'), { history, settings }, at)
            if (decision.reason === 'PLUS_ONE') {
              plusOnesSinceUserMessage += 1
              expect(at).toBeLessThan(settings.messengerPolicyChangeAt)
            }
            expect(plusOnesSinceUserMessage).toBeLessThanOrEqual(1)
            if (decision.allowed) history.push(delivered(decision))
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never lets a bot send HUMAN_AGENT', () => {
    fc.assert(
      fc.property(scenarioArb('messenger'), (scenario) => {
        const decision = decide(
          messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'),
          contextOf(scenario),
          scenario.at,
        )
        expect(decision).toMatchObject({ allowed: false, reason: 'HUMAN_AGENT_NOT_HUMAN' })
      }),
    )
  })

  it('explains every decision in 2–3 sentences that cite only catalogue rules, including a deciding one', () => {
    fc.assert(
      fc.property(anyDecisionArb, ({ scenario, intent, withCards }) => {
        const decision = decide(intent, contextOf(scenario, withCards), scenario.at)
        const text = explain(decision, scenario.settings)
        const sentences = text.split(/(?<=[.!?])\s+/)
        expect(sentences.length).toBeGreaterThanOrEqual(2)
        expect(sentences.length).toBeLessThanOrEqual(3)
        const cited = [...text.matchAll(/\b(?:CCW|MSG|TPL|PRC|FEP|OPT)-[A-Z0-9-]*[A-Z0-9]\b/g)].map(
          (m) => m[0],
        )
        expect(cited.filter((rule) => !(RULE_IDS as readonly string[]).includes(rule))).toEqual([])
        expect(cited.some((rule) => (decision.rules as readonly string[]).includes(rule))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('gives the brief’s refusal for a plain template without opt-in at any instant after the window closed', () => {
    const last = parseInstant('2024-03-01T10:00:00Z')!
    fc.assert(
      fc.property(fc.integer({ min: last + DAY_MS, max: UNTIL }), (at) => {
        const decision = decide(
          templateMessage('account_notice'),
          { history: [userMessage(last)], templates: CATALOG },
          at,
        )
        expect(explain(decision)).toBe(
          "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record, and the customer’s own message is not one (CCW-5). An Issue Resolution template may be sent without opt-in (CCW-7).",
        )
      }),
    )
  })

  it('allows every session message and every approved, well-formed template inside the window when no consent stands in the way', () => {
    fc.assert(
      fc.property(
        scenarioArb('whatsapp'),
        intentArb('whatsapp'),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        (scenario, intent, elapsed) => {
          const history = [
            ...scenario.history.filter((event) => event.at <= scenario.at - DAY_MS),
            userMessage(scenario.at),
          ]
          const decision = decide(
            intent,
            { ...contextOf(scenario), history, consent: [] },
            scenario.at + elapsed,
          )
          const isBrokenTemplate =
            intent.kind === 'template' && ['paused_notice', 'no_such'].includes(intent.template.name)
          expect(decision.allowed).toBe(!isBrokenTemplate)
          expect(decision.window.state).toBe('open')
        },
      ),
    )
  })
})
