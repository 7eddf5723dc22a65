import { describe, expect, it } from 'vitest'
import { whatsappInbound, whatsappReferralSource, type WhatsAppInboundMessage } from './inbound-message.js'

const AT = Date.parse('2025-06-18T19:46:32Z')

// The `messages[0]` entries of reference §2.3.
const textMessage = {
  from: '16505551234',
  id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
  timestamp: '1749416383',
  type: 'text',
  text: { body: 'Does it come in another color?' },
}
const clickToWhatsAppAd = {
  referral: {
    source_url: 'https://fb.me/3cr4Wqqkv',
    source_id: '120226305854810726',
    source_type: 'ad',
    body: 'Summer Succulents are here!',
    headline: 'Chat with us',
    media_type: 'image',
    image_url: 'https://scontent.xx.fbcdn.net/v/t45.1...',
    ctwa_clid:
      'Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHemvuSoifXaytfTzcchptiErTKCqTrJ5nW1h7IHYeYymGb5K5J5iTROpBhWAGaIAeUzHL50',
    welcome_message: { text: 'Hi there! Let us know how we can help!' },
  },
  from: '16505551234',
  id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=',
  timestamp: '1750275992',
  text: { body: 'Can I get more info about this?' },
  type: 'text',
}
const quickReplyButton = {
  context: { from: '16505553333', id: 'wamid.gBGGFlCGg0cvAgkLFm4e9tICiTI' },
  from: '16315551234',
  id: 'wamid.ABGGFlCGg0cvAgo-sHWxBA2VFD_S',
  timestamp: '1603087229',
  type: 'button',
  button: { text: 'No', payload: 'No-Button-Payload' },
}

describe('whatsappInbound', () => {
  it.each([
    ['a text message', textMessage, 'text', 'Does it come in another color?'],
    ['a quick-reply button tap on a template', quickReplyButton, 'button', 'No'],
    [
      'an interactive button reply',
      {
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'stop', title: 'STOP' } },
      },
      'interactive',
      'STOP',
    ],
    [
      'an interactive list reply',
      {
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'n1', title: 'Harbour' } },
      },
      'interactive',
      'Harbour',
    ],
  ])('reads %s as an inbound event with its text', (_name, message, messageType, text) => {
    expect(whatsappInbound(message, AT)).toEqual({
      event: { kind: 'inbound', at: AT, referral: null, messageType },
      text,
    })
  })

  it('gives the click-to-WhatsApp ad example an ad referral (FEP-1)', () => {
    expect(whatsappInbound(clickToWhatsAppAd, AT)).toEqual({
      event: { kind: 'inbound', at: AT, referral: 'ad', messageType: 'text' },
      text: 'Can I get more info about this?',
    })
  })

  it.each([
    ['post', 'cta'],
    ['something_new', 'link'],
  ])('gives a referral with source_type %j the referral %j', (sourceType, referral) => {
    const message = {
      ...clickToWhatsAppAd,
      referral: { ...clickToWhatsAppAd.referral, source_type: sourceType },
    }
    expect(whatsappInbound(message, AT).event.referral).toBe(referral)
  })

  it('keeps a system message as its message type and has no text to scan', () => {
    const message = { type: 'system', system: { body: 'User changed number', type: 'user_changed_number' } }
    expect(whatsappInbound(message, AT)).toEqual({
      event: { kind: 'inbound', at: AT, referral: null, messageType: 'system' },
      text: null,
    })
  })

  it.each([
    ['an image', { type: 'image', image: { id: '1', mime_type: 'image/jpeg' } }, 'image'],
    ['a reaction', { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } }, 'reaction'],
  ])('reads %s without text', (_name, message, messageType) => {
    expect(whatsappInbound(message, AT)).toEqual({
      event: { kind: 'inbound', at: AT, referral: null, messageType },
      text: null,
    })
  })

  it('treats a message without type as text, as scenario files may leave it out', () => {
    expect(whatsappInbound({ text: { body: 'Hi' } }, AT).event.messageType).toBe('text')
  })

  it('ignores text fields that are not strings instead of scanning them', () => {
    const message = { type: 'text', text: { body: 42 } } as unknown as WhatsAppInboundMessage
    expect(whatsappInbound(message, AT).text).toBeNull()
  })
})

describe('whatsappReferralSource', () => {
  it.each([
    ['ad', 'ad'],
    ['post', 'cta'],
    ['unknown', 'link'],
    [undefined, 'link'],
  ])('maps source_type %j to %j', (sourceType, source) => {
    expect(whatsappReferralSource(sourceType)).toBe(source)
  })
})
