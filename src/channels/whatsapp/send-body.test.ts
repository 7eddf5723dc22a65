import { describe, expect, it } from 'vitest'
import { parseWhatsAppSend } from './send-body.js'

// The bodies of reference §1.2 (Meta's Postman collection and template docs), with a real recipient.
const TO = '16505551234'
const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO } as const

const textBody = { ...envelope, type: 'text', text: { preview_url: false, body: 'text-message-content' } }
const replyBody = {
  ...envelope,
  context: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=' },
  type: 'text',
  text: { preview_url: false, body: 'Thanks for your message' },
}
const imageById = { ...envelope, type: 'image', image: { id: '1339522734477770' } }
const imageByLink = { ...envelope, type: 'image', image: { link: 'https://example.com/image.png' } }

const currencyParameter = {
  type: 'currency',
  currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 },
}
const dateTimeParameter = {
  type: 'date_time',
  date_time: {
    fallback_value: 'February 25, 1977',
    day_of_week: 5,
    year: 1977,
    month: 2,
    day_of_month: 25,
    hour: 15,
    minute: 33,
    calendar: 'GREGORIAN',
  },
}
const positionalTemplate = {
  name: 'template_name',
  language: { code: 'en_US' },
  components: [
    {
      type: 'body',
      parameters: [{ type: 'text', text: 'text-string' }, currencyParameter, dateTimeParameter],
    },
  ],
}
const mediaHeaderTemplate = {
  name: 'template_name',
  language: { code: 'en_US' },
  components: [
    { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/header.png' } }] },
    {
      type: 'body',
      parameters: [{ type: 'text', text: 'text-string' }, currencyParameter, dateTimeParameter],
    },
    {
      type: 'button',
      sub_type: 'quick_reply',
      index: '0',
      parameters: [{ type: 'payload', payload: 'aGlzIHRoaXMgaXMgY29v' }],
    },
    {
      type: 'button',
      sub_type: 'quick_reply',
      index: '1',
      parameters: [{ type: 'payload', payload: '9rwnB8RbYmPF5t2Mn09x4h' }],
    },
  ],
}
const namedTemplate = {
  name: 'welcome_discount_template',
  language: { code: 'en_US' },
  components: [
    { type: 'header', parameters: [{ type: 'image', image: { id: '1339522734477770' } }] },
    {
      type: 'body',
      parameters: [
        { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
        { type: 'text', parameter_name: 'discount_code', text: 'WELCOME25' },
        { type: 'text', parameter_name: 'discount_amount', text: '25%' },
      ],
    },
  ],
}
const buttonsBody = {
  ...envelope,
  type: 'interactive',
  interactive: {
    type: 'button',
    body: { text: 'Did this solve your problem?' },
    action: {
      buttons: [
        { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
        { type: 'reply', reply: { id: 'no', title: 'No' } },
      ],
    },
  },
}
const listBody = {
  ...envelope,
  type: 'interactive',
  interactive: {
    type: 'list',
    header: { type: 'text', text: 'Opening hours' },
    body: { text: 'Pick a shop' },
    footer: { text: 'Updated daily' },
    action: {
      button: 'Shops',
      sections: [
        { title: 'North', rows: [{ id: 'n1', title: 'Harbour', description: '9–17' }] },
        { title: 'South', rows: [{ id: 's1', title: 'Station', description: '8–20' }] },
      ],
    },
  },
}

describe('parseWhatsAppSend', () => {
  it.each([
    ['a text message', textBody, 'text'],
    ['a reply to a message (with context)', replyBody, 'text'],
    ['an image by uploaded media id', imageById, 'image'],
    ['an image by link', imageByLink, 'image'],
    ['interactive reply buttons', buttonsBody, 'interactive'],
    ['an interactive list', listBody, 'interactive'],
  ])('reads %s as a session message of its type', (_name, body, messageType) => {
    expect(parseWhatsAppSend(body)).toEqual({
      ok: true,
      value: { kind: 'message', to: TO, intent: { platform: 'whatsapp', kind: 'session', messageType } },
    })
  })

  it.each([
    ['positional parameters with currency and date_time', positionalTemplate],
    ['a media header and quick-reply buttons', mediaHeaderTemplate],
    ['named parameters', namedTemplate],
  ])(
    'reads a template with %s as a template intent carrying the template object unchanged',
    (_name, template) => {
      expect(parseWhatsAppSend({ ...envelope, type: 'template', template })).toEqual({
        ok: true,
        value: { kind: 'message', to: TO, intent: { platform: 'whatsapp', kind: 'template', template } },
      })
    },
  )

  it('keeps the language policy and button index of older template sends', () => {
    const template = {
      name: 'order_ready',
      language: { policy: 'deterministic', code: 'nl' },
      components: [
        { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'A-1' }] },
      ],
    }
    const parsed = parseWhatsAppSend({ ...envelope, type: 'template', template })
    expect(parsed.ok && parsed.value.kind === 'message' && parsed.value.intent).toEqual({
      platform: 'whatsapp',
      kind: 'template',
      template,
    })
  })

  it('treats a body without type as a text message, as Graph does', () => {
    const parsed = parseWhatsAppSend({ messaging_product: 'whatsapp', to: TO, text: { body: 'Hi' } })
    expect(parsed.ok && parsed.value.kind === 'message' && parsed.value.intent).toEqual({
      platform: 'whatsapp',
      kind: 'session',
      messageType: 'text',
    })
  })

  it('reads a mark-as-read body as mark_read with the inbound message id', () => {
    expect(
      parseWhatsAppSend({
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: 'wamid.ABGGFlCGg0cvAgo',
      }),
    ).toEqual({ ok: true, value: { kind: 'mark_read', messageId: 'wamid.ABGGFlCGg0cvAgo' } })
  })

  it('takes a business-scoped user id from "recipient" when "to" is absent', () => {
    const parsed = parseWhatsAppSend({
      messaging_product: 'whatsapp',
      recipient: 'US.13491208655302741918',
      type: 'text',
      text: { body: 'Hi' },
    })
    expect(parsed.ok && parsed.value.kind === 'message' && parsed.value.to).toBe('US.13491208655302741918')
  })

  it.each([
    ['+31 6 1234 5678', '31612345678'],
    ['0031 6 1234 5678', '31612345678'],
    ['+31 06 12345678', '31612345678'],
    ['+31 (0)6-1234-5678', '31612345678'],
    ['+1 (650) 555-1234', '16505551234'],
    ['31-6-12345678', '31612345678'],
    ['US.13491208655302741918', 'US.13491208655302741918'],
  ])('normalises "to" %s to %s', (to, expected) => {
    const parsed = parseWhatsAppSend({
      messaging_product: 'whatsapp',
      to,
      type: 'text',
      text: { body: 'Hi' },
    })
    expect(parsed.ok && parsed.value.kind === 'message' && parsed.value.to).toBe(expected)
  })

  it.each([
    ['missing messaging_product', { to: TO, type: 'text', text: { body: 'Hi' } }, 'messaging_product'],
    [
      'messaging_product other than whatsapp',
      { messaging_product: 'messenger', to: TO, type: 'text', text: { body: 'Hi' } },
      'messaging_product',
    ],
    ['missing "to"', { messaging_product: 'whatsapp', type: 'text', text: { body: 'Hi' } }, '"to"'],
    ['a "to" that is not a string', { messaging_product: 'whatsapp', to: 31612345678, type: 'text' }, 'to'],
    ['an unknown type', { ...envelope, type: 'telegram', telegram: {} }, 'type "telegram"'],
    ['type image without an image object', { ...envelope, type: 'image' }, '"image" object'],
    ['a text payload that is an array', { ...envelope, type: 'text', text: [] }, '"text" object'],
    [
      'a template without name',
      { ...envelope, type: 'template', template: { language: { code: 'en' } } },
      'template.name',
    ],
    [
      'a template with an empty name',
      { ...envelope, type: 'template', template: { name: '', language: { code: 'en' } } },
      'template.name',
    ],
    [
      'a template without language.code',
      { ...envelope, type: 'template', template: { name: 'ticket_update', language: {} } },
      'template.language.code',
    ],
    [
      'a template without language',
      { ...envelope, type: 'template', template: { name: 'ticket_update' } },
      'template.language',
    ],
    [
      'a status other than read',
      { messaging_product: 'whatsapp', status: 'delivered', message_id: 'wamid.X' },
      '"status": "read"',
    ],
    ['a read status without message_id', { messaging_product: 'whatsapp', status: 'read' }, 'message_id'],
    [
      'a "to" of 10,000 digits (longer than any index should hold)',
      { ...envelope, to: '3'.repeat(10_000), type: 'text', text: { body: 'Hi' } },
      'at most 64 characters',
    ],
    [
      'a "to" of only spaces and dashes',
      { ...envelope, to: ' - + ', type: 'text', text: { body: 'Hi' } },
      'to: "- +" is not a phone number',
    ],
    [
      'a "to" with letters',
      { ...envelope, to: '31612abc', type: 'text', text: { body: 'Hi' } },
      'to: "31612abc" is neither a phone number',
    ],
    [
      'a "to" too short for its country',
      { ...envelope, to: '+31 6 12', type: 'text', text: { body: 'Hi' } },
      'to: "+31 6 12" is too short for a phone number in NL (+31)',
    ],
    [
      'a "to" with a country calling code that does not exist',
      { ...envelope, to: '+999 1234 5678', type: 'text', text: { body: 'Hi' } },
      'to: "+999 1234 5678" does not start with a country calling code that exists',
    ],
    [
      'a "to" written nationally',
      { ...envelope, to: '06 1234 5678', type: 'text', text: { body: 'Hi' } },
      'to: "06 1234 5678" is written nationally',
    ],
    [
      'a "recipient" that is no business-scoped user id',
      { messaging_product: 'whatsapp', recipient: 'alice', type: 'text', text: { body: 'Hi' } },
      'recipient: "alice" is neither',
    ],
    [
      'a template name of 1,000 characters',
      { ...envelope, type: 'template', template: { name: 't'.repeat(1_000), language: { code: 'en' } } },
      'template.name has at most 512 characters',
    ],
    [
      'a read status with a message_id of 1,000 characters',
      { messaging_product: 'whatsapp', status: 'read', message_id: 'w'.repeat(1_000) },
      'message_id is a wamid of at most 256 characters',
    ],
  ])('rejects %s with code 100 naming the field', (_name, body, field) => {
    const parsed = parseWhatsAppSend(body)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.problem.code).toBe(100)
    expect(parsed.problem.details).toContain(field)
  })

  it.each([null, 'text', 42, []])('rejects %j as a body', (body) => {
    const parsed = parseWhatsAppSend(body)
    expect(parsed.ok || parsed.problem.code).toBe(100)
  })

  it('lists every message type it accepts when the type is unknown', () => {
    const parsed = parseWhatsAppSend({ ...envelope, type: 'sms' })
    expect(parsed.ok || parsed.problem.details).toMatch(/text, image, .*interactive.*, template$/)
  })
})
