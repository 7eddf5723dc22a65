import { describe, expect, it } from 'vitest'

import { HOUR_MS, utcDate } from '../time.js'
import {
  CONSENT_CATEGORIES,
  EMPTY_CONSENT,
  consentAt,
  type ConsentEvent,
  type ConsentScope,
  type ConsentSnapshot,
} from './consent-ledger.js'

const T = utcDate('2024-03-01')

function optIn(scope: ConsentScope, at: number, source = 'website_form'): ConsentEvent {
  return {
    kind: 'opt_in',
    scope,
    source,
    evidence: 'Form v3: “Send me updates on WhatsApp”',
    actor: 'agent:7',
    at,
  }
}

function optOut(scope: ConsentScope, at: number, source = 'keyword'): ConsentEvent {
  return { kind: 'opt_out', scope, source, evidence: 'STOP', actor: 'contact', at }
}

function states(snapshot: ConsentSnapshot): Record<string, string> {
  return {
    marketing: snapshot.marketing.state,
    utility: snapshot.utility.state,
    authentication: snapshot.authentication.state,
  }
}

describe('CONSENT_CATEGORIES', () => {
  it("lists today's three WhatsApp template categories", () => {
    expect(CONSENT_CATEGORIES).toEqual(['marketing', 'utility', 'authentication'])
  })
})

describe('consentAt', () => {
  it('returns EMPTY_CONSENT for an empty ledger (CCW-5: nothing grants consent implicitly)', () => {
    expect(consentAt([], T)).toBe(EMPTY_CONSENT)
    expect(EMPTY_CONSENT).toEqual({
      marketing: { state: 'none', since: null, scope: null, source: null },
      utility: { state: 'none', since: null, scope: null, source: null },
      authentication: { state: 'none', since: null, scope: null, source: null },
      revokedAllAt: null,
    })
    expect(Object.isFrozen(EMPTY_CONSENT)).toBe(true)
  })

  it('has no consent before the first entry', () => {
    expect(consentAt([optIn('all', T)], T - HOUR_MS)).toEqual(EMPTY_CONSENT)
  })

  it.each([
    ['1 ms before the entry', T - 1, 'none'],
    ['exactly at the entry', T, 'opted_in'],
    ['1 ms after the entry', T + 1, 'opted_in'],
  ])('applies an entry from its own instant: %s', (_label, at, state) => {
    expect(consentAt([optIn('marketing', T)], at).marketing.state).toBe(state)
  })

  it('describes the status with the entry that set it', () => {
    expect(consentAt([optIn('utility', T, 'qr_code')], T + 1).utility).toEqual({
      state: 'opted_in',
      since: T,
      scope: 'utility',
      source: 'qr_code',
    })
  })

  it('applies a category entry to that category only', () => {
    expect(states(consentAt([optIn('marketing', T)], T))).toEqual({
      marketing: 'opted_in',
      utility: 'none',
      authentication: 'none',
    })
  })

  it('applies an all-scope entry to every category, reporting scope all', () => {
    const snapshot = consentAt([optIn('all', T)], T)
    expect(states(snapshot)).toEqual({
      marketing: 'opted_in',
      utility: 'opted_in',
      authentication: 'opted_in',
    })
    for (const category of CONSENT_CATEGORIES) expect(snapshot[category].scope).toBe('all')
  })

  it('lets the latest entry for a category win', () => {
    const ledger = [optIn('marketing', T), optOut('marketing', T + HOUR_MS)]
    expect(consentAt(ledger, T + HOUR_MS - 1).marketing.state).toBe('opted_in')
    expect(consentAt(ledger, T + HOUR_MS).marketing).toEqual({
      state: 'opted_out',
      since: T + HOUR_MS,
      scope: 'marketing',
      source: 'keyword',
    })
  })

  it('lets a later category entry override an earlier all-scope entry for that category only', () => {
    const snapshot = consentAt([optIn('all', T), optOut('marketing', T + 1)], T + 1)
    expect(states(snapshot)).toEqual({
      marketing: 'opted_out',
      utility: 'opted_in',
      authentication: 'opted_in',
    })
    expect(snapshot.utility.scope).toBe('all')
  })

  it('lets a later all-scope entry override earlier category entries', () => {
    const ledger = [optIn('marketing', T), optIn('utility', T + 1), optOut('all', T + 2)]
    expect(states(consentAt(ledger, T + 2))).toEqual({
      marketing: 'opted_out',
      utility: 'opted_out',
      authentication: 'opted_out',
    })
  })

  it('applies same-instant entries in ledger order', () => {
    const optInThenOut = [optIn('all', T), optOut('marketing', T)]
    const optOutThenIn = [optOut('marketing', T), optIn('all', T)]
    expect(consentAt(optInThenOut, T).marketing.state).toBe('opted_out')
    expect(consentAt(optOutThenIn, T).marketing.state).toBe('opted_in')
  })

  it('reads an unsorted ledger in time order', () => {
    const ledger = [optOut('marketing', T + 2 * HOUR_MS), optIn('marketing', T)]
    expect(consentAt(ledger, T + HOUR_MS).marketing.state).toBe('opted_in')
    expect(consentAt(ledger, T + 2 * HOUR_MS).marketing.state).toBe('opted_out')
  })

  it('keeps same-instant entries in ledger order when it sorts an unsorted ledger', () => {
    const ledger = [optIn('utility', T + HOUR_MS), optIn('all', T), optOut('marketing', T)]
    expect(states(consentAt(ledger, T))).toEqual({
      marketing: 'opted_out',
      utility: 'opted_in',
      authentication: 'opted_in',
    })
    const reversed = [optIn('utility', T + HOUR_MS), optOut('marketing', T), optIn('all', T)]
    expect(consentAt(reversed, T).marketing.state).toBe('opted_in')
  })

  it('does not reorder the ledger it is given', () => {
    const ledger = [optOut('marketing', T + 1), optIn('marketing', T)]
    const copy = [...ledger]
    consentAt(ledger, T + 1)
    expect(ledger).toEqual(copy)
  })

  describe('revokedAllAt', () => {
    it('is set by an all-scope opt-out', () => {
      expect(consentAt([optIn('all', T), optOut('all', T + 1)], T + 1).revokedAllAt).toBe(T + 1)
    })

    it('is not set before the all-scope opt-out', () => {
      expect(consentAt([optOut('all', T)], T - 1).revokedAllAt).toBeNull()
    })

    it('is not set by a category opt-out', () => {
      expect(consentAt([optOut('marketing', T)], T).revokedAllAt).toBeNull()
    })

    it('stays set through a later category opt-out', () => {
      expect(consentAt([optOut('all', T), optOut('marketing', T + 1)], T + 1).revokedAllAt).toBe(T)
    })

    it('moves to the latest all-scope opt-out', () => {
      expect(consentAt([optOut('all', T), optOut('all', T + HOUR_MS)], T + HOUR_MS).revokedAllAt).toBe(
        T + HOUR_MS,
      )
    })

    it('is cleared by a later all-scope opt-in', () => {
      const snapshot = consentAt([optOut('all', T), optIn('all', T + 1)], T + 1)
      expect(snapshot.revokedAllAt).toBeNull()
      expect(snapshot.marketing.state).toBe('opted_in')
    })

    it('is cleared by a later opt-in for one category, which leaves the others opted out', () => {
      const snapshot = consentAt([optOut('all', T), optIn('utility', T + 1)], T + 1)
      expect(snapshot.revokedAllAt).toBeNull()
      expect(states(snapshot)).toEqual({
        marketing: 'opted_out',
        utility: 'opted_in',
        authentication: 'opted_out',
      })
    })

    it('is still set at an instant before the opt-in that clears it', () => {
      expect(consentAt([optOut('all', T), optIn('utility', T + HOUR_MS)], T + HOUR_MS - 1).revokedAllAt).toBe(
        T,
      )
    })

    it('is set by an all-scope opt-out that follows category opt-ins', () => {
      expect(consentAt([optIn('marketing', T), optOut('all', T + 1)], T + 1).revokedAllAt).toBe(T + 1)
    })
  })
})
