import { describe, expect, it } from 'vitest'
import { checkScenarioSend, locate } from './scenario-send.js'

describe('locate', () => {
  it('splits joined schema issues back into one problem per path', () => {
    expect(locate('template.name: too long; template.components[0].type: required')).toEqual([
      { path: 'template.name', message: 'too long' },
      { path: 'template.components[0].type', message: 'required' },
    ])
  })

  it('keeps a sentence that merely contains "; " whole, about the body itself', () => {
    const details = 'type "fax" is not a message type; use one of text, image'
    expect(locate(details)).toEqual([{ path: '', message: details }])
  })
})

describe('checkScenarioSend', () => {
  it('fills in the WhatsApp recipient and product, and accepts them when they agree with the contact', () => {
    const intent = { platform: 'whatsapp', kind: 'session', messageType: 'text' }
    const text = { type: 'text', text: { body: 'Hi' } }
    expect(checkScenarioSend('whatsapp', text, '31612345678', 'bot')).toEqual({ ok: true, intent })
    expect(
      checkScenarioSend(
        'whatsapp',
        { ...text, messaging_product: 'whatsapp', to: '+31 6 1234 5678' },
        '31612345678',
        'bot',
      ),
    ).toEqual({ ok: true, intent })
  })

  it('takes WhatsApp\'s "recipient" as the recipient when "to" is absent', () => {
    expect(
      checkScenarioSend(
        'whatsapp',
        { recipient: 'US.13491208655302741918', type: 'text', text: {} },
        '31612345678',
        'bot',
      ),
    ).toEqual({
      ok: false,
      problems: [
        {
          path: 'recipient',
          message: `"US.13491208655302741918" is not the event's contact (31612345678); leave "recipient" out to send to the contact`,
        },
      ],
    })
  })

  it('passes the sender on to a Messenger intent', () => {
    expect(
      checkScenarioSend(
        'messenger',
        { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Hi' } },
        '2487329847239847',
        'agent',
      ),
    ).toEqual({
      ok: true,
      intent: {
        platform: 'messenger',
        kind: 'message',
        messagingType: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        sender: 'agent',
      },
    })
  })
})
