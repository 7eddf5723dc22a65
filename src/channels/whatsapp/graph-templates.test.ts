import { describe, expect, it } from 'vitest'
import { templateFromGraph, templatesFromGraphList } from './graph-templates.js'

/** Entries shaped like Graph's `GET /{WABA-ID}/message_templates` answer (ids, examples and quality included). */
const positional = {
  name: 'order_shipped',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#4711'] } },
    {
      type: 'BODY',
      text: 'Hi {{1}}, your order {{2}} has shipped.',
      example: { body_text: [['Sanne', '#4711']] },
    },
    { type: 'FOOTER', text: 'Reply STOP to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        {
          type: 'URL',
          text: 'Track',
          url: 'https://shop.example/track/{{1}}',
          example: ['https://shop.example/track/4711'],
        },
        { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+31201234567' },
      ],
    },
  ],
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  sub_category: 'CUSTOM',
  id: '1402381887339522',
  quality_score: { score: 'GREEN', date: 1709280000 },
}

const named = {
  name: 'welcome_discount',
  parameter_format: 'NAMED',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1h…'] } },
    {
      type: 'BODY',
      text: 'Welcome {{first_name}}! Use {{discount_code}} for {{discount_amount}} off.',
      example: {
        body_text_named_params: [
          { param_name: 'first_name', example: 'Jessica' },
          { param_name: 'discount_code', example: 'WELCOME25' },
          { param_name: 'discount_amount', example: '25%' },
        ],
      },
    },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Unsubscribe' }] },
  ],
  language: 'en',
  status: 'PAUSED',
  category: 'MARKETING',
  id: '1402381887339523',
}

const authentication = {
  name: 'login_code',
  components: [
    {
      type: 'BODY',
      text: '*{{1}}* is your verification code. For your security, do not share this code.',
      add_security_recommendation: true,
    },
    { type: 'FOOTER', code_expiration_minutes: 10 },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' },
        { type: 'COPY_CODE', example: 'CODE123' },
      ],
    },
  ],
  language: 'nl',
  status: 'APPROVED',
  category: 'AUTHENTICATION',
  id: '1402381887339524',
}

const list = (...data: unknown[]) => ({
  data,
  paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } },
})

describe('templates from Graph’s message_templates list', () => {
  it('converts a positional template with a text header, footer, URL and phone buttons', () => {
    const result = templatesFromGraphList(list(positional))
    expect(result).toEqual({
      ok: true,
      value: {
        skipped: [],
        templates: [
          {
            name: 'order_shipped',
            language: 'en_US',
            category: 'UTILITY',
            status: 'APPROVED',
            issueResolution: false,
            header: { format: 'TEXT', text: 'Order {{1}}' },
            body: 'Hi {{1}}, your order {{2}} has shipped.',
            footer: 'Reply STOP to opt out',
            buttons: [
              { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
              { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+31201234567' },
            ],
          },
        ],
      },
    })
  })

  it('converts a named-parameter template with a media header and keeps its status', () => {
    expect(templateFromGraph(named)).toEqual({
      ok: true,
      template: {
        name: 'welcome_discount',
        language: 'en',
        category: 'MARKETING',
        status: 'PAUSED',
        issueResolution: false,
        header: { format: 'IMAGE' },
        body: 'Welcome {{first_name}}! Use {{discount_code}} for {{discount_amount}} off.',
        buttons: [{ type: 'QUICK_REPLY', text: 'Unsubscribe' }],
      },
    })
  })

  it('converts an authentication template: OTP and copy-code buttons, and the footer Meta writes from the expiry', () => {
    expect(templateFromGraph(authentication)).toMatchObject({
      ok: true,
      template: {
        category: 'AUTHENTICATION',
        footer: 'This code expires in 10 minutes.',
        buttons: [{ type: 'OTP' }, { type: 'COPY_CODE' }],
      },
    })
  })

  it.each(['VIDEO', 'DOCUMENT', 'LOCATION'])('keeps a %s header as its format only', (format) => {
    const entry = { ...named, components: [{ type: 'HEADER', format }, ...named.components.slice(1)] }
    expect(templateFromGraph(entry)).toMatchObject({ ok: true, template: { header: { format } } })
  })

  it('reads lower-case component, status and category names as Graph’s older answers have them', () => {
    const entry = {
      ...positional,
      status: 'approved',
      category: 'utility',
      components: [{ type: 'body', text: 'Hello {{1}}' }],
    }
    expect(templateFromGraph(entry)).toMatchObject({
      ok: true,
      template: { status: 'APPROVED', category: 'UTILITY', body: 'Hello {{1}}' },
    })
  })

  it('skips a template with an unknown component, naming it, and still converts the others', () => {
    const carousel = {
      ...named,
      name: 'summer_carousel',
      components: [...named.components, { type: 'CAROUSEL', cards: [] }],
    }
    const result = templatesFromGraphList(list(positional, carousel, authentication))
    expect(result.ok && result.value.templates.map((template) => template.name)).toEqual([
      'order_shipped',
      'login_code',
    ])
    expect(result.ok && result.value.skipped).toEqual([
      {
        name: 'summer_carousel',
        language: 'en',
        reason: 'the CAROUSEL component is not supported (only HEADER, BODY, FOOTER and BUTTONS are)',
      },
    ])
  })

  it.each([
    [
      'a Flow button',
      {
        components: [
          ...positional.components.slice(0, 2),
          { type: 'BUTTONS', buttons: [{ type: 'FLOW', text: 'Book' }] },
        ],
      },
      'a FLOW button is not supported',
    ],
    ['no body', { components: [{ type: 'FOOTER', text: 'Thanks' }] }, 'the template has no BODY text'],
    [
      'two bodies',
      {
        components: [
          { type: 'BODY', text: 'a' },
          { type: 'BODY', text: 'b' },
        ],
      },
      'more than one BODY component',
    ],
    [
      'a GIF header',
      {
        components: [
          { type: 'HEADER', format: 'GIF' },
          { type: 'BODY', text: 'Hello' },
        ],
      },
      'a GIF header is not supported',
    ],
    [
      'a TEXT header without text',
      {
        components: [
          { type: 'HEADER', format: 'TEXT' },
          { type: 'BODY', text: 'Hello' },
        ],
      },
      'the TEXT header has no text',
    ],
    [
      'a footer without text',
      { components: [{ type: 'BODY', text: 'Hello' }, { type: 'FOOTER' }] },
      'the FOOTER has no text',
    ],
    [
      'buttons without a list',
      { components: [{ type: 'BODY', text: 'Hello' }, { type: 'BUTTONS' }] },
      'the BUTTONS component has no "buttons" list',
    ],
    ['an unknown status', { status: 'ARCHIVED' }, 'status ARCHIVED is not one carewindow knows'],
    ['an unknown category', { category: 'PROMOTION' }, 'category: unknown template category'],
    [
      'named placeholders in a POSITIONAL template',
      { components: [{ type: 'BODY', text: 'Hi {{first_name}}' }] },
      "parameter_format is POSITIONAL but the template's text uses named placeholders",
    ],
    [
      'an unknown parameter format',
      { parameter_format: 'MIXED' },
      'parameter_format MIXED is neither NAMED nor POSITIONAL',
    ],
    [
      'a placeholder gap',
      { components: [{ type: 'BODY', text: '{{1}} and {{3}}' }] },
      'body: positional placeholders must be numbered',
    ],
    [
      'a URL button without its url',
      {
        components: [
          { type: 'BODY', text: 'Hello' },
          { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Go' }] },
        ],
      },
      'buttons[0].url',
    ],
    ['a name carewindow cannot key', { name: 'Order Shipped' }, 'name: a template name is lowercase'],
  ])('skips a template with %s, saying why', (_case, overrides, reason) => {
    const converted = templateFromGraph({ ...positional, ...overrides })
    expect(converted.ok).toBe(false)
    if (converted.ok) return
    expect(converted.skipped.name).toBe((overrides as { name?: string }).name ?? 'order_shipped')
    expect(converted.skipped.language).toBe('en_US')
    expect(converted.skipped.reason).toContain(reason)
  })

  it('skips an entry without name or language with nulls and the missing fields named', () => {
    expect(templateFromGraph({ status: 'APPROVED', components: [] })).toEqual({
      ok: false,
      skipped: {
        name: null,
        language: null,
        reason: expect.stringMatching(/^name: .*; language: .*; category: /) as unknown,
      },
    })
    expect(templateFromGraph('order_shipped')).toMatchObject({
      ok: false,
      skipped: { name: null, language: null },
    })
  })

  it('refuses a body that is not Graph’s list', () => {
    expect(templatesFromGraphList([positional])).toMatchObject({ ok: false, problem: { code: 100 } })
    expect(templatesFromGraphList({ data: 'order_shipped' })).toEqual({
      ok: false,
      problem: {
        code: 100,
        details: 'data: "data" must be the list of templates of Graph’s message_templates answer',
      },
    })
  })

  it('takes an empty list as nothing to import', () => {
    expect(templatesFromGraphList(list())).toEqual({ ok: true, value: { templates: [], skipped: [] } })
  })
})
