import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DAY_MS, decide, explain, parseInstant, RULE_IDS } from '../index.js'
import { messengerMessage, templateMessage, userMessage } from '../testing/builders.js'
import { anyDecisionArb, CATALOG, contextOf, scenarioArb, UNTIL } from '../testing/decide-arbitraries.js'

// These properties go through the package's public entry point, as a library user would.

describe('decide: properties', () => {
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
})
