import { describe, expect, it } from 'vitest'

import {
  placeholdersOf,
  templateSendProblem,
  templateStatusProblem,
  type TemplateSend,
  type TemplateSendComponent,
  type TemplateSendParameter,
} from './template-send.js'
import {
  TEMPLATE_STATUSES,
  type Template,
  type TemplateButton,
  type TemplateHeader,
  type TemplateStatus,
} from './template.js'

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

function send(components?: readonly TemplateSendComponent[], name = 'order_total'): TemplateSend {
  return components === undefined
    ? { name, language: { code: 'en_US' } }
    : { name, language: { code: 'en_US' }, components }
}

// Meta's "Send Message Template Text" body parameters (reference §1.2), positional.
const META_TEXT: TemplateSendParameter = { type: 'text', text: 'text-string' }
const META_CURRENCY: TemplateSendParameter = {
  type: 'currency',
  currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 },
}
const META_DATE_TIME: TemplateSendParameter = {
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
const META_POSITIONAL_BODY: TemplateSendComponent = {
  type: 'body',
  parameters: [META_TEXT, META_CURRENCY, META_DATE_TIME],
}

// Meta's "Send Message Template Interactive" (reference §1.2): an image header, the same body, two quick replies.
const META_INTERACTIVE_COMPONENTS: readonly TemplateSendComponent[] = [
  { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/the-image.png' } }] },
  META_POSITIONAL_BODY,
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
]
const interactiveTemplate = template({
  header: { format: 'IMAGE' },
  buttons: [
    { type: 'QUICK_REPLY', text: 'Yes' },
    { type: 'QUICK_REPLY', text: 'No' },
  ],
})

// Meta's custom-marketing-templates example (reference §1.2): named parameters and an image header.
const welcomeDiscount = template({
  name: 'welcome_discount_template',
  category: 'MARKETING',
  header: { format: 'IMAGE' },
  body: 'Hi {{first_name}}! Use code {{discount_code}} at checkout for {{discount_amount}} off your first order.',
})
const META_NAMED_PARAMETERS: readonly TemplateSendParameter[] = [
  { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
  { type: 'text', parameter_name: 'discount_code', text: 'WELCOME25' },
  { type: 'text', parameter_name: 'discount_amount', text: '25%' },
]
const META_NAMED_COMPONENTS: readonly TemplateSendComponent[] = [
  { type: 'header', parameters: [{ type: 'image', image: { id: '1339522734477770' } }] },
  { type: 'body', parameters: META_NAMED_PARAMETERS },
]

function namedSend(parameters: readonly TemplateSendParameter[]): TemplateSend {
  return send([META_NAMED_COMPONENTS[0]!, { type: 'body', parameters }], 'welcome_discount_template')
}

describe('templateStatusProblem', () => {
  const expected: Record<TemplateStatus, number | null> = {
    APPROVED: null,
    PENDING: 132001,
    REJECTED: 132001,
    PAUSED: 132015,
    DISABLED: 132016,
    IN_APPEAL: 132001,
    PENDING_DELETION: 132001,
    LIMIT_EXCEEDED: 132001,
  }

  it('has an expectation for every template status', () => {
    expect(Object.keys(expected).sort()).toEqual([...TEMPLATE_STATUSES].sort())
  })

  it.each(TEMPLATE_STATUSES.map((status) => [status, expected[status]]))(
    'answers a %s template with %s',
    (status, code) => {
      const problem = templateStatusProblem(template({ status }))
      expect(problem?.code ?? null).toBe(code)
    },
  )

  it.each(TEMPLATE_STATUSES.filter((status) => status !== 'APPROVED'))(
    'names the template and language when refusing a %s template',
    (status) => {
      const problem = templateStatusProblem(template({ status }))
      expect(problem?.details).toContain('"order_total" (en_US)')
    },
  )

  it('tells that a non-approved status may not be sent, quoting the status', () => {
    expect(templateStatusProblem(template({ status: 'PENDING' }))?.details).toBe(
      'Template "order_total" (en_US) has status PENDING; only APPROVED templates may be sent.',
    )
  })
})

describe('placeholdersOf', () => {
  it('returns the placeholders of a well-formed text', () => {
    expect(placeholdersOf('{{1}} {{2}}')).toEqual({ format: 'positional', names: ['1', '2'] })
  })

  it('treats a text with malformed placeholders as having none', () => {
    expect(placeholdersOf('Hi {{Name}}')).toEqual({ format: 'none', names: [] })
  })
})

describe('templateSendProblem', () => {
  describe("Meta's own example bodies", () => {
    it('accepts the positional body with text, currency and date_time parameters', () => {
      expect(templateSendProblem(template(), send([META_POSITIONAL_BODY]))).toBeNull()
    })

    it('accepts the interactive example with an image link header and two quick-reply payloads', () => {
      expect(templateSendProblem(interactiveTemplate, send(META_INTERACTIVE_COMPONENTS))).toBeNull()
    })

    it('accepts welcome_discount_template with an image id header and named parameters', () => {
      expect(
        templateSendProblem(welcomeDiscount, send(META_NAMED_COMPONENTS, 'welcome_discount_template')),
      ).toBeNull()
    })

    it('accepts named parameters in any order', () => {
      expect(templateSendProblem(welcomeDiscount, namedSend([...META_NAMED_PARAMETERS].reverse()))).toBeNull()
    })
  })

  describe('components', () => {
    it('accepts a send without components for a template without placeholders', () => {
      expect(templateSendProblem(template({ body: 'Your order has shipped.' }), send())).toBeNull()
    })

    it('accepts a body component without parameters for a template without placeholders', () => {
      expect(
        templateSendProblem(template({ body: 'Your order has shipped.' }), send([{ type: 'body' }])),
      ).toBeNull()
    })

    it('accepts component types in upper or mixed case', () => {
      const [header, body, reply0, reply1] = META_INTERACTIVE_COMPONENTS
      const components = [
        { ...header!, type: 'HEADER' },
        { ...body!, type: 'Body' },
        { ...reply0!, type: 'BUTTON' },
        { ...reply1!, type: 'Button' },
      ]
      expect(templateSendProblem(interactiveTemplate, send(components))).toBeNull()
    })

    it.each([
      ['header', { ...META_INTERACTIVE_COMPONENTS[0]!, type: 'HEADER' }],
      ['body', { ...META_POSITIONAL_BODY, type: 'Body' }],
    ])('refuses a second %s component with 132012, whatever its case', (type, extra) => {
      expect(templateSendProblem(interactiveTemplate, send([...META_INTERACTIVE_COMPONENTS, extra]))).toEqual(
        {
          code: 132012,
          details: `the send has more than one ${type} component`,
        },
      )
    })

    it.each(['footer', 'carousel', ''])('refuses an unsupported component type "%s" with 132012', (type) => {
      expect(templateSendProblem(template(), send([META_POSITIONAL_BODY, { type }]))).toEqual({
        code: 132012,
        details: `unsupported component type "${type}"; use header, body or button`,
      })
    })

    it('reports a malformed component before a parameter count mismatch', () => {
      expect(templateSendProblem(template(), send([{ type: 'footer' }]))?.code).toBe(132012)
    })
  })

  describe('body parameter count', () => {
    it.each([
      ['no body component', undefined, 0],
      ['too few parameters', [META_TEXT, META_CURRENCY], 2],
      ['too many parameters', [META_TEXT, META_CURRENCY, META_DATE_TIME, META_TEXT], 4],
    ])('refuses %s with 132000', (_label, parameters, given) => {
      const components = parameters === undefined ? [] : [{ type: 'body', parameters }]
      expect(templateSendProblem(template(), send(components))).toEqual({
        code: 132000,
        details: `body: number of parameters (${given}) does not match the expected number of params (3)`,
      })
    })

    it('refuses parameters for a body without placeholders with 132000', () => {
      const problem = templateSendProblem(
        template({ body: 'Your order has shipped.' }),
        send([{ type: 'body', parameters: [META_TEXT] }]),
      )
      expect(problem?.code).toBe(132000)
    })

    it('expects no parameters for a body whose placeholders are malformed', () => {
      const malformed = template({ body: 'Hi {{Name}}' })
      expect(templateSendProblem(malformed, send())).toBeNull()
      expect(templateSendProblem(malformed, send([{ type: 'body', parameters: [META_TEXT] }]))?.code).toBe(
        132000,
      )
    })

    it('counts a repeated positional placeholder once', () => {
      const repeated = template({ body: '{{1}}, yes you {{1}}' })
      expect(templateSendProblem(repeated, send([{ type: 'body', parameters: [META_TEXT] }]))).toBeNull()
    })
  })

  describe('named and positional parameters', () => {
    it('refuses a named parameter the template does not have with 132000', () => {
      const parameters = [
        META_NAMED_PARAMETERS[0]!,
        META_NAMED_PARAMETERS[1]!,
        { type: 'text', parameter_name: 'amount', text: '25%' },
      ]
      expect(templateSendProblem(welcomeDiscount, namedSend(parameters))).toEqual({
        code: 132000,
        details:
          'body: "amount" is not a parameter of the template; expected "first_name", "discount_code", "discount_amount"',
      })
    })

    it('refuses a parameter without parameter_name on a named template with 132000', () => {
      const parameters = [META_NAMED_PARAMETERS[0]!, META_NAMED_PARAMETERS[1]!, { type: 'text', text: '25%' }]
      const problem = templateSendProblem(welcomeDiscount, namedSend(parameters))
      expect(problem?.code).toBe(132000)
      expect(problem?.details).toContain('give each parameter a "parameter_name"')
    })

    it('refuses a named parameter given twice with 132000', () => {
      const parameters = [META_NAMED_PARAMETERS[0]!, META_NAMED_PARAMETERS[1]!, META_NAMED_PARAMETERS[0]!]
      expect(templateSendProblem(welcomeDiscount, namedSend(parameters))).toEqual({
        code: 132000,
        details: 'body: parameter "first_name" is given twice',
      })
    })

    it('refuses a named template sent with too few parameters with 132000', () => {
      expect(templateSendProblem(welcomeDiscount, namedSend(META_NAMED_PARAMETERS.slice(1)))?.code).toBe(
        132000,
      )
    })

    it('refuses parameter_name on a positional template with 132012', () => {
      const parameters = [META_TEXT, { ...META_CURRENCY, parameter_name: 'total' }, META_DATE_TIME]
      expect(templateSendProblem(template(), send([{ type: 'body', parameters }]))).toEqual({
        code: 132012,
        details: 'body: the template uses positional parameters ({{1}} …); remove "parameter_name" ("total")',
      })
    })

    it('names the parameter in problems with a named parameter value', () => {
      const parameters = [
        { type: 'text', parameter_name: 'first_name', text: '' },
        ...META_NAMED_PARAMETERS.slice(1),
      ]
      expect(templateSendProblem(welcomeDiscount, namedSend(parameters))).toEqual({
        code: 132012,
        details: 'body parameter "first_name": a text parameter needs a non-empty "text"',
      })
    })
  })

  describe('body parameter types', () => {
    const oneParameter = template({ body: 'Value: {{1}}' })
    const sendOne = (parameter: TemplateSendParameter): TemplateSend =>
      send([{ type: 'body', parameters: [parameter] }])

    it.each<[string, TemplateSendParameter]>([
      ['text', META_TEXT],
      ['currency', META_CURRENCY],
      ['date_time', META_DATE_TIME],
      [
        'a currency with a negative amount',
        { type: 'currency', currency: { fallback_value: '-$1', code: 'USD', amount_1000: -1000 } },
      ],
      [
        'a date_time with only a fallback value',
        { type: 'date_time', date_time: { fallback_value: 'tomorrow' } },
      ],
      ['text with four spaces in a row', { type: 'text', text: 'a    b' }],
      ['text with surrounding spaces', { type: 'text', text: ' padded ' }],
    ])('accepts %s', (_label, parameter) => {
      expect(templateSendProblem(oneParameter, sendOne(parameter))).toBeNull()
    })

    it.each<[string, TemplateSendParameter]>([
      ['a currency without its object', { type: 'currency' }],
      ['a currency whose object is an array', { type: 'currency', currency: ['$1', 'USD', 1000] }],
      ['a currency whose object is null', { type: 'currency', currency: null }],
      [
        'a currency without fallback_value',
        { type: 'currency', currency: { code: 'USD', amount_1000: 1000 } },
      ],
      [
        'a currency without code',
        { type: 'currency', currency: { fallback_value: '$1', amount_1000: 1000 } },
      ],
      [
        'a currency without amount_1000',
        { type: 'currency', currency: { fallback_value: '$1', code: 'USD' } },
      ],
      [
        'a currency with a fractional amount_1000',
        { type: 'currency', currency: { fallback_value: '$1', code: 'USD', amount_1000: 100.5 } },
      ],
      [
        'a currency with amount_1000 as a string',
        { type: 'currency', currency: { fallback_value: '$1', code: 'USD', amount_1000: '1000' } },
      ],
      ['a date_time without its object', { type: 'date_time' }],
      ['a date_time without fallback_value', { type: 'date_time', date_time: { year: 1977 } }],
      [
        'a date_time with a numeric fallback_value',
        { type: 'date_time', date_time: { fallback_value: 1977 } },
      ],
      ['a text parameter without text', { type: 'text' }],
      ['a text parameter with a number', { type: 'text', text: 42 }],
      ['empty text', { type: 'text', text: '' }],
      ['text of spaces only', { type: 'text', text: '   ' }],
      ['text with a new line', { type: 'text', text: 'line one\nline two' }],
      ['text with a tab', { type: 'text', text: 'a\tb' }],
      ['text with five spaces in a row', { type: 'text', text: 'a     b' }],
      ['an image in the body', { type: 'image', image: { link: 'https://example.com/a.png' } }],
      ['a payload in the body', { type: 'payload', payload: 'x' }],
      ['an unknown type', { type: 'emoji', emoji: '🙂' }],
    ])('refuses %s with 132012', (_label, parameter) => {
      expect(templateSendProblem(oneParameter, sendOne(parameter))?.code).toBe(132012)
    })

    it('explains which body types are allowed', () => {
      expect(templateSendProblem(oneParameter, sendOne({ type: 'image' }))?.details).toBe(
        'body: parameter type "image" is not allowed in the body; use text, currency or date_time',
      )
    })

    it('explains what is wrong with text containing a new line', () => {
      expect(templateSendProblem(oneParameter, sendOne({ type: 'text', text: 'a\nb' }))?.details).toBe(
        'body: parameter text may not contain new lines, tabs or more than four consecutive spaces',
      )
    })
  })

  describe('header', () => {
    const bodyOnly = 'Your order has shipped.'
    const withHeader = (header: TemplateHeader | undefined): Template => template({ header, body: bodyOnly })
    const headerSend = (...parameters: TemplateSendParameter[]): TemplateSend =>
      send([{ type: 'header', parameters }])

    it('refuses header parameters when the template has no header with 132000', () => {
      expect(templateSendProblem(withHeader(undefined), headerSend(META_TEXT))).toEqual({
        code: 132000,
        details: 'header: number of parameters (1) does not match the expected number of params (0)',
      })
    })

    describe('TEXT without a placeholder', () => {
      const textHeader = withHeader({ format: 'TEXT', text: 'Order update' })

      it('needs no header component', () => {
        expect(templateSendProblem(textHeader, send())).toBeNull()
      })

      it('accepts a header component without parameters', () => {
        expect(templateSendProblem(textHeader, headerSend())).toBeNull()
      })

      it('refuses a header parameter with 132000', () => {
        expect(templateSendProblem(textHeader, headerSend(META_TEXT))?.code).toBe(132000)
      })
    })

    describe('TEXT with a placeholder', () => {
      const textHeader = withHeader({ format: 'TEXT', text: 'Order {{1}}' })

      it('accepts one text parameter', () => {
        expect(templateSendProblem(textHeader, headerSend({ type: 'text', text: '#58213' }))).toBeNull()
      })

      it('accepts a named header placeholder filled with one text parameter', () => {
        const named = withHeader({ format: 'TEXT', text: 'Order {{order_id}}' })
        expect(
          templateSendProblem(
            named,
            headerSend({ type: 'text', parameter_name: 'order_id', text: '#58213' }),
          ),
        ).toBeNull()
      })

      it.each([
        ['no header component', send()],
        ['two parameters', headerSend(META_TEXT, META_TEXT)],
      ])('refuses %s with 132000', (_label, sent) => {
        expect(templateSendProblem(textHeader, sent)?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['an image', { type: 'image', image: { id: '1' } }],
        ['a currency', META_CURRENCY],
        ['text with a tab', { type: 'text', text: 'a\tb' }],
        ['empty text', { type: 'text', text: '' }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(textHeader, headerSend(parameter))?.code).toBe(132012)
      })

      it('explains a wrong header parameter type', () => {
        expect(templateSendProblem(textHeader, headerSend(META_CURRENCY))?.details).toBe(
          'header: expected a text parameter, got "currency"',
        )
      })
    })

    describe.each(['IMAGE', 'VIDEO', 'DOCUMENT'] as const)('%s', (format) => {
      const media = format.toLowerCase()
      const mediaHeader = withHeader({ format })
      const other = media === 'image' ? 'video' : 'image'

      it.each<[string, TemplateSendParameter]>([
        ['by id', { type: media, [media]: { id: '1339522734477770' } }],
        ['by link', { type: media, [media]: { link: `https://example.com/file.${media}` } }],
        [
          'with a caption or file name beside the link',
          { type: media, [media]: { link: 'https://example.com/f', filename: 'f.pdf' } },
        ],
      ])('accepts the media %s', (_label, parameter) => {
        expect(templateSendProblem(mediaHeader, headerSend(parameter))).toBeNull()
      })

      it('refuses a send without the header with 132000', () => {
        expect(templateSendProblem(mediaHeader, send())).toEqual({
          code: 132000,
          details: 'header: number of parameters (0) does not match the expected number of params (1)',
        })
      })

      it('refuses two header parameters with 132000', () => {
        const parameter = { type: media, [media]: { id: '1' } }
        expect(templateSendProblem(mediaHeader, headerSend(parameter, parameter))?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['another media type', { type: other, [other]: { id: '1' } }],
        ['a text parameter', META_TEXT],
        ['the right type without its object', { type: media }],
        ['the media object under another key', { type: media, [other]: { id: '1' } }],
        ['a link given as a bare string', { type: media, [media]: 'https://example.com/f' }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(mediaHeader, headerSend(parameter))).toEqual({
          code: 132012,
          details: `header: the template has a ${format} header; send {"type": "${media}", "${media}": {"id" or "link": …}}`,
        })
      })

      it.each<[string, Record<string, unknown>]>([
        ['neither id nor link', {}],
        ['a numeric id', { id: 1339522734477770 }],
        ['a link that is not a string', { link: { url: 'https://example.com' } }],
      ])('refuses a media object with %s with 132012', (_label, value) => {
        expect(templateSendProblem(mediaHeader, headerSend({ type: media, [media]: value }))).toEqual({
          code: 132012,
          details: `header: the ${media} needs an "id" or a "link"`,
        })
      })
    })

    describe('LOCATION', () => {
      const locationHeader = withHeader({ format: 'LOCATION' })
      const location = (value: unknown): TemplateSend => headerSend({ type: 'location', location: value })

      it.each<[string, unknown]>([
        ['numbers', { latitude: 52.3676, longitude: 4.9041, name: 'Amsterdam', address: 'Dam 1' }],
        ['strings', { latitude: '52.3676', longitude: '4.9041' }],
      ])('accepts coordinates given as %s', (_label, value) => {
        expect(templateSendProblem(locationHeader, location(value))).toBeNull()
      })

      it('refuses a send without the header with 132000', () => {
        expect(templateSendProblem(locationHeader, send())?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['another parameter type', { type: 'image', location: { latitude: 1, longitude: 2 } }],
        ['no location object', { type: 'location' }],
        ['a location that is not an object', { type: 'location', location: '52.3676,4.9041' }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(locationHeader, headerSend(parameter))).toEqual({
          code: 132012,
          details: 'header: the template has a LOCATION header; send {"type": "location", "location": {…}}',
        })
      })

      it.each<[string, unknown]>([
        ['no latitude', { longitude: 4.9041 }],
        ['no longitude', { latitude: 52.3676 }],
        ['a null latitude', { latitude: null, longitude: 4.9041 }],
        ['a boolean longitude', { latitude: 52.3676, longitude: true }],
      ])('refuses a location with %s with 132012', (_label, value) => {
        expect(templateSendProblem(locationHeader, location(value))).toEqual({
          code: 132012,
          details: 'header: location needs latitude and longitude',
        })
      })
    })

    it('reports a header problem before a body problem', () => {
      const problem = templateSendProblem(
        template({ header: { format: 'IMAGE' } }),
        send([{ type: 'header', parameters: [META_TEXT] }]),
      )
      expect(problem?.details).toContain('header:')
    })
  })

  describe('buttons', () => {
    const withButtons = (...buttons: TemplateButton[]): Template =>
      template({ body: 'Your order has shipped.', buttons })
    const button = (
      index: string | number | undefined,
      sub_type: string | undefined,
      ...parameters: TemplateSendParameter[]
    ): TemplateSendComponent => ({
      type: 'button',
      ...(sub_type === undefined ? {} : { sub_type }),
      ...(index === undefined ? {} : { index }),
      parameters,
    })
    const staticUrl: TemplateButton = { type: 'URL', text: 'Track', url: 'https://example.com/track' }
    const dynamicUrl: TemplateButton = { type: 'URL', text: 'Track', url: 'https://example.com/track/{{1}}' }
    const quickReply: TemplateButton = { type: 'QUICK_REPLY', text: 'Continue' }
    const phone: TemplateButton = { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+31201234567' }

    it('accepts sub_type in any case, as it accepts component types', () => {
      expect(
        templateSendProblem(
          withButtons(quickReply),
          send([button('0', 'QUICK_REPLY', { type: 'payload', payload: 'yes' })]),
        ),
      ).toBeNull()
    })

    describe('URL', () => {
      it('needs no component when the URL has no placeholder', () => {
        expect(templateSendProblem(withButtons(staticUrl), send())).toBeNull()
      })

      it('accepts a component without parameters when the URL has no placeholder', () => {
        expect(templateSendProblem(withButtons(staticUrl), send([button('0', 'url')]))).toBeNull()
      })

      it('refuses a parameter for a URL without placeholder with 132000', () => {
        expect(
          templateSendProblem(
            withButtons(staticUrl),
            send([button('0', 'url', { type: 'text', text: 'x' })]),
          ),
        ).toEqual({
          code: 132000,
          details:
            'button 0 (URL): number of parameters (1) does not match the expected number of params (0)',
        })
      })

      it('accepts the URL suffix as one text parameter', () => {
        expect(
          templateSendProblem(
            withButtons(dynamicUrl),
            send([button('0', 'url', { type: 'text', text: '58213' })]),
          ),
        ).toBeNull()
      })

      it.each([
        ['without a component', []],
        ['with a component without parameters', [button('0', 'url')]],
        [
          'with two parameters',
          [button('0', 'url', { type: 'text', text: 'a' }, { type: 'text', text: 'b' })],
        ],
      ])('refuses a URL with a placeholder sent %s with 132000', (_label, components) => {
        expect(templateSendProblem(withButtons(dynamicUrl), send(components))?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['an empty suffix', { type: 'text', text: '' }],
        ['a payload', { type: 'payload', payload: '58213' }],
      ])('refuses %s for the URL suffix with 132012', (_label, parameter) => {
        expect(
          templateSendProblem(withButtons(dynamicUrl), send([button('0', 'url', parameter)]))?.code,
        ).toBe(132012)
      })
    })

    describe('OTP', () => {
      const otp = withButtons({ type: 'OTP' })

      it('accepts the code as one text parameter with sub_type url', () => {
        expect(
          templateSendProblem(otp, send([button('0', 'url', { type: 'text', text: '123456' })])),
        ).toBeNull()
      })

      it('refuses a send without the code with 132000', () => {
        expect(templateSendProblem(otp, send())?.code).toBe(132000)
      })

      it('refuses a code that is not text with 132012', () => {
        expect(
          templateSendProblem(otp, send([button('0', 'url', { type: 'coupon_code', coupon_code: '123456' })]))
            ?.code,
        ).toBe(132012)
      })
    })

    describe('COPY_CODE', () => {
      const copyCode = withButtons({ type: 'COPY_CODE' })

      it('accepts a coupon_code parameter with sub_type copy_code', () => {
        expect(
          templateSendProblem(
            copyCode,
            send([button('0', 'copy_code', { type: 'coupon_code', coupon_code: 'WELCOME25' })]),
          ),
        ).toBeNull()
      })

      it('refuses a send without the code with 132000', () => {
        expect(templateSendProblem(copyCode, send())?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['a text parameter', { type: 'text', text: 'WELCOME25' }],
        ['an empty code', { type: 'coupon_code', coupon_code: '' }],
        ['a numeric code', { type: 'coupon_code', coupon_code: 25 }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(copyCode, send([button('0', 'copy_code', parameter)]))).toEqual({
          code: 132012,
          details: 'button 0 (COPY_CODE): send {"type": "coupon_code", "coupon_code": "…"}',
        })
      })
    })

    describe('QUICK_REPLY', () => {
      it('needs no component', () => {
        expect(templateSendProblem(withButtons(quickReply), send())).toBeNull()
      })

      it('accepts a component without parameters', () => {
        expect(templateSendProblem(withButtons(quickReply), send([button('0', 'quick_reply')]))).toBeNull()
      })

      it('accepts a payload', () => {
        expect(
          templateSendProblem(
            withButtons(quickReply),
            send([button('0', 'quick_reply', { type: 'payload', payload: 'ticket:T-1042' })]),
          ),
        ).toBeNull()
      })

      it('refuses two payloads with 132000', () => {
        const payload = { type: 'payload', payload: 'x' }
        expect(
          templateSendProblem(withButtons(quickReply), send([button('0', 'quick_reply', payload, payload)]))
            ?.code,
        ).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['a text parameter', { type: 'text', text: 'x' }],
        ['a payload that is not a string', { type: 'payload', payload: 42 }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(
          templateSendProblem(withButtons(quickReply), send([button('0', 'quick_reply', parameter)])),
        ).toEqual({
          code: 132012,
          details: 'button 0 (QUICK_REPLY): send {"type": "payload", "payload": "…"}',
        })
      })
    })

    describe('PHONE_NUMBER', () => {
      it('needs no component', () => {
        expect(templateSendProblem(withButtons(phone), send())).toBeNull()
      })

      it.each([
        ['with parameters', button('0', 'url', { type: 'text', text: 'x' })],
        ['without parameters or sub_type', button('0', undefined)],
      ])('refuses a component %s with 132012', (_label, component) => {
        expect(templateSendProblem(withButtons(phone), send([component]))).toEqual({
          code: 132012,
          details: 'button 0 (PHONE_NUMBER) takes no parameters; remove its component',
        })
      })
    })

    it.each<[string, TemplateButton, string | undefined]>([
      ['quick_reply on a URL button', dynamicUrl, 'quick_reply'],
      ['no sub_type on a URL button', dynamicUrl, undefined],
      ['url on a quick-reply button', quickReply, 'url'],
      ['copy_code on an OTP button', { type: 'OTP' }, 'copy_code'],
      ['url on a copy-code button', { type: 'COPY_CODE' }, 'url'],
    ])('refuses %s with 132012', (_label, definition, subType) => {
      const problem = templateSendProblem(
        withButtons(definition),
        send([button('0', subType, { type: 'text', text: 'x' })]),
      )
      expect(problem?.code).toBe(132012)
      expect(problem?.details).toContain(`sub_type must be`)
      expect(problem?.details).toContain(`got "${String(subType)}"`)
    })

    it('accepts the button index as a number', () => {
      expect(
        templateSendProblem(
          withButtons(staticUrl, dynamicUrl),
          send([button(1, 'url', { type: 'text', text: '58213' })]),
        ),
      ).toBeNull()
    })

    it('checks each button by its index, whatever the component order', () => {
      const template2 = withButtons(dynamicUrl, { type: 'COPY_CODE' })
      const components = [
        button('1', 'copy_code', { type: 'coupon_code', coupon_code: 'WELCOME25' }),
        button('0', 'url', { type: 'text', text: '58213' }),
      ]
      expect(templateSendProblem(template2, send(components))).toBeNull()
    })

    it.each<[string, string | number | undefined]>([
      ['equal to the number of buttons', '2'],
      ['far out of range', 99],
      ['negative', '-1'],
      ['fractional', '0.5'],
      ['not a number', 'first'],
      ['empty', ''],
      ['blank', ' '],
      ['missing', undefined],
    ])('refuses a button index that is %s with 132012', (_label, index) => {
      const problem = templateSendProblem(
        withButtons(quickReply, quickReply),
        send([button(index, 'quick_reply', { type: 'payload', payload: 'x' })]),
      )
      expect(problem).toEqual({
        code: 132012,
        details: `button component index ${String(index)} does not match a button of the template (it has 2)`,
      })
    })

    it('refuses a button component for a template without buttons with 132012', () => {
      expect(
        templateSendProblem(template(), send([META_POSITIONAL_BODY, button('0', 'quick_reply')]))?.details,
      ).toBe('button component index 0 does not match a button of the template (it has 0)')
    })

    it('refuses two components for the same button with 132012', () => {
      const problem = templateSendProblem(
        withButtons(quickReply, quickReply),
        send([button('0', 'quick_reply'), button(0, 'quick_reply')]),
      )
      expect(problem).toEqual({ code: 132012, details: 'the send has more than one component for button 0' })
    })

    it('reports the first button with a problem', () => {
      const problem = templateSendProblem(withButtons(dynamicUrl, { type: 'OTP' }), send())
      expect(problem?.details).toContain('button 0 (URL)')
    })
  })
})
