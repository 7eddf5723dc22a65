import { describe, expect, it } from 'vitest'
import {
  interactiveTemplate,
  META_CURRENCY,
  META_DATE_TIME,
  META_INTERACTIVE_COMPONENTS,
  META_NAMED_COMPONENTS,
  META_NAMED_PARAMETERS,
  META_POSITIONAL_BODY,
  META_TEXT,
  namedSend,
  send,
  template,
  welcomeDiscount,
} from '../testing/template-send-fixtures.js'
import {
  placeholdersOf,
  templateSendProblem,
  type TemplateSend,
  type TemplateSendParameter,
} from './template-send.js'

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
})
