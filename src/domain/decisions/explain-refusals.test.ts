import { describe, expect, it } from 'vitest'
import { MESSENGER_POLICY_CHANGE_META, policySettings } from '../settings.js'
import {
  businessMessage,
  CLOSED,
  LAST,
  M_2021,
  M_LAST,
  messengerMessage,
  optOut,
  sessionMessage,
  templateMessage,
  userMessage,
} from '../testing/builders.js'
import { decideAt } from '../testing/explain-fixtures.js'
import { DAY_MS, HOUR_MS } from '../time.js'
import { explain } from './explain.js'

describe('explain', () => {
  describe('refusals', () => {
    it('explains a closed window', () => {
      expect(explain(decideAt(sessionMessage(), CLOSED, { history: [userMessage(LAST)] }))).toBe(
        "Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after the customer's last message (CCW-4). Outside the window only templates the contact opted in to may be sent (CCW-6).",
      )
    })

    it('explains free-form text to a contact who never wrote', () => {
      expect(explain(decideAt(sessionMessage(), LAST))).toBe(
        'Refused: the contact has never written, so no customer care window is open (CCW-1). Outside the window only templates the contact opted in to may be sent (CCW-6).',
      )
    })

    it('explains the end of the Messenger window and of the +1', () => {
      const decision = decideAt(messengerMessage(), M_2021 + DAY_MS, { history: [userMessage(M_2021)] })
      expect(explain(decision)).toBe(
        'Refused: the Messenger standard window closed at 2021-06-02 10:00 UTC (MSG-1). The one extra message after the window (24+1) ended at 2020-01-15 00:00 UTC (MSG-2). Outside the window a message needs MESSAGE_TAG with a tag allowed at this date (MSG-3).',
      )
    })

    it('dates the end of the +1 from the settings it is given', () => {
      const settings = policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META })
      const decision = decideAt(messengerMessage(), M_2021 + DAY_MS, {
        history: [userMessage(M_2021)],
        settings,
      })
      expect(explain(decision, settings)).toContain('(24+1) ended at 2020-03-04 00:00 UTC (MSG-2)')
    })

    it('explains a Messenger message to a user who never wrote', () => {
      expect(explain(decideAt(messengerMessage(), M_2021))).toBe(
        'Refused: the user has never messaged this Page, so no standard window is open (MSG-1). Outside the window a message needs MESSAGE_TAG with a tag allowed at this date (MSG-3).',
      )
    })

    it('explains a second +1', () => {
      const decision = decideAt(messengerMessage(), M_LAST + DAY_MS + HOUR_MS, {
        history: [
          userMessage(M_LAST),
          businessMessage(M_LAST + DAY_MS, { type: 'messenger', messagingType: 'UPDATE', tag: null }),
        ],
      })
      expect(explain(decision)).toBe(
        'Refused: the Messenger standard window closed at 2019-12-02 10:00 UTC and the one extra message after it was already sent (MSG-2). Until the user writes again, use MESSAGE_TAG with an allowed tag (MSG-3).',
      )
    })

    it('quotes the details and the rules for the other refusals', () => {
      const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('marketing', LAST - DAY_MS, 'keyword')],
      })
      expect(explain(decision)).toBe(
        'Refused: The contact opted out of marketing messages at 2024-02-29 10:00 UTC (source: keyword) (OPT-OUT). The client receives Graph error 131050.',
      )
    })

    it('gives the subcode of a Messenger refusal', () => {
      const decision = decideAt(
        messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'),
        M_2021 + 8 * DAY_MS,
        {
          history: [userMessage(M_2021)],
        },
      )
      expect(explain(decision)).toBe(
        "Refused: HUMAN_AGENT replies are allowed until 7 days after the user's last message; that ended at 2021-06-08 10:00 UTC (MSG-3). The client receives Graph error 10 (subcode 2018278).",
      )
    })
  })
})
