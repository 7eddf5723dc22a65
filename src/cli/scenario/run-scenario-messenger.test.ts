import { describe, expect, it } from 'vitest'
import { runScenario } from './run-scenario.js'
import {
  CONTACT,
  PSID,
  inbound,
  messenger,
  messengerInbound,
  messengerSend,
  reasons,
  sendText,
  whatsapp,
} from './testing/scenario-events.js'

describe('runScenario', () => {
  it('lets the Messenger +1 be used once, because allowed sends enter the history (MSG-2)', () => {
    expect(
      reasons(
        messenger([
          messengerInbound('2019-11-04T09:00:00Z'),
          messengerSend('2019-11-06T12:00:00Z', 'UPDATE'),
          messengerSend('2019-11-07T12:00:00Z', 'UPDATE'),
        ]),
      ),
    ).toEqual(['PLUS_ONE', 'PLUS_ONE_USED'])
  })

  it('leaves the +1 unused when a send is refused', () => {
    expect(
      reasons(
        messenger([
          messengerInbound('2019-11-04T09:00:00Z'),
          messengerSend('2019-11-06T11:59:00Z', 'MESSAGE_TAG', 'NOT_A_TAG'),
          messengerSend('2019-11-06T12:00:00Z', 'UPDATE'),
        ]),
      ),
    ).toMatchObject([expect.stringMatching(/^TAG_/), 'PLUS_ONE'])
  })

  it('gives the +1 back when the user writes again', () => {
    expect(
      reasons(
        messenger([
          messengerInbound('2019-11-04T09:00:00Z'),
          messengerSend('2019-11-06T12:00:00Z', 'UPDATE'),
          messengerInbound('2019-11-07T09:00:00Z'),
          messengerSend('2019-11-09T12:00:00Z', 'UPDATE'),
        ]),
      ),
    ).toEqual(['PLUS_ONE', 'PLUS_ONE'])
  })

  it("ignores an echo of the Page's own message: it opens no window (MSG-1)", () => {
    expect(
      reasons(
        messenger([
          messengerInbound('2021-11-04T09:00:00Z', { text: 'We are open', is_echo: true }),
          messengerSend('2021-11-04T09:01:00Z', 'RESPONSE'),
        ]),
      ),
    ).toEqual(['OUTSIDE_MESSENGER_WINDOW'])
  })

  it('opens the 7-day ad window for a click-to-Messenger ad referral', () => {
    const decisions = runScenario(
      messenger([
        messengerInbound(
          '2021-11-04T09:00:00Z',
          { text: 'Hi' },
          { referral: { source: 'ADS', type: 'OPEN_THREAD' } },
        ),
        messengerSend('2021-11-10T09:00:00Z', 'UPDATE'),
      ]),
    )
    expect(decisions[0]?.decision).toMatchObject({ allowed: true, window: { type: 'messenger_ad' } })
  })

  it('produces no decision for a Messenger sender action', () => {
    expect(
      runScenario(
        messenger([
          messengerInbound('2021-11-04T09:00:00Z'),
          {
            at: '2021-11-04T09:01:00Z',
            type: 'send',
            contact: PSID,
            message: { recipient: { id: PSID }, sender_action: 'typing_on' },
          },
        ]),
      ),
    ).toEqual([])
  })

  it('lets only an agent use HUMAN_AGENT', () => {
    const send = (sender: string) => ({
      ...messengerSend('2021-11-06T12:00:00Z', 'MESSAGE_TAG', 'HUMAN_AGENT'),
      sender,
    })
    expect(
      reasons(messenger([messengerInbound('2021-11-04T09:00:00Z'), send('agent'), send('bot')])),
    ).toEqual(['HUMAN_AGENT', 'HUMAN_AGENT_NOT_HUMAN'])
  })
})

describe('runScenario: the conversation-based free tier', () => {
  const OTHER = '31612345679'
  const conversationWith = (contact: string, day: string) => [
    { ...inbound(`${day}T09:00:00Z`), contact },
    sendText(`${day}T09:05:00Z`, contact),
  ]

  it('counts a month’s conversations, then charges the ones beyond the free tier, and starts again next month', () => {
    const decisions = runScenario(
      whatsapp(
        [
          ...conversationWith(CONTACT, '2022-06-01'),
          ...conversationWith(OTHER, '2022-06-02'),
          ...conversationWith(CONTACT, '2022-07-01'),
        ],
        { free_tier_conversations_per_month: 1 },
      ),
    )
    expect(
      decisions.map(({ decision }) => (decision.allowed ? decision.billing.type : decision.reason)),
    ).toEqual(['free_tier', 'regular', 'free_tier'])
  })

  it('does not count messages inside a conversation that is already open', () => {
    const decisions = runScenario(
      whatsapp(
        [
          ...conversationWith(CONTACT, '2022-06-01'),
          sendText('2022-06-01T10:00:00Z'),
          ...conversationWith(OTHER, '2022-06-02'),
        ],
        { free_tier_conversations_per_month: 2 },
      ),
    )
    expect(
      decisions.map(({ decision }) => (decision.allowed ? decision.billing.type : decision.reason)),
    ).toEqual(['free_tier', 'in_conversation', 'free_tier'])
  })
})
