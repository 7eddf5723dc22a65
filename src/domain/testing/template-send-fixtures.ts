import type {
  TemplateSend,
  TemplateSendComponent,
  TemplateSendParameter,
} from '../templates/template-send.js'
import type { Template } from '../templates/template.js'

/**
 * Fixtures shared by the tests of a template send (templates/template-send-*.test.ts): Meta's own example sends
 * from its reference, and the templates they are sent for.
 */

/**
 * Meta's `order_total` example template, positional: `Hello {{1}}, your total is {{2}}, due on {{3}}.`;
 * `overrides` changes what the test is about.
 */
export function template(overrides: Partial<Template> = {}): Template {
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

/** A send of the template `name` in en_US, with `components` (none at all when left out). */
export function send(components?: readonly TemplateSendComponent[], name = 'order_total'): TemplateSend {
  return components === undefined
    ? { name, language: { code: 'en_US' } }
    : { name, language: { code: 'en_US' }, components }
}

// Meta's "Send Message Template Text" body parameters (reference §1.2), positional.

/** Meta's text parameter. */
export const META_TEXT: TemplateSendParameter = { type: 'text', text: 'text-string' }
/** Meta's currency parameter. */
export const META_CURRENCY: TemplateSendParameter = {
  type: 'currency',
  currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 },
}
/** Meta's date_time parameter. */
export const META_DATE_TIME: TemplateSendParameter = {
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
/** The body of `order_total`: the three parameters above. */
export const META_POSITIONAL_BODY: TemplateSendComponent = {
  type: 'body',
  parameters: [META_TEXT, META_CURRENCY, META_DATE_TIME],
}

/** Meta's "Send Message Template Interactive" (reference §1.2): an image header, the same body, two quick replies. */
export const META_INTERACTIVE_COMPONENTS: readonly TemplateSendComponent[] = [
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
/** The template Meta's interactive example is sent for. */
export const interactiveTemplate = template({
  header: { format: 'IMAGE' },
  buttons: [
    { type: 'QUICK_REPLY', text: 'Yes' },
    { type: 'QUICK_REPLY', text: 'No' },
  ],
})

/** Meta's custom-marketing-templates example (reference §1.2): named parameters and an image header. */
export const welcomeDiscount = template({
  name: 'welcome_discount_template',
  category: 'MARKETING',
  header: { format: 'IMAGE' },
  body: 'Hi {{first_name}}! Use code {{discount_code}} at checkout for {{discount_amount}} off your first order.',
})
/** The body parameters of `welcome_discount_template`, by name. */
export const META_NAMED_PARAMETERS: readonly TemplateSendParameter[] = [
  { type: 'text', parameter_name: 'first_name', text: 'Jessica' },
  { type: 'text', parameter_name: 'discount_code', text: 'WELCOME25' },
  { type: 'text', parameter_name: 'discount_amount', text: '25%' },
]
/** The image header of Meta's `welcome_discount_template` example, by media id. */
const META_NAMED_HEADER: TemplateSendComponent = {
  type: 'header',
  parameters: [{ type: 'image', image: { id: '1339522734477770' } }],
}
/** Meta's send of `welcome_discount_template`: the header and the named body parameters. */
export const META_NAMED_COMPONENTS: readonly TemplateSendComponent[] = [
  META_NAMED_HEADER,
  { type: 'body', parameters: META_NAMED_PARAMETERS },
]

/** A send of `welcome_discount_template` with Meta's header and `parameters` as its body. */
export function namedSend(parameters: readonly TemplateSendParameter[]): TemplateSend {
  return send([META_NAMED_HEADER, { type: 'body', parameters }], 'welcome_discount_template')
}
