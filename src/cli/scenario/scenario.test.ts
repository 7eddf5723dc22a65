import { describe, expect, it } from 'vitest'
import {
  DEFAULT_POLICY_SETTINGS,
  MESSENGER_POLICY_CHANGE_META,
  SAMPLE_RATE_CARDS,
} from '../../domain/index.js'
import {
  CONTACT,
  PSID,
  at,
  messenger,
  problemsOf,
  scenarioOf,
  whatsapp,
  whatsappText,
} from './testing/scenario-files.js'

describe('parseScenario', () => {
  it('reads a WhatsApp scenario with defaults for what it leaves out', () => {
    const scenario = scenarioOf(
      whatsapp([
        { at: '2024-03-01T10:00:00Z', type: 'inbound', contact: CONTACT },
        { at: '2024-03-01T10:05:00Z', type: 'send', contact: CONTACT, message: whatsappText() },
        { at: '2024-03-01T10:06:00Z', type: 'optin', contact: CONTACT },
      ]),
    )
    expect(scenario).toMatchObject({
      description: null,
      platform: 'whatsapp',
      channelId: '106540352242922',
      settings: DEFAULT_POLICY_SETTINGS,
      templates: [],
      rateCards: [],
    })
    expect(scenario.events).toEqual([
      { index: 0, type: 'inbound', at: at('2024-03-01T10:00:00Z'), contact: CONTACT },
      {
        index: 1,
        type: 'send',
        at: at('2024-03-01T10:05:00Z'),
        contact: CONTACT,
        sender: 'bot',
        message: whatsappText(),
        intent: { platform: 'whatsapp', kind: 'session', messageType: 'text' },
      },
      {
        index: 2,
        type: 'optin',
        at: at('2024-03-01T10:06:00Z'),
        contact: CONTACT,
        scope: 'all',
        source: 'api',
      },
    ])
  })

  it('reads the description, settings, templates and sample rate cards', () => {
    const scenario = scenarioOf({
      description: 'The brief',
      channel: {
        platform: 'whatsapp',
        id: '106540352242922',
        settings: { issue_resolution_without_opt_in: false, stop_keywords: ['HALT'] },
      },
      templates: [
        {
          name: 'ticket_update',
          language: 'en',
          category: 'utility',
          issue_resolution: true,
          body: 'News on {{ticket_id}}',
        },
      ],
      rate_cards: 'sample',
      events: [{ at: '2024-03-01T10:00:00Z', type: 'inbound', contact: CONTACT }],
    })
    expect(scenario.description).toBe('The brief')
    expect(scenario.settings).toMatchObject({ issueResolutionWithoutOptIn: false, stopKeywords: ['HALT'] })
    expect(scenario.templates).toEqual([
      {
        name: 'ticket_update',
        language: 'en',
        category: 'UTILITY',
        status: 'APPROVED',
        issueResolution: true,
        body: 'News on {{ticket_id}}',
      },
    ])
    expect(scenario.rateCards).toBe(SAMPLE_RATE_CARDS)
  })

  it('reads a Messenger scenario: sends become intents with their sender, defaulting to bot', () => {
    const scenario = scenarioOf(
      messenger([
        {
          at: '2019-11-09T16:00:00Z',
          type: 'send',
          contact: PSID,
          sender: 'agent',
          message: {
            recipient: { id: PSID },
            messaging_type: 'MESSAGE_TAG',
            tag: 'HUMAN_AGENT',
            message: { text: 'Hi' },
          },
        },
        {
          at: '2019-11-09T16:01:00Z',
          type: 'send',
          contact: PSID,
          message: { recipient: { id: Number(PSID) }, messaging_type: 'RESPONSE', message: { text: 'Hi' } },
        },
      ]),
    )
    expect(scenario.settings.messengerPolicyChangeAt).toBe(MESSENGER_POLICY_CHANGE_META)
    expect(scenario.events.map((event) => event.type === 'send' && event.intent)).toEqual([
      {
        platform: 'messenger',
        kind: 'message',
        messagingType: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        sender: 'agent',
      },
      { platform: 'messenger', kind: 'message', messagingType: 'RESPONSE', tag: null, sender: 'bot' },
    ])
  })

  it('gives mark-as-read bodies and sender actions no intent, so they are never decided', () => {
    const markRead = scenarioOf(
      whatsapp([
        {
          at: '2024-03-01T10:00:00Z',
          type: 'send',
          contact: CONTACT,
          message: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' },
        },
      ]),
    )
    const typing = scenarioOf(
      messenger([
        {
          at: '2024-03-01T10:00:00Z',
          type: 'send',
          contact: PSID,
          message: { recipient: { id: PSID }, sender_action: 'typing_on' },
        },
      ]),
    )
    expect([markRead.events[0], typing.events[0]]).toMatchObject([{ intent: null }, { intent: null }])
  })

  it('normalises contacts and "to" alike, so a formatted number matches its wa_id', () => {
    const scenario = scenarioOf(
      whatsapp([
        {
          at: '2024-03-01T10:00:00Z',
          type: 'send',
          contact: '+31 6 1234 5678',
          message: whatsappText('31-612-345-678'),
        },
      ]),
    )
    expect(scenario.events[0]).toMatchObject({ contact: CONTACT, intent: { kind: 'session' } })
  })

  it('sorts events by time, keeping same-instant events in file order', () => {
    const scenario = scenarioOf(
      whatsapp([
        { at: '2024-03-01T12:00:00Z', type: 'inbound', contact: '31600000003' },
        { at: '2024-03-01T10:00:00Z', type: 'optout', contact: '31600000001' },
        { at: '2024-03-01T11:00:00+01:00', type: 'optin', contact: '31600000002' },
        { at: '2024-03-01T10:00:00.000Z', type: 'inbound', contact: '31600000004' },
        { at: '2024-03-01T09:00:00Z', type: 'inbound', contact: '31600000005' },
      ]),
    )
    expect(scenario.events.map((event) => [event.index, event.contact])).toEqual([
      [4, '31600000005'],
      [1, '31600000001'],
      [2, '31600000002'],
      [3, '31600000004'],
      [0, '31600000003'],
    ])
  })

  it('keeps the consent source, evidence and actor of optin and optout events', () => {
    const scenario = scenarioOf(
      whatsapp([
        {
          at: '2024-03-01T10:00:00Z',
          type: 'optout',
          contact: CONTACT,
          scope: 'marketing',
          source: 'qr_code',
          evidence: 'Form 3',
          actor: 'shop',
        },
      ]),
    )
    expect(scenario.events[0]).toEqual({
      index: 0,
      type: 'optout',
      at: at('2024-03-01T10:00:00Z'),
      contact: CONTACT,
      scope: 'marketing',
      source: 'qr_code',
      evidence: 'Form 3',
      actor: 'shop',
    })
  })

  it('lists every problem of the file, each with its path', () => {
    expect(
      problemsOf({
        channel: { platform: 'telegram', id: '' },
        templates: [{ name: 'Bad', language: 'en', category: 'UTILITY', body: 'x' }],
        rate_cards: [{ id: 'x', label: 'X', currency: 'usd', effective_from: '2024-01-01', rates: {} }],
        events: [
          { at: '2024-03-01T10:00:00Z', type: 'inbound', contact: CONTACT },
          { at: '2024-03-01 10:00', type: 'inbound', contact: CONTACT },
          { at: '2024-03-01T10:00:00Z', type: 'send', contact: '' },
          { at: '2024-03-01T10:00:00Z', type: 'optin', contact: CONTACT, scope: 'everything' },
          { at: '2024-03-01T10:00:00Z', type: 'call', contact: CONTACT },
          { at: '2024-03-01T10:00:00Z', type: 'inbound', contact: CONTACT, text: 'Hi' },
        ],
        extra: true,
      }),
    ).toEqual([
      'channel.platform: Invalid option: expected one of "whatsapp"|"messenger"',
      'channel.id: Too small: expected string to have >=1 characters',
      'templates[0].name: a template name is lowercase letters, digits and underscores',
      'rate_cards[0].currency: an ISO 4217 currency code such as "USD" or "EUR"',
      'events[1].at: "2024-03-01 10:00" is not an ISO 8601 instant with offset, e.g. 2024-03-01T10:00:00Z',
      'events[2].contact: contact is the wa_id (phone number) or Messenger PSID',
      'events[2].message: Invalid input: expected object, received undefined',
      'events[3].scope: Invalid option: expected one of "all"|"marketing"|"utility"|"authentication"',
      expect.stringMatching(/^events\[4\]\.type: /),
      'events[5]: Unrecognized key: "text"',
      'Unrecognized key: "extra"',
    ])
  })

  it.each([
    ['no events', { events: [] }, 'events: a scenario needs at least one event'],
    ['no channel', { channel: undefined }, 'channel: Invalid input: expected object, received undefined'],
    [
      'an unknown setting',
      { channel: { platform: 'whatsapp', id: '1', settings: { pricing2026: true } } },
      'channel.settings: Unrecognized key: "pricing2026"',
    ],
    [
      'an unknown sender',
      {
        events: [
          {
            at: '2024-03-01T10:00:00Z',
            type: 'send',
            contact: CONTACT,
            sender: 'human',
            message: whatsappText(),
          },
        ],
      },
      'events[0].sender:',
    ],
    [
      'a bad rate amount',
      {
        rate_cards: [
          {
            id: 'x',
            label: 'X',
            currency: 'USD',
            effective_from: '2024-01-01',
            rates: { NL: { marketing: '0.1234567' } },
          },
        ],
      },
      'rate_cards[0].rates.NL.marketing: "0.1234567" is not an amount',
    ],
  ])('rejects a scenario with %s', (_name, change, problem) => {
    const input = {
      ...whatsapp([{ at: '2024-03-01T10:00:00Z', type: 'inbound', contact: CONTACT }]),
      ...change,
    }
    expect(problemsOf(input).join('\n')).toContain(problem)
  })

  it('rejects input that is not an object', () => {
    expect(problemsOf([])).toEqual(['Invalid input: expected object, received array'])
  })
})
