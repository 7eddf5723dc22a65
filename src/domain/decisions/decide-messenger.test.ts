import { describe, expect, it } from 'vitest'
import {
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  MESSENGER_TAG_RETIREMENT,
  policySettings,
} from '../settings.js'
import { delivered, M_2021, M_LAST, messengerMessage, titled, userMessage } from '../testing/builders.js'
import { decideAt, errorOf, messengerSent, META_CUT_OFF } from '../testing/decide-fixtures.js'
import { DAY_MS, HOUR_MS } from '../time.js'
import { explain } from './explain.js'

describe('decide: Messenger', () => {
  const history = [userMessage(M_LAST)]
  const closedAt = M_LAST + DAY_MS

  it('allows a reply and an UPDATE inside the standard window (MSG-1)', () => {
    for (const messagingType of ['RESPONSE', 'UPDATE'] as const) {
      const decision = decideAt(messengerMessage(messagingType), M_LAST + HOUR_MS, { history })
      expect(decision).toMatchObject({ allowed: true, reason: 'IN_STANDARD_WINDOW', rules: ['MSG-1'] })
    }
  })

  it('allows one +1 after the window before the cut-off and refuses a second (MSG-2)', () => {
    const first = decideAt(messengerMessage('RESPONSE'), closedAt, { history })
    expect(first).toMatchObject({ allowed: true, reason: 'PLUS_ONE', rules: ['MSG-2'] })
    const second = decideAt(messengerMessage('UPDATE'), closedAt + HOUR_MS, {
      history: [...history, delivered(first)],
    })
    expect(second).toMatchObject({ allowed: false, reason: 'PLUS_ONE_USED', rules: ['MSG-2', 'MSG-3'] })
    expect(errorOf(second)).toEqual({ code: 10, subcode: 2018278 })
  })

  it('gives a new +1 after the user writes again', () => {
    const used = [...history, messengerSent(closedAt)]
    const wroteAgain = [...used, userMessage(closedAt + HOUR_MS)]
    expect(
      decideAt(messengerMessage('RESPONSE'), closedAt + 2 * HOUR_MS, { history: wroteAgain }).reason,
    ).toBe('IN_STANDARD_WINDOW')
    expect(
      decideAt(messengerMessage('RESPONSE'), closedAt + HOUR_MS + DAY_MS, { history: wroteAgain }).reason,
    ).toBe('PLUS_ONE')
  })

  it('does not use up the +1 with a tagged message', () => {
    const tagged = [...history, messengerSent(closedAt, 'MESSAGE_TAG', 'HUMAN_AGENT')]
    expect(decideAt(messengerMessage('RESPONSE'), closedAt + HOUR_MS, { history: tagged }).reason).toBe(
      'PLUS_ONE',
    )
  })

  it.each(
    titled(
      (row) => `ends the +1 at ${row.setting}`,
      [
        {
          setting: 'the brief’s cut-off (2020-01-15, default)',
          settings: policySettings(),
          cutOff: MESSENGER_POLICY_CHANGE_BRIEF,
        },
        {
          setting: 'Meta’s cut-off (2020-03-04)',
          settings: META_CUT_OFF,
          cutOff: MESSENGER_POLICY_CHANGE_META,
        },
      ],
    ),
  )('%s', (_title, { settings, cutOff }) => {
    const wrote = [userMessage(cutOff - 3 * DAY_MS)]
    expect(decideAt(messengerMessage('RESPONSE'), cutOff - 1, { history: wrote, settings }).reason).toBe(
      'PLUS_ONE',
    )
    const after = decideAt(messengerMessage('RESPONSE'), cutOff, { history: wrote, settings })
    expect(after).toMatchObject({
      allowed: false,
      reason: 'OUTSIDE_MESSENGER_WINDOW',
      rules: ['MSG-1', 'MSG-2', 'MSG-3'],
    })
    expect(errorOf(after)).toEqual({ code: 10, subcode: 2018278 })
  })

  it('still allows the +1 between 2020-01-15 and 2020-03-04 with Meta’s cut-off', () => {
    const wrote = [userMessage(MESSENGER_POLICY_CHANGE_BRIEF - 3 * DAY_MS)]
    expect(
      decideAt(messengerMessage('RESPONSE'), MESSENGER_POLICY_CHANGE_BRIEF, {
        history: wrote,
        settings: META_CUT_OFF,
      }).reason,
    ).toBe('PLUS_ONE')
  })

  it('refuses an untagged message to a user who never wrote, without a +1 to mention', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_LAST, {})
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'OUTSIDE_MESSENGER_WINDOW',
      rules: ['MSG-1', 'MSG-3'],
    })
    expect(decision.allowed || decision.error.details).toBe(
      'The contact has never sent a message, so no window is open. Outside the window use messaging_type MESSAGE_TAG with a tag allowed at this date.',
    )
  })

  it('points to HUMAN_AGENT in the refusal while a person may still reply', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + 2 * DAY_MS, {
      history: [userMessage(M_2021)],
    })
    expect(decision.allowed || decision.error.details).toMatch(/\(HUMAN_AGENT, if a person is replying\)\.$/)
  })

  it('refuses MESSAGE_TAG without a tag', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', null), closedAt, { history })
    expect(decision).toMatchObject({ allowed: false, reason: 'TAG_MISSING', rules: ['MSG-3'] })
  })

  it('refuses an unknown tag, even inside the window', () => {
    expect(decideAt(messengerMessage('MESSAGE_TAG', 'SALE'), M_LAST + HOUR_MS, { history }).reason).toBe(
      'TAG_UNKNOWN',
    )
  })

  it.each(
    titled(
      (row) => `answers ${row.reason} to the legacy tag SHIPPING_UPDATE ${row.when}`,
      [
        { when: 'before the cut-off', at: MESSENGER_POLICY_CHANGE_BRIEF - 1, reason: 'MESSAGE_TAG' },
        { when: 'at the cut-off', at: MESSENGER_POLICY_CHANGE_BRIEF, reason: 'TAG_NOT_ALLOWED' },
      ],
    ),
  )('%s', (_title, { at, reason }) => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'SHIPPING_UPDATE'), at, {
      history: [userMessage(at - 3 * DAY_MS)],
    })
    expect(decision.reason).toBe(reason)
  })

  it.each(['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'])(
    'accepts %s until 2026-04-27 and refuses it with error 100 from that instant',
    (tag) => {
      const wrote = [userMessage(MESSENGER_TAG_RETIREMENT - 3 * DAY_MS)]
      expect(
        decideAt(messengerMessage('MESSAGE_TAG', tag), MESSENGER_TAG_RETIREMENT - 1, { history: wrote }),
      ).toMatchObject({
        allowed: true,
        reason: 'MESSAGE_TAG',
        rules: ['MSG-3'],
      })
      const retired = decideAt(messengerMessage('MESSAGE_TAG', tag), MESSENGER_TAG_RETIREMENT, {
        history: wrote,
      })
      expect(retired).toMatchObject({ allowed: false, reason: 'TAG_NOT_ALLOWED', rules: ['MSG-3'] })
      expect(errorOf(retired)).toEqual({ code: 100, subcode: null })
    },
  )

  it('refuses a 2020 tag before the 2020 policy took effect', () => {
    expect(
      decideAt(messengerMessage('MESSAGE_TAG', 'POST_PURCHASE_UPDATE'), closedAt, { history }).reason,
    ).toBe('TAG_NOT_ALLOWED')
  })

  it('counts a tagged message inside the window as a message in the window', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + HOUR_MS, {
      history: [userMessage(M_2021)],
    })
    expect(decision).toMatchObject({ allowed: true, reason: 'IN_STANDARD_WINDOW' })
  })

  it.each(
    titled(
      (row) => `answers ${row.reason} to a human agent on day ${row.day} after the user’s last message`,
      [
        { day: 6, reason: 'HUMAN_AGENT', allowed: true },
        { day: 8, reason: 'HUMAN_AGENT_EXPIRED', allowed: false },
      ],
    ),
  )('%s', (_title, { day, reason, allowed: isAllowed }) => {
    const decision = decideAt(
      messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'),
      M_2021 + day * DAY_MS,
      {
        history: [userMessage(M_2021)],
      },
    )
    expect(decision).toMatchObject({ allowed: isAllowed, reason, rules: ['MSG-3'] })
  })

  it('says when the HUMAN_AGENT horizon ended', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021 + 8 * DAY_MS, {
      history: [userMessage(M_2021)],
    })
    expect(decision.allowed || decision.error.details).toBe(
      "HUMAN_AGENT replies are allowed until 7 days after the user's last message; that ended at 2021-06-08 10:00 UTC.",
    )
  })

  it('refuses HUMAN_AGENT to a user who never wrote', () => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'agent'), M_2021, {})
    expect(decision).toMatchObject({ allowed: false, reason: 'HUMAN_AGENT_EXPIRED' })
    expect(decision.allowed || decision.error.details).toBe(
      'The user has never messaged this Page, so there is nothing a human agent can reply to.',
    )
  })

  it.each(
    titled(
      (row) => `refuses HUMAN_AGENT from a bot ${row.when}`,
      [
        { when: 'inside the window', at: M_2021 + HOUR_MS },
        { when: 'on day 3', at: M_2021 + 3 * DAY_MS },
      ],
    ),
  )('%s', (_title, { at }) => {
    const decision = decideAt(messengerMessage('MESSAGE_TAG', 'HUMAN_AGENT', 'bot'), at, {
      history: [userMessage(M_2021)],
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'HUMAN_AGENT_NOT_HUMAN' })
    expect(errorOf(decision)).toEqual({ code: 100, subcode: null })
  })

  it('cites MSG-AD for a reply inside a 7-day ad window', () => {
    const decision = decideAt(messengerMessage('RESPONSE'), M_2021 + 3 * DAY_MS, {
      history: [userMessage(M_2021, { referral: 'ad' })],
    })
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'IN_STANDARD_WINDOW',
      rules: ['MSG-1', 'MSG-AD'],
    })
  })

  it('replays a 2019 conversation under 2019 rules and the same conversation in 2021 under 2021 rules', () => {
    const offset = M_2021 - M_LAST
    const conversation = (shift: number) => [userMessage(M_LAST + shift)]
    const intents = [
      messengerMessage('RESPONSE'),
      messengerMessage('MESSAGE_TAG', 'SHIPPING_UPDATE'),
      messengerMessage('MESSAGE_TAG', 'POST_PURCHASE_UPDATE'),
    ]
    const reasonsAt = (shift: number) =>
      intents.map((intent) => decideAt(intent, closedAt + shift, { history: conversation(shift) }).reason)
    expect(reasonsAt(0)).toEqual(['PLUS_ONE', 'MESSAGE_TAG', 'TAG_NOT_ALLOWED'])
    expect(reasonsAt(offset)).toEqual(['OUTSIDE_MESSENGER_WINDOW', 'TAG_NOT_ALLOWED', 'MESSAGE_TAG'])
  })

  it('judges a 2019 instant by 2019 rules however late it is replayed', () => {
    const wholeHistory = [...history, userMessage(M_2021)]
    expect(decideAt(messengerMessage('RESPONSE'), closedAt, { history: wholeHistory }).reason).toBe(
      'PLUS_ONE',
    )
  })
})

describe('decide: Messenger auto-tag (a channel setting)', () => {
  const history = [userMessage(M_2021)]
  const autoTag = policySettings({ autoTagHumanAgent: true })
  const agentReply = messengerMessage('RESPONSE', null, 'agent')

  it('turns a person’s late reply into MESSAGE_TAG / HUMAN_AGENT and says so (MSG-3)', () => {
    const decision = decideAt(agentReply, M_2021 + 2 * DAY_MS, { history, settings: autoTag })
    expect(decision).toMatchObject({
      allowed: true,
      reason: 'HUMAN_AGENT',
      rules: ['MSG-3'],
      autoTagged: true,
      sent: { type: 'messenger', messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    })
    expect(explain(decision)).toContain('carewindow added the tag itself')
  })

  it.each([
    ['inside the window', M_2021 + HOUR_MS, 'IN_STANDARD_WINDOW'],
    ['after the 7-day horizon', M_2021 + 7 * DAY_MS, 'OUTSIDE_MESSENGER_WINDOW'],
  ])('leaves a reply %s alone', (_label, at, reason) => {
    const decision = decideAt(agentReply, at, { history, settings: autoTag })
    expect(decision.reason).toBe(reason)
    expect(decision.allowed && decision.autoTagged).toBeFalsy()
  })

  it('never tags a bot’s reply', () => {
    const decision = decideAt(messengerMessage('RESPONSE', null, 'bot'), M_2021 + 2 * DAY_MS, {
      history,
      settings: autoTag,
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'OUTSIDE_MESSENGER_WINDOW' })
  })

  it('does nothing unless the channel opted in', () => {
    expect(decideAt(agentReply, M_2021 + 2 * DAY_MS, { history }).reason).toBe('OUTSIDE_MESSENGER_WINDOW')
  })

  it('uses the +1 rather than a tag while the +1 exists', () => {
    const decision = decideAt(agentReply, M_LAST + 2 * DAY_MS, {
      history: [userMessage(M_LAST)],
      settings: autoTag,
    })
    expect(decision).toMatchObject({ allowed: true, reason: 'PLUS_ONE' })
  })
})
