import { describe, expect, it } from 'vitest'
import { policySettings } from '../settings.js'
import { CLOSED, templateMessage, userMessage } from '../testing/builders.js'
import { decideAt } from '../testing/explain-fixtures.js'
import { parseInstant } from '../time.js'
import { explain } from './explain.js'

describe('explain', () => {
  describe('the brief’s example', () => {
    const history = [userMessage(parseInstant('2024-03-01T10:00:00Z')!)]
    const expected =
      "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record, and the customer’s own message is not one (CCW-5). An Issue Resolution template may be sent without opt-in (CCW-7)."

    it.each([
      '2024-03-02T10:00:00Z',
      '2024-03-02T10:00:00.001Z',
      '2024-06-01T00:00:00Z',
      '2026-12-31T23:59:59Z',
    ])('refuses a plain template without opt-in at %s with the brief’s words', (instant) => {
      const decision = decideAt(templateMessage('account_notice'), parseInstant(instant)!, { history })
      expect(explain(decision)).toBe(expected)
    })

    it('leaves out the CCW-5 clause for a contact who never wrote', () => {
      expect(explain(decideAt(templateMessage('account_notice'), CLOSED, {}))).toBe(
        'Refused: the contact has never written, so no customer care window is open (CCW-1). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record. An Issue Resolution template may be sent without opt-in (CCW-7).',
      )
    })

    it('says when Issue Resolution templates without opt-in are switched off', () => {
      const decision = decideAt(templateMessage('ticket_followup'), CLOSED, {
        history,
        settings: policySettings({ issueResolutionWithoutOptIn: false }),
      })
      expect(explain(decision)).toBe(
        "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6); no opt-in is on record, and the customer’s own message is not one (CCW-5). Issue Resolution templates without opt-in are switched off for this channel (CCW-7).",
      )
    })
  })
})
