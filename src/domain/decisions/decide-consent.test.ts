import { describe, expect, it } from 'vitest'
import {
  consentAt,
  EMPTY_CONSENT,
  type ConsentEvent,
  type ConsentSnapshot,
} from '../consent/consent-ledger.js'
import {
  CLOSED,
  LAST,
  optIn,
  optOut,
  sessionMessage,
  templateMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt, errorOf, ISSUE_RESOLUTION_OFF, TICKET_UPDATE } from '../testing/decide-fixtures.js'
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../time.js'

describe('decide: consent', () => {
  const history = [userMessage(LAST)]
  const outside = CLOSED + HOUR_MS

  it('allows an opted-in template outside the window (CCW-6)', () => {
    const decision = decideAt(templateMessage('spring_sale'), outside, {
      history,
      consent: [optIn('marketing', LAST - DAY_MS, 'qr_code')],
    })
    expect(decision).toMatchObject({ allowed: true, reason: 'OPTED_IN_TEMPLATE' })
    expect(decision.rules).toContain('CCW-6')
    expect(decision.consent.marketing).toMatchObject({ state: 'opted_in', source: 'qr_code' })
  })

  it('counts an opt-in for everything for every category', () => {
    const consent = [optIn('all', LAST - DAY_MS)]
    expect(decideAt(templateMessage('login_code'), outside, { history, consent }).reason).toBe(
      'OPTED_IN_TEMPLATE',
    )
  })

  it('does not count an opt-in for another category', () => {
    const consent = [optIn('utility', LAST - DAY_MS)]
    expect(decideAt(templateMessage('spring_sale'), outside, { history, consent }).reason).toBe('NO_OPT_IN')
  })

  it('does not count an opt-in recorded after the instant', () => {
    const consent = [optIn('marketing', outside + 1)]
    expect(decideAt(templateMessage('spring_sale'), outside, { history, consent }).reason).toBe('NO_OPT_IN')
  })

  it('refuses a template without opt-in to a contact who wrote before, citing CCW-5', () => {
    const decision = decideAt(templateMessage('account_notice'), outside, { history })
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'NO_OPT_IN',
      rules: ['CCW-4', 'CCW-6', 'CCW-5'],
    })
    expect(decision.consent).toEqual(EMPTY_CONSENT)
    expect(errorOf(decision)).toEqual({ code: 100, subcode: null })
    expect(decision.allowed || decision.error.details).toBe(
      'The window closed at 2024-03-02 10:00 UTC. No utility opt-in is on record for this contact, so the template "account_notice" may not be sent (CCW-6). Record the contact’s opt-in, or send an Issue Resolution template to invite them back (CCW-7).',
    )
  })

  it('refuses a template without opt-in to a contact who never wrote, without CCW-5', () => {
    const decision = decideAt(templateMessage('account_notice'), outside, {})
    expect(decision).toMatchObject({ allowed: false, reason: 'NO_OPT_IN', rules: ['CCW-6'] })
    expect(decision.allowed || decision.error.details).toMatch(/^The contact has never sent a message/)
  })

  it.each(
    titled(
      (row) => `allows ${row.what} without opt-in (CCW-7)`,
      [
        {
          what: 'an Issue Resolution template',
          intent: templateMessage('ticket_followup'),
          libraryRule: false,
        },
        {
          what: 'a template of the legacy ISSUE_RESOLUTION category',
          intent: templateMessage('legacy_issue'),
          libraryRule: false,
        },
        { what: 'a shipped example Issue Resolution template', intent: TICKET_UPDATE, libraryRule: true },
      ],
    ),
  )('%s', (_title, { intent, libraryRule }) => {
    const decision = decideAt(intent, outside, { history })
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'ISSUE_RESOLUTION_TEMPLATE',
      template: { issueResolution: true },
    })
    expect(decision.rules.slice(0, 2)).toEqual(['CCW-7', 'TPL-STATUS'])
    expect(decision.rules.includes('TPL-1')).toBe(libraryRule)
  })

  it('refuses an Issue Resolution template without opt-in when the channel switched CCW-7 off', () => {
    const decision = decideAt(templateMessage('ticket_followup'), outside, {
      history,
      settings: ISSUE_RESOLUTION_OFF,
    })
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'NO_OPT_IN',
      rules: ['CCW-4', 'CCW-6', 'CCW-5', 'CCW-7'],
    })
    expect(decision.allowed || decision.error.details).toMatch(/switched off for this channel \(CCW-7\)\.$/)
  })

  it('still allows an opted-in Issue Resolution template when CCW-7 is switched off', () => {
    const decision = decideAt(templateMessage('ticket_followup'), outside, {
      history,
      settings: ISSUE_RESOLUTION_OFF,
      consent: [optIn('utility', LAST)],
    })
    expect(decision.reason).toBe('OPTED_IN_TEMPLATE')
  })

  it('refuses a marketing template to a contact who opted out of marketing, even inside the window (OPT-OUT)', () => {
    const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
      history,
      consent: [
        optIn('marketing', LAST - 2 * DAY_MS),
        optOut('marketing', LAST - DAY_MS, 'user_preferences'),
      ],
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'OPTED_OUT', rules: ['OPT-OUT'] })
    expect(errorOf(decision)).toEqual({ code: 131050, subcode: null })
    expect(decision.allowed || decision.error.details).toBe(
      'The contact opted out of marketing messages at 2024-02-29 10:00 UTC (source: user_preferences).',
    )
  })

  it('allows free-form replies and utility templates inside the window after a marketing opt-out', () => {
    const consent = [optOut('marketing', LAST - DAY_MS)]
    expect(decideAt(sessionMessage(), LAST + HOUR_MS, { history, consent }).allowed).toBe(true)
    expect(decideAt(templateMessage('account_notice'), LAST + HOUR_MS, { history, consent }).allowed).toBe(
      true,
    )
  })

  it('allows utility templates outside the window after a marketing opt-out, given a utility opt-in', () => {
    const consent = [optIn('all', LAST - 2 * DAY_MS), optOut('marketing', LAST - DAY_MS)]
    expect(decideAt(templateMessage('account_notice'), outside, { history, consent }).reason).toBe(
      'OPTED_IN_TEMPLATE',
    )
  })

  it('refuses a utility template outside the window to a contact who opted out of utility', () => {
    const consent = [optOut('utility', LAST - DAY_MS, 'api')]
    const decision = decideAt(templateMessage('account_notice'), outside, { history, consent })
    expect(decision).toMatchObject({ allowed: false, reason: 'OPTED_OUT', rules: ['CCW-6', 'OPT-OUT'] })
    expect(errorOf(decision)).toEqual({ code: 131050, subcode: null })
    expect(decision.allowed || decision.error.details).toMatch(
      /opted out of utility messages .* \(source: api\)\.$/,
    )
  })

  it('refuses even an Issue Resolution template to a contact who opted out of utility', () => {
    const consent = [optOut('utility', LAST - DAY_MS)]
    expect(decideAt(templateMessage('ticket_followup'), outside, { history, consent }).reason).toBe(
      'OPTED_OUT',
    )
  })

  it('allows a utility template inside the window to a contact who opted out of utility', () => {
    const consent = [optOut('utility', LAST - DAY_MS)]
    expect(decideAt(templateMessage('account_notice'), LAST + HOUR_MS, { history, consent }).reason).toBe(
      'IN_CARE_WINDOW',
    )
  })

  describe('a contact who revoked all consent', () => {
    const revokedAt = LAST + HOUR_MS
    const consent = [optIn('all', LAST - DAY_MS), optOut('all', revokedAt)]

    it.each(
      titled(
        (row) => `is refused ${row.what} until they write again`,
        [
          { what: 'free-form text', intent: sessionMessage() },
          { what: 'a template', intent: templateMessage('account_notice') },
          { what: 'an Issue Resolution template', intent: templateMessage('ticket_followup') },
        ],
      ),
    )('%s', (_title, { intent }) => {
      const decision = decideAt(intent, revokedAt + HOUR_MS, { history, consent })
      expect(decision).toMatchObject({ allowed: false, reason: 'CONSENT_REVOKED', rules: ['OPT-OUT'] })
      expect(errorOf(decision)).toEqual({ code: 131050, subcode: null })
      expect(decision.allowed || decision.error.details).toBe(
        'The contact revoked all consent at 2024-03-01 11:00 UTC; nothing may be sent until they write again or opt in.',
      )
    })

    it('is refused even when the stop message itself is the last thing they wrote', () => {
      const stop = userMessage(revokedAt, { messageType: 'text' })
      const decision = decideAt(sessionMessage(), revokedAt + MINUTE_MS, {
        history: [...history, stop],
        consent,
      })
      expect(decision.reason).toBe('CONSENT_REVOKED')
    })

    it('is answered again once they write since, inside the new window', () => {
      const wroteAgain = [...history, userMessage(revokedAt + 2 * HOUR_MS)]
      expect(
        decideAt(sessionMessage(), revokedAt + 3 * HOUR_MS, { history: wroteAgain, consent }).reason,
      ).toBe('IN_CARE_WINDOW')
      expect(
        decideAt(templateMessage('account_notice'), revokedAt + 3 * HOUR_MS, { history: wroteAgain, consent })
          .reason,
      ).toBe('IN_CARE_WINDOW')
    })

    it('is refused templates again once that new window closed', () => {
      const wroteAgain = [...history, userMessage(revokedAt + 2 * HOUR_MS)]
      const decision = decideAt(templateMessage('ticket_followup'), revokedAt + 2 * HOUR_MS + DAY_MS, {
        history: wroteAgain,
        consent,
      })
      expect(decision.reason).toBe('CONSENT_REVOKED')
    })

    it('may be sent templates again after a new opt-in', () => {
      const renewed = [...consent, optIn('utility', revokedAt + DAY_MS)]
      expect(
        decideAt(templateMessage('account_notice'), revokedAt + 2 * DAY_MS, { history, consent: renewed })
          .reason,
      ).toBe('OPTED_IN_TEMPLATE')
    })
  })

  it('leaves out the source of an opt-out that has none', () => {
    const consent: ConsentSnapshot = {
      ...EMPTY_CONSENT,
      marketing: { state: 'opted_out', since: LAST - DAY_MS, scope: 'marketing', source: null },
    }
    const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, { history, consent })
    expect(decision.allowed || decision.error.details).toBe(
      'The contact opted out of marketing messages at 2024-02-29 10:00 UTC.',
    )
  })

  it('accepts a consent snapshot taken at the instant instead of the ledger', () => {
    const ledger: ConsentEvent[] = [optIn('marketing', LAST - DAY_MS)]
    const fromLedger = decideAt(templateMessage('spring_sale'), outside, { history, consent: ledger })
    const fromSnapshot = decideAt(templateMessage('spring_sale'), outside, {
      history,
      consent: consentAt(ledger, outside),
    })
    expect(fromSnapshot).toEqual(fromLedger)
  })
})
