import { describe, expect, it } from 'vitest'
import { runScenario } from './run-scenario.js'
import { parseScenario, type Scenario } from './scenario.js'

const CONTACT = '31612345678'
const PSID = '2487329847239847'

function scenarioOf(input: unknown): Scenario {
  const parsed = parseScenario(input)
  if (!parsed.ok) throw new Error(`expected a valid scenario:\n${parsed.problems.join('\n')}`)
  return parsed.scenario
}

const TEMPLATES = [
  { name: 'autumn_sale', language: 'en', category: 'MARKETING', body: 'Our autumn sale starts today.' },
  { name: 'delivery_update', language: 'en', category: 'UTILITY', body: 'Your order ships today.' },
]

function whatsapp(events: unknown[], settings: Record<string, unknown> = {}) {
  return scenarioOf({
    channel: { platform: 'whatsapp', id: '106540352242922', settings },
    templates: TEMPLATES,
    events,
  })
}

function messenger(events: unknown[]) {
  return scenarioOf({ channel: { platform: 'messenger', id: '682498302938465', settings: {} }, events })
}

const inbound = (at: string, message?: unknown, extra: Record<string, unknown> = {}) => ({
  at,
  type: 'inbound',
  contact: CONTACT,
  ...(message === undefined ? {} : { message }),
  ...extra,
})
const sendText = (at: string, contact = CONTACT) => ({
  at,
  type: 'send',
  contact,
  message: { messaging_product: 'whatsapp', to: contact, type: 'text', text: { body: 'Hello' } },
})
const sendTemplate = (at: string, name: string) => ({
  at,
  type: 'send',
  contact: CONTACT,
  message: {
    messaging_product: 'whatsapp',
    to: CONTACT,
    type: 'template',
    template: { name, language: { code: 'en' } },
  },
})
const messengerInbound = (at: string, message: unknown = { text: 'Is my table confirmed?' }, extra = {}) => ({
  at,
  type: 'inbound',
  contact: PSID,
  message,
  ...extra,
})
const messengerSend = (at: string, messagingType: string, tag?: string) => ({
  at,
  type: 'send',
  contact: PSID,
  message: {
    recipient: { id: PSID },
    messaging_type: messagingType,
    ...(tag === undefined ? {} : { tag }),
    message: { text: 'Hello' },
  },
})

const reasons = (scenario: Scenario) => runScenario(scenario).map(({ decision }) => decision.reason)

describe('runScenario', () => {
  it('decides every send at its instant and names the event and contact it answers', () => {
    const decisions = runScenario(
      whatsapp([
        inbound('2025-09-01T09:00:00Z'),
        sendText('2025-09-01T09:05:00Z'),
        sendText('2025-09-02T09:00:00Z'),
      ]),
    )
    expect(
      decisions.map(({ eventIndex, contact, decision }) => [eventIndex, contact, decision.reason]),
    ).toEqual([
      [1, CONTACT, 'IN_CARE_WINDOW'],
      [2, CONTACT, 'WINDOW_CLOSED'],
    ])
    expect(decisions[0]?.decision.at).toBe(Date.parse('2025-09-01T09:05:00Z'))
  })

  it('keeps each contact to its own window', () => {
    const other = '4915112345678'
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z'),
          sendText('2025-09-01T09:05:00Z', other),
          sendText('2025-09-01T09:06:00Z'),
        ]),
      ),
    ).toEqual(['WINDOW_CLOSED', 'IN_CARE_WINDOW'])
  })

  it('replays events in time order, whatever their order in the file', () => {
    expect(reasons(whatsapp([sendText('2025-09-01T09:05:00Z'), inbound('2025-09-01T09:00:00Z')]))).toEqual([
      'IN_CARE_WINDOW',
    ])
  })

  it('opts the contact out of marketing when an inbound message is a stop keyword', () => {
    const decisions = runScenario(
      whatsapp([
        inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: 'Stop!' } }),
        sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        sendTemplate('2025-09-01T09:02:00Z', 'delivery_update'),
        sendText('2025-09-01T09:03:00Z'),
      ]),
    )
    expect(decisions.map(({ decision }) => decision.reason)).toEqual([
      'OPTED_OUT',
      'IN_CARE_WINDOW',
      'IN_CARE_WINDOW',
    ])
    expect(decisions[0]?.decision.consent.marketing).toEqual({
      state: 'opted_out',
      since: Date.parse('2025-09-01T09:00:00Z'),
      scope: 'marketing',
      source: 'keyword',
    })
  })

  it('reads stop keywords from button taps too', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'button', button: { text: 'STOP', payload: 'stop' } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        ]),
      ),
    ).toEqual(['OPTED_OUT'])
  })

  it("uses the channel's own stop keywords and scope", () => {
    const settings = { stop_keywords: ['HALT'], stop_keyword_scope: 'all' }
    const decisions = runScenario(
      whatsapp(
        [
          inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: 'STOP' } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
          inbound('2025-09-01T09:02:00Z', { type: 'text', text: { body: 'halt' } }),
          sendTemplate('2025-09-01T09:03:00Z', 'delivery_update'),
        ],
        settings,
      ),
    )
    expect(decisions[0]?.decision.allowed).toBe(true)
    expect(decisions[1]?.decision).toMatchObject({ allowed: false, error: { code: 131050 } })
    expect(decisions[1]?.decision.consent.revokedAllAt).toBe(Date.parse('2025-09-01T09:02:00Z'))
  })

  it('does not read a longer message that mentions stop as an opt-out', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: "Please don't stop the delivery" } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        ]),
      ),
    ).toEqual(['IN_CARE_WINDOW'])
  })

  it('fills the consent ledger from optin and optout events', () => {
    const scenario = whatsapp([
      inbound('2025-09-01T09:00:00Z'),
      {
        at: '2025-09-01T10:00:00Z',
        type: 'optin',
        contact: CONTACT,
        scope: 'marketing',
        source: 'website_form',
        evidence: 'form v3',
        actor: 'shop',
      },
      sendTemplate('2025-09-03T09:00:00Z', 'autumn_sale'),
      sendTemplate('2025-09-03T09:01:00Z', 'delivery_update'),
      { at: '2025-09-03T10:00:00Z', type: 'optout', contact: CONTACT, scope: 'marketing' },
      sendTemplate('2025-09-03T10:01:00Z', 'autumn_sale'),
    ])
    const decisions = runScenario(scenario)
    expect(decisions.map(({ decision }) => decision.reason)).toEqual([
      'OPTED_IN_TEMPLATE',
      'NO_OPT_IN',
      'OPTED_OUT',
    ])
    expect(decisions[0]?.decision.consent.marketing).toEqual({
      state: 'opted_in',
      since: Date.parse('2025-09-01T10:00:00Z'),
      scope: 'marketing',
      source: 'website_form',
    })
    expect(decisions[2]?.decision.consent.marketing).toMatchObject({ state: 'opted_out', source: 'api' })
  })

  it('applies an opt-in only from its instant on', () => {
    expect(
      reasons(
        whatsapp([
          sendTemplate('2025-09-01T09:00:00Z', 'delivery_update'),
          { at: '2025-09-01T09:00:00.001Z', type: 'optin', contact: CONTACT, scope: 'utility' },
          sendTemplate('2025-09-01T09:00:00.001Z', 'delivery_update'),
        ]),
      ),
    ).toEqual(['NO_OPT_IN', 'OPTED_IN_TEMPLATE'])
  })

  it('produces no decision for a mark-as-read body, and it does not open the window', () => {
    const decisions = runScenario(
      whatsapp([
        {
          at: '2025-09-01T09:00:00Z',
          type: 'send',
          contact: CONTACT,
          message: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' },
        },
        sendText('2025-09-01T09:01:00Z'),
      ]),
    )
    expect(decisions.map(({ eventIndex, decision }) => [eventIndex, decision.reason])).toEqual([
      [1, 'WINDOW_CLOSED'],
    ])
  })

  it('opens a free entry point for a customer who came from a click-to-WhatsApp ad', () => {
    const decisions = runScenario(
      whatsapp([
        inbound(
          '2025-10-06T08:00:00Z',
          { type: 'text', text: { body: 'More info?' } },
          { referral: { source_type: 'ad' } },
        ),
        sendText('2025-10-06T09:00:00Z'),
        sendText('2025-10-06T09:01:00Z'),
      ]),
    )
    expect(decisions.map(({ decision }) => decision.window.type)).toEqual([
      'free_entry_point',
      'free_entry_point',
    ])
    expect(decisions[1]?.decision.window.freeEntryPointExpiresAt).toBe(Date.parse('2025-10-09T09:00:00Z'))
  })

  it('replays an inbound message whose text is not a string without failing, and scans nothing', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: 42 } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        ]),
      ),
    ).toEqual(['IN_CARE_WINDOW'])
    expect(
      reasons(
        messenger([
          messengerInbound('2021-11-04T09:00:00Z', { text: ['STOP'] }),
          messengerSend('2021-11-04T09:01:00Z', 'RESPONSE'),
        ]),
      ),
    ).toEqual(['IN_STANDARD_WINDOW'])
  })

  it('never opens a window for a system message', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'system', system: { body: 'Number changed' } }),
          sendText('2025-09-01T09:01:00Z'),
        ]),
      ),
    ).toEqual(['WINDOW_CLOSED'])
  })

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

  it('gives the same decisions every time it runs', () => {
    const scenario = whatsapp([inbound('2025-09-01T09:00:00Z'), sendText('2025-09-01T09:05:00Z')])
    expect(runScenario(scenario)).toEqual(runScenario(scenario))
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
