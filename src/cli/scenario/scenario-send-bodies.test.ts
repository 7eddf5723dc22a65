import { describe, expect, it } from 'vitest'
import {
  CONTACT,
  PSID,
  messenger,
  problemsOf,
  scenarioOf,
  whatsapp,
  whatsappText,
} from './testing/scenario-files.js'

describe('parseScenario', () => {
  it('takes a send body without messaging_product and "to": the recipient is the event\'s contact', () => {
    const scenario = scenarioOf(
      whatsapp([
        {
          at: '2024-03-01T10:05:00Z',
          type: 'send',
          contact: '+31 6 1234 5678',
          message: { type: 'text', text: { body: 'Hi!' } },
        },
        {
          at: '2024-03-02T11:00:00Z',
          type: 'send',
          contact: CONTACT,
          message: { type: 'template', template: { name: 'ticket_update', language: { code: 'en' } } },
        },
      ]),
    )
    expect(scenario.events.map((event) => event.type === 'send' && event.intent)).toEqual([
      { platform: 'whatsapp', kind: 'session', messageType: 'text' },
      {
        platform: 'whatsapp',
        kind: 'template',
        template: { name: 'ticket_update', language: { code: 'en' } },
      },
    ])
    // The body is kept as written: the scenario fills in the recipient only to check it.
    expect(scenario.events[0]).toMatchObject({ message: { type: 'text', text: { body: 'Hi!' } } })
  })

  it('takes a Messenger send body without a recipient', () => {
    const scenario = scenarioOf(
      messenger([
        {
          at: '2024-03-01T10:00:00Z',
          type: 'send',
          contact: PSID,
          sender: 'agent',
          message: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Hi' } },
        },
        { at: '2024-03-01T10:01:00Z', type: 'send', contact: PSID, message: { sender_action: 'typing_on' } },
      ]),
    )
    expect(scenario.events.map((event) => event.type === 'send' && event.intent)).toEqual([
      {
        platform: 'messenger',
        kind: 'message',
        messagingType: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        sender: 'agent',
      },
      null,
    ])
  })

  it('reports send body problems under events[i].message with their paths, for every bad send', () => {
    expect(
      problemsOf(
        whatsapp([
          { at: '2024-03-01T10:00:00Z', type: 'inbound', contact: CONTACT },
          {
            at: '2024-03-01T10:01:00Z',
            type: 'send',
            contact: CONTACT,
            message: { ...whatsappText(), messaging_product: 'sms' },
          },
          {
            at: '2024-03-01T10:02:00Z',
            type: 'send',
            contact: CONTACT,
            message: { type: 'image' },
          },
          {
            at: '2024-03-01T10:03:00Z',
            type: 'send',
            contact: CONTACT,
            message: { type: 'template', template: { name: 'x', language: {}, components: 'none' } },
          },
        ]),
      ),
    ).toEqual([
      'events[1].message.messaging_product: "sms" is not "whatsapp"; leave it out and the scenario fills it in',
      'events[2].message: a image message needs a "image" object',
      expect.stringMatching(/^events\[3\]\.message\.template\.language\.code: /),
      expect.stringMatching(/^events\[3\]\.message\.template\.components: /),
    ])
  })

  it('reports a Messenger body problem under events[i].message', () => {
    expect(
      problemsOf(
        messenger([
          {
            at: '2024-03-01T10:00:00Z',
            type: 'send',
            contact: PSID,
            message: { recipient: { id: PSID }, message: { text: 'Hi' } },
          },
        ]),
      ),
    ).toEqual([expect.stringMatching(/^events\[0\]\.message: "messaging_type" is required/)])
  })

  it('refuses a WhatsApp send whose "to" is not the event\'s contact, with one clear problem', () => {
    expect(
      problemsOf(
        whatsapp([
          {
            at: '2024-03-01T10:00:00Z',
            type: 'send',
            contact: CONTACT,
            message: whatsappText('+31 6 9999 9999'),
          },
        ]),
      ),
    ).toEqual([
      `events[0].message.to: "+31 6 9999 9999" is not the event's contact (${CONTACT}); leave "to" out to send to the contact`,
    ])
  })

  it.each([
    ['a message', { recipient: { id: '111' }, messaging_type: 'RESPONSE', message: { text: 'Hi' } }],
    ['a sender action', { recipient: { id: 111 }, sender_action: 'mark_seen' }],
  ])("refuses a Messenger send (%s) whose recipient.id is not the event's contact", (_name, message) => {
    expect(
      problemsOf(messenger([{ at: '2024-03-01T10:00:00Z', type: 'send', contact: PSID, message }])),
    ).toEqual([
      `events[0].message.recipient.id: "111" is not the event's contact (${PSID}); leave "recipient" out to send to the contact`,
    ])
  })

  it('lists the problems of the whole file at once: its schema, every send body, several in one event', () => {
    expect(
      problemsOf({
        channel: { platform: 'whatsapp', id: '106540352242922' },
        events: [
          { at: '2024-03-01 10:00', type: 'inbound', contact: CONTACT },
          { at: 'yesterday', type: 'send', contact: CONTACT, message: { to: '31600000000', type: 'video' } },
          { at: '2024-03-01T10:02:00Z', type: 'send', contact: CONTACT, message: { type: 'text' } },
          { at: '2024-03-01T10:03:00Z', type: 'send', contact: CONTACT, message: { type: 'fax' } },
        ],
        extra: true,
      }),
    ).toEqual([
      expect.stringMatching(/^events\[0\]\.at: "2024-03-01 10:00" is not an ISO 8601 instant/),
      expect.stringMatching(/^events\[1\]\.at: "yesterday" is not an ISO 8601 instant/),
      expect.stringMatching(/^events\[1\]\.message\.to: "31600000000" is not the event's contact/),
      'events[1].message: a video message needs a "video" object',
      'events[2].message: a text message needs a "text" object',
      expect.stringMatching(/^events\[3\]\.message: type "fax" is not a message type; use one of /),
      'Unrecognized key: "extra"',
    ])
  })

  it('still checks a send body whose event has no contact, without a recipient problem', () => {
    expect(
      problemsOf(
        whatsapp([{ at: '2024-03-01T10:00:00Z', type: 'send', contact: '', message: { type: 'image' } }]),
      ),
    ).toEqual([
      'events[0].contact: contact is the wa_id (phone number) or Messenger PSID',
      'events[0].message: a image message needs a "image" object',
    ])
  })
})
