import { describe, expect, it } from 'vitest'
import type { TemplateJson } from '../../web/src/api-types.js'
import { fieldsOf, formProblem, previewOf, templateSendOf } from '../../web/src/pages/template-form.js'

const base = { language: 'en', category: 'UTILITY', status: 'APPROVED', issue_resolution: false } as const

const ticket: TemplateJson = {
  ...base,
  name: 'ticket_update',
  header: { format: 'TEXT', text: 'Ticket {{1}}' },
  body: 'Hi {{1}}, your ticket {{2}} is {{1}}’s to close.',
  buttons: [
    { type: 'URL', text: 'Open', url: 'https://example.com/t/{{1}}' },
    { type: 'QUICK_REPLY', text: 'Thanks' },
    { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+31201234567' },
  ],
}

const named: TemplateJson = { ...base, name: 'named', body: 'Order {{order_id}} ships {{day}}.' }

const media: TemplateJson = {
  ...base,
  name: 'coupon',
  header: { format: 'IMAGE' },
  body: 'Your code inside.',
  buttons: [{ type: 'COPY_CODE' }],
}

describe('the dashboard’s template form', () => {
  it('asks for each placeholder of the header, the body and the buttons, each once, in Graph’s order', () => {
    expect(fieldsOf(ticket).map((field) => field.key)).toEqual(['header:1', 'body:1', 'body:2', 'button:0'])
    expect(fieldsOf(named).map((field) => field.label)).toEqual(['order_id', 'day'])
    expect(fieldsOf(media).map((field) => [field.key, field.kind])).toEqual([
      ['header:link', 'link'],
      ['button:0', 'coupon'],
    ])
  })

  it('builds the send Graph takes: positional parameters without names, named ones with theirs', () => {
    const values = { 'header:1': 'T-1', 'body:1': 'Ana', 'body:2': 'T-1', 'button:0': 't1' }

    expect(templateSendOf(ticket, values)).toEqual({
      name: 'ticket_update',
      language: { code: 'en' },
      components: [
        { type: 'header', parameters: [{ type: 'text', text: 'T-1' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: 'T-1' },
          ],
        },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 't1' }] },
      ],
    })
    expect(formProblem(ticket, values)).toBeNull()
    expect(templateSendOf(named, { 'body:order_id': '42', 'body:day': 'today' }).components).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'order_id', text: '42' },
          { type: 'text', parameter_name: 'day', text: 'today' },
        ],
      },
    ])
    expect(
      templateSendOf(media, { 'header:link': 'https://example.com/a.png', 'button:0': 'SAVE10' }),
    ).toEqual({
      name: 'coupon',
      language: { code: 'en' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.png' } }] },
        {
          type: 'button',
          sub_type: 'copy_code',
          index: '0',
          parameters: [{ type: 'coupon_code', coupon_code: 'SAVE10' }],
        },
      ],
    })
    expect(
      formProblem(media, { 'header:link': 'https://example.com/a.png', 'button:0': 'SAVE10' }),
    ).toBeNull()
  })

  it.each([
    ['more than four spaces in a row', 'a     b', 132012, 'more than four consecutive spaces'],
    ['a tab', 'a\tb', 132012, 'new lines, tabs'],
    ['a new line', 'a\nb', 132012, 'new lines, tabs'],
    ['nothing but spaces', '   ', 132012, 'non-empty'],
  ])('answers %s in a parameter with Graph’s error, as the gateway would', (_title, text, code, details) => {
    const problem = formProblem(named, { 'body:order_id': text, 'body:day': 'today' })

    expect(problem?.code).toBe(code)
    expect(problem?.details).toContain(details)
  })

  it('names a coupon code left empty', () => {
    expect(formProblem(media, { 'header:link': 'https://example.com/a.png' })?.details).toContain(
      'coupon_code',
    )
  })

  it('previews the body with the values typed so far, keeping the placeholders not yet filled', () => {
    expect(previewOf(named, { 'body:order_id': '42' })).toBe('Order 42 ships {{day}}.')
  })
})
