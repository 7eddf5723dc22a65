import { describe, expect, it } from 'vitest'
import { RULE_IDS } from '../rules.js'
import { MESSENGER_TAG_RETIREMENT, policySettings } from '../settings.js'
import {
  businessMessage,
  CLOSED,
  LAST,
  M_2021,
  M_LAST,
  messengerMessage,
  optIn,
  optOut,
  sessionMessage,
  templateMessage,
  titled,
  userMessage,
} from '../testing/builders.js'
import { decideAt, PRICED, sentences } from '../testing/explain-fixtures.js'
import { DAY_MS, HOUR_MS } from '../time.js'
import { ALLOW_REASONS, REFUSAL_REASONS, type Decision } from './decision.js'
import { explain } from './explain.js'

function citedRules(text: string): string[] {
  return [...text.matchAll(/\b(?:CCW|MSG|TPL|PRC|FEP|OPT|MSG)-[A-Z0-9-]*[A-Z0-9]\b/g)].map(
    (match) => match[0],
  )
}

/** One decision for every reason `decide` can give. */
const DECISIONS: readonly { readonly what: string; readonly decision: () => Decision }[] = [
  {
    what: 'a reply inside the window',
    decision: () => decideAt(sessionMessage(), LAST + HOUR_MS, { history: [userMessage(LAST)], ...PRICED }),
  },
  {
    what: 'an opted-in template after the window',
    decision: () =>
      decideAt(templateMessage('spring_sale'), CLOSED, {
        history: [userMessage(LAST)],
        consent: [optIn('marketing', LAST)],
        ...PRICED,
      }),
  },
  {
    what: 'an Issue Resolution template after the window',
    decision: () => decideAt(templateMessage('ticket_followup'), CLOSED, { history: [userMessage(LAST)] }),
  },
  {
    what: 'a Messenger reply inside the window',
    decision: () => decideAt(messengerMessage(), M_2021 + HOUR_MS, { history: [userMessage(M_2021)] }),
  },
  {
    what: 'a Messenger +1',
    decision: () => decideAt(messengerMessage(), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] }),
  },
  {
    what: 'a tagged Messenger message',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'ACCOUNT_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'a human agent’s reply',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'free-form text after the window',
    decision: () => decideAt(sessionMessage(), CLOSED, { history: [userMessage(LAST)] }),
  },
  {
    what: 'a template without opt-in after the window',
    decision: () => decideAt(templateMessage('account_notice'), CLOSED, { history: [userMessage(LAST)] }),
  },
  {
    what: 'a marketing template after a marketing opt-out',
    decision: () =>
      decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('marketing', LAST - DAY_MS)],
      }),
  },
  {
    what: 'a reply after the contact revoked all consent',
    decision: () =>
      decideAt(sessionMessage(), LAST + 2 * HOUR_MS, {
        history: [userMessage(LAST)],
        consent: [optOut('all', LAST + HOUR_MS)],
      }),
  },
  { what: 'an unknown template', decision: () => decideAt(templateMessage('nope'), LAST) },
  { what: 'a rejected template', decision: () => decideAt(templateMessage('pending_notice'), LAST) },
  { what: 'a paused template', decision: () => decideAt(templateMessage('paused_notice'), LAST) },
  { what: 'a disabled template', decision: () => decideAt(templateMessage('disabled_notice'), LAST) },
  {
    what: 'a template without its parameter',
    decision: () => decideAt(templateMessage('order_shipped'), LAST),
  },
  {
    what: 'a template with a malformed parameter',
    decision: () => decideAt(templateMessage('order_shipped', ['line\nbreak']), LAST),
  },
  {
    what: 'an untagged Messenger message after the window',
    decision: () => decideAt(messengerMessage(), M_2021 + DAY_MS, { history: [userMessage(M_2021)] }),
  },
  {
    what: 'a second Messenger +1',
    decision: () =>
      decideAt(messengerMessage(), M_LAST + DAY_MS + HOUR_MS, {
        history: [
          userMessage(M_LAST),
          businessMessage(M_LAST + DAY_MS, { type: 'messenger', messagingType: 'RESPONSE', tag: null }),
        ],
      }),
  },
  {
    what: 'HUMAN_AGENT after 7 days',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 8 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'HUMAN_AGENT from a bot',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'MESSAGE_TAG without a tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG'), M_2021 + 2 * DAY_MS, { history: [userMessage(M_2021)] }),
  },
  {
    what: 'an unknown tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'SALE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
  },
  {
    what: 'a retired tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'ACCOUNT_UPDATE'), MESSENGER_TAG_RETIREMENT, {
        history: [userMessage(MESSENGER_TAG_RETIREMENT - 2 * DAY_MS)],
      }),
  },
]

describe('explain', () => {
  it('has an example for every reason', () => {
    const reasons = new Set(DECISIONS.map(({ decision }) => decision().reason))
    expect([...ALLOW_REASONS, ...REFUSAL_REASONS].filter((reason) => !reasons.has(reason))).toEqual([])
  })

  it.each(titled((row) => `explains ${row.what} in 2–3 sentences that cite the deciding rules`, DECISIONS))(
    '%s',
    (_title, { decision: make }) => {
      const decision = make()
      const text = explain(decision)
      expect(text.startsWith(decision.allowed ? 'Allowed: ' : 'Refused: ')).toBe(true)
      expect(sentences(text).length).toBeGreaterThanOrEqual(2)
      expect(sentences(text).length).toBeLessThanOrEqual(3)
      const cited = citedRules(text)
      expect(cited.filter((rule) => !(RULE_IDS as readonly string[]).includes(rule))).toEqual([])
      expect(cited.some((rule) => (decision.rules as readonly string[]).includes(rule))).toBe(true)
    },
  )

  it('uses the default settings when none are given', () => {
    const decision = decideAt(messengerMessage(), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] })
    expect(explain(decision)).toBe(explain(decision, policySettings()))
  })
})
