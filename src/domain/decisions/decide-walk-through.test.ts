import { describe, expect, it } from 'vitest'
import { EMPTY_CONSENT } from '../consent/consent-ledger.js'
import { delivered, LAST, sessionMessage, templateMessage, userMessage } from '../testing/builders.js'
import { decideAt, TICKET_UPDATE } from '../testing/decide-fixtures.js'
import { HOUR_MS, MINUTE_MS, parseInstant } from '../time.js'
import type { ContactEvent } from '../windows/contact-events.js'

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
