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
  templateMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt, errorOf, TICKET_UPDATE } from '../testing/decide-fixtures.js'
import { MESSENGER_RULE_CASES } from '../testing/decide-messenger-rule-cases.js'
import { WHATSAPP_RULE_CASES } from '../testing/decide-rule-cases.js'
import { HOUR_MS, MINUTE_MS, parseInstant } from '../time.js'
import type { ContactEvent } from '../windows/contact-events.js'
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

describe('decide: the brief’s walk-through', () => {
  it('refuses a plain template after the window, sends Issue Resolution, and re-opens on the answer (CCW-1…CCW-8)', () => {
    const hi = parseInstant('2024-03-01T09:00:00Z')!
    // The customer scans a QR code and sends "Hi": the window opens, no consent is given (CCW-1, CCW-5).
    const history: ContactEvent[] = [userMessage(hi, { referral: 'link' })]

    const reply = decideAt(sessionMessage(), hi + 5 * MINUTE_MS, { history })
    expect(reply).toMatchObject({ allowed: true, reason: 'IN_CARE_WINDOW', consent: EMPTY_CONSENT })
    history.push(delivered(reply))

    const later = hi + 25 * HOUR_MS
    const plain = decideAt(templateMessage('account_notice'), later, { history })
    expect(plain).toMatchObject({ allowed: false, reason: 'NO_OPT_IN', rules: ['CCW-4', 'CCW-6', 'CCW-5'] })
    expect(decideAt(sessionMessage(), later, { history }).reason).toBe('WINDOW_CLOSED')

    const invitation = decideAt(TICKET_UPDATE, later, { history })
    expect(invitation).toMatchObject({ allowed: true, reason: 'ISSUE_RESOLUTION_TEMPLATE' })
    expect(invitation.rules).toEqual(expect.arrayContaining(['CCW-7', 'TPL-1']))
    history.push(delivered(invitation))

    const answer = hi + 27 * HOUR_MS
    history.push(userMessage(answer, { messageType: 'button' }))

    const followUp = decideAt(sessionMessage(), answer + MINUTE_MS, { history })
    expect(followUp).toMatchObject({ allowed: true, reason: 'IN_CARE_WINDOW' })
    expect(followUp.rules).toContain('CCW-8')
    expect(followUp.window).toMatchObject({
      state: 'open',
      openedAt: answer,
      expiresAt: answer + 24 * HOUR_MS,
    })
  })

  it('does not cite CCW-8 inside the first window', () => {
    expect(decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)] }).rules).not.toContain(
      'CCW-8',
    )
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
