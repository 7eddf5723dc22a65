import { DAY_MS, HOUR_MS } from '../time.js'
import { M_2021, M_LAST, messengerMessage, userMessage } from './builders.js'
import { decideAt, messengerSent } from './decide-fixtures.js'
import { allowed, graph, type RuleCase } from './decide-rule-cases.js'

/**
 * Messenger's part of the table of decisions that cites every rule id of SPEC §1 and §2 (decide-rules.test.ts):
 * the standard window, the +1, message tags and the ad window.
 */
export const MESSENGER_RULE_CASES: readonly RuleCase[] = [
  {
    rule: 'MSG-1',
    behaviour: 'allows a Messenger reply inside the standard window',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_2021 + HOUR_MS, { history: [userMessage(M_2021)] }),
    reason: 'IN_STANDARD_WINDOW',
    error: allowed,
  },
  {
    rule: 'MSG-1',
    behaviour: 'refuses an untagged Messenger message after the standard window',
    decision: () => decideAt(messengerMessage('UPDATE'), M_2021 + DAY_MS, { history: [userMessage(M_2021)] }),
    reason: 'OUTSIDE_MESSENGER_WINDOW',
    error: graph(10, 2018278),
  },
  {
    rule: 'MSG-2',
    behaviour: 'allows one more untagged message after the window, before the cut-off',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_LAST + DAY_MS, { history: [userMessage(M_LAST)] }),
    reason: 'PLUS_ONE',
    error: allowed,
  },
  {
    rule: 'MSG-2',
    behaviour: 'refuses a second untagged message after the window',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_LAST + DAY_MS + HOUR_MS, {
        history: [userMessage(M_LAST), messengerSent(M_LAST + DAY_MS)],
      }),
    reason: 'PLUS_ONE_USED',
    error: graph(10, 2018278),
  },
  {
    rule: 'MSG-3',
    behaviour: 'allows a message with a tag accepted at that date outside the window',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'POST_PURCHASE_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'MESSAGE_TAG',
    error: allowed,
  },
  {
    rule: 'MSG-3',
    behaviour: 'allows a human agent’s HUMAN_AGENT reply within 7 days',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 6 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'HUMAN_AGENT',
    error: allowed,
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses MESSAGE_TAG without a tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG'), M_2021 + 2 * DAY_MS, { history: [userMessage(M_2021)] }),
    reason: 'TAG_MISSING',
    error: graph(100),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses an unknown tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'PROMOTION'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'TAG_UNKNOWN',
    error: graph(100),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses a retired tag',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'SHIPPING_UPDATE'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'TAG_NOT_ALLOWED',
    error: graph(100),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses HUMAN_AGENT 8 days after the user’s last message',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 8 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'HUMAN_AGENT_EXPIRED',
    error: graph(10, 2018278),
  },
  {
    rule: 'MSG-3',
    behaviour: 'refuses HUMAN_AGENT from a bot',
    decision: () =>
      decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'), M_2021 + 2 * DAY_MS, {
        history: [userMessage(M_2021)],
      }),
    reason: 'HUMAN_AGENT_NOT_HUMAN',
    error: graph(100),
  },
  {
    rule: 'MSG-AD',
    behaviour: 'allows a Messenger reply 6 days after a message from a click-to-Messenger ad',
    decision: () =>
      decideAt(messengerMessage('RESPONSE'), M_2021 + 6 * DAY_MS, {
        history: [userMessage(M_2021, { referral: 'ad' })],
      }),
    reason: 'IN_STANDARD_WINDOW',
    error: allowed,
  },
]
