import { describe, expect, it } from 'vitest'

import { renderTemplate } from './render.js'
import type { TemplateSend, TemplateSendComponent } from './template-send.js'
import type { Template, TemplateHeader } from './template.js'

function template(overrides: Partial<Template> = {}): Template {
  return {
    name: 'order_total',
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    issueResolution: false,
    body: 'Hello {{1}}, your total is {{2}}, due on {{3}}.',
    ...overrides,
  }
}

function send(...components: TemplateSendComponent[]): TemplateSend {
  return { name: 'order_total', language: { code: 'en_US' }, components }
}

// Meta's positional example body (reference §1.2).
const META_POSITIONAL_BODY: TemplateSendComponent = {
  type: 'body',
  parameters: [
    { type: 'text', text: 'text-string' },
    { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
    { type: 'date_time', date_time: { fallback_value: 'February 25, 1977', year: 1977 } },
  ],
}

describe('renderTemplate', () => {
  it('shows the template as written when there is no send', () => {
    expect(renderTemplate(template())).toEqual({
      header: null,
      body: 'Hello {{1}}, your total is {{2}}, due on {{3}}.',
      footer: null,
      buttons: [],
    })
  })

  it('shows text as itself and currency and date_time parameters as their fallback values', () => {
    expect(renderTemplate(template(), send(META_POSITIONAL_BODY)).body).toBe(
      'Hello text-string, your total is $100.99, due on February 25, 1977.',
    )
  })

  it('fills named placeholders by parameter_name, whatever the order', () => {
    const welcome = template({
      body: 'Hi {{first_name}}! Use code {{discount_code}} for {{discount_amount}} off.',
    })
    const body: TemplateSendComponent = {
      type: 'body',
      parameters: [
        { type: 'text', parameter_name: 'discount_amount', text: '25%' },
        { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
        { type: 'text', parameter_name: 'discount_code', text: 'WELCOME25' },
      ],
    }
    expect(renderTemplate(welcome, send(body)).body).toBe('Hi Jessica! Use code WELCOME25 for 25% off.')
  })

  it('does not fill named placeholders from parameters without a name', () => {
    const named = template({ body: 'Ticket {{ticket_id}}' })
    const body: TemplateSendComponent = { type: 'body', parameters: [{ type: 'text', text: 'T-1042' }] }
    expect(renderTemplate(named, send(body)).body).toBe('Ticket {{ticket_id}}')
  })

  it('keeps placeholders visible for which the send gives no value', () => {
    const body: TemplateSendComponent = { type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }
    expect(renderTemplate(template(), send(body)).body).toBe('Hello Ann, your total is {{2}}, due on {{3}}.')
  })

  it('keeps placeholders visible for parameters that have nothing to show', () => {
    const body: TemplateSendComponent = {
      type: 'body',
      parameters: [
        { type: 'image', image: { link: 'https://example.com/a.png' } },
        { type: 'currency', currency: { code: 'USD', amount_1000: 1000 } },
        { type: 'text', text: 42 },
      ],
    }
    expect(renderTemplate(template(), send(body)).body).toBe(
      'Hello {{1}}, your total is {{2}}, due on {{3}}.',
    )
  })

  it('reads components whatever the case of their type', () => {
    const body = { ...META_POSITIONAL_BODY, type: 'BODY' }
    expect(renderTemplate(template(), send(body)).body).toContain('Hello text-string')
  })

  it('fills a text header from the header component', () => {
    const withHeader = template({ header: { format: 'TEXT', text: 'Order {{1}}' } })
    const preview = renderTemplate(
      withHeader,
      send({ type: 'header', parameters: [{ type: 'text', text: '#58213' }] }, META_POSITIONAL_BODY),
    )
    expect(preview.header).toBe('Order #58213')
    expect(preview.body).toContain('text-string')
  })

  it('shows a text header placeholder when there is no header component', () => {
    const withHeader = template({ header: { format: 'TEXT', text: 'Order {{1}}' } })
    expect(renderTemplate(withHeader, send(META_POSITIONAL_BODY)).header).toBe('Order {{1}}')
  })

  it.each<[TemplateHeader['format'], string]>([
    ['IMAGE', '[image]'],
    ['VIDEO', '[video]'],
    ['DOCUMENT', '[document]'],
    ['LOCATION', '[location]'],
  ])('shows a %s header as %s', (format, shown) => {
    const header = { format } as TemplateHeader
    expect(renderTemplate(template({ header })).header).toBe(shown)
  })

  it('shows the footer', () => {
    expect(renderTemplate(template({ footer: 'Reply STOP to unsubscribe' })).footer).toBe(
      'Reply STOP to unsubscribe',
    )
  })

  it('shows each button by its label, and code buttons as "Copy code"', () => {
    const withButtons = template({
      buttons: [
        { type: 'URL', text: 'Track order', url: 'https://example.com/{{1}}' },
        { type: 'QUICK_REPLY', text: 'Continue support' },
        { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+31201234567' },
        { type: 'COPY_CODE' },
        { type: 'OTP' },
      ],
    })
    expect(renderTemplate(withButtons).buttons).toEqual([
      'Track order',
      'Continue support',
      'Call us',
      'Copy code',
      'Copy code',
    ])
  })

  it('shows the template as written for a send without components', () => {
    expect(renderTemplate(template(), { name: 'order_total', language: { code: 'en_US' } }).body).toBe(
      'Hello {{1}}, your total is {{2}}, due on {{3}}.',
    )
  })
})
