import { describe, expect, it } from 'vitest'
import { messengerInbound, messengerReferralSource, type MessengerInboundMessage } from './inbound-event.js'

const AT = 1458692752478

// The `message` of the text message event in reference §5.6.
const textMessage = {
  mid: 'mid.1457764197618:41d102a3e1ae206a38',
  text: 'hello, world!',
  quick_reply: { payload: '<DEVELOPER_DEFINED_PAYLOAD>' },
}

describe('messengerInbound', () => {
  it('reads a text message as an inbound event with its text (MSG-1)', () => {
    expect(messengerInbound(textMessage, AT, undefined)).toEqual({
      event: { kind: 'inbound', at: AT, referral: null, messageType: 'message' },
      text: 'hello, world!',
    })
  })

  it('reads an attachment-only message without text', () => {
    const message: MessengerInboundMessage & Record<string, unknown> = {
      mid: 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c',
      attachments: [{ type: 'image', payload: { url: 'https://example.com/a.png' } }],
    }
    expect(messengerInbound(message, AT, undefined)?.text).toBeNull()
  })

  it("yields nothing for an echo of the Page's own message, which never opens a window", () => {
    expect(messengerInbound({ ...textMessage, is_echo: true }, AT, undefined)).toBeNull()
  })

  it('keeps the event type it is given, such as a postback', () => {
    expect(messengerInbound({}, AT, undefined, 'postback')?.event.messageType).toBe('postback')
  })

  it.each([
    ['ADS', 'ad'],
    ['SHORTLINK', 'link'],
    ['CUSTOMER_CHAT_PLUGIN', 'link'],
    [undefined, 'link'],
  ])('gives a referral with source %j the referral %j (MSG-AD)', (source, referral) => {
    expect(messengerInbound(textMessage, AT, { source })?.event.referral).toBe(referral)
  })

  it('ignores a text that is not a string instead of scanning it', () => {
    const message = { text: 42 } as unknown as MessengerInboundMessage
    expect(messengerInbound(message, AT, undefined)?.text).toBeNull()
  })
})

describe('messengerReferralSource', () => {
  it('earns the ad window only for click-to-Messenger ads', () => {
    expect([
      messengerReferralSource('ADS'),
      messengerReferralSource('ads'),
      messengerReferralSource(undefined),
    ]).toEqual(['ad', 'link', 'link'])
  })
})
