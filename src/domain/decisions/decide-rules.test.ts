import { describe, expect, it } from 'vitest'
import { EMPTY_CONSENT } from '../consent/consent-ledger.js'
import { RULE_IDS } from '../rules.js'
import { policySettings } from '../settings.js'
import {
  businessMessage,
  CLOSED,
  delivered,
  LAST,
  sessionMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt, errorOf } from '../testing/decide-fixtures.js'
import { MESSENGER_RULE_CASES } from '../testing/decide-messenger-rule-cases.js'
import { WHATSAPP_RULE_CASES } from '../testing/decide-rule-cases.js'
import { HOUR_MS } from '../time.js'
import { foldHistory } from '../windows/contact-state.js'
import { ALLOW_REASONS, REFUSAL_REASONS } from './decision.js'

/** At least one decision citing each rule id of SPEC §1 and §2. */
const RULE_CASES = [...WHATSAPP_RULE_CASES, ...MESSENGER_RULE_CASES]

describe('decide: every rule id of SPEC §1 and §2', () => {
  it.each(titled((row) => `${row.rule}: ${row.behaviour} (${row.reason})`, RULE_CASES))(
    '%s',
    (_title, { rule, decision: make, reason, error }) => {
      const decision = make()
      expect(decision.allowed).toBe(error === null)
      expect(decision.reason).toBe(reason)
      expect(decision.rules).toContain(rule)
      expect(errorOf(decision)).toEqual(error)
    },
  )

  it.each(RULE_IDS)('has a decision in the table above that cites %s', (rule) => {
    expect(RULE_CASES.filter((ruleCase) => ruleCase.decision().rules.includes(rule))).not.toHaveLength(0)
  })

  it('produces every allow and refusal reason in the table above', () => {
    const reasons = new Set(RULE_CASES.map((ruleCase) => ruleCase.decision().reason))
    expect([...ALLOW_REASONS, ...REFUSAL_REASONS].filter((reason) => !reasons.has(reason))).toEqual([])
  })

  it('cites only rules of the catalogue, each once', () => {
    for (const ruleCase of RULE_CASES) {
      const { rules } = ruleCase.decision()
      expect(rules.filter((rule) => !RULE_IDS.includes(rule))).toEqual([])
      expect(new Set(rules).size).toBe(rules.length)
    }
  })
})

describe('decide: inputs', () => {
  it('accepts a contact state folded up to the instant instead of the history', () => {
    const history = [userMessage(LAST), businessMessage(LAST + HOUR_MS)]
    const at = LAST + 2 * HOUR_MS
    const state = foldHistory('whatsapp', history, at, policySettings())
    expect(decideAt(sessionMessage(), at, { history: state })).toEqual(
      decideAt(sessionMessage(), at, { history }),
    )
  })

  it('records the instant, platform, window and consent it decided on', () => {
    const decision = decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)] })
    expect(decision).toMatchObject({
      at: LAST + HOUR_MS,
      platform: 'whatsapp',
      window: { state: 'open', expiresAt: CLOSED },
      consent: EMPTY_CONSENT,
      template: null,
    })
    expect(decision.allowed && decision.sent).toEqual({ type: 'session' })
  })

  it('leaves nothing to append to the history for a refused message', () => {
    const refused = decideAt(sessionMessage(), LAST, {})
    expect(() => delivered(refused)).toThrow('a refused message (WINDOW_CLOSED) is never sent')
  })
})
