import { parsePlaceholders, type Placeholders } from './placeholders.js'
import type { Template, TemplateButton, TemplateHeader } from './template.js'

/**
 * The `template` object of a Graph send body, as the business sends it. Field names stay Graph's
 * (snake_case) because this is the wire shape carewindow validates and forwards unchanged.
 */
export interface TemplateSend {
  readonly name: string
  readonly language: { readonly code: string; readonly policy?: string }
  readonly components?: readonly TemplateSendComponent[]
}

export interface TemplateSendComponent {
  /** `header`, `body` or `button` (Graph accepts any case). */
  readonly type: string
  /** For buttons: `url`, `quick_reply`, `copy_code`. */
  readonly sub_type?: string
  /** For buttons: the button's position in the template, as a number or a numeric string. */
  readonly index?: string | number
  readonly parameters?: readonly TemplateSendParameter[]
}

/** One parameter: `{type: "text", text}`, `{type: "currency", currency: {…}}`, `{type: "image", image: {link}}` … */
export interface TemplateSendParameter {
  readonly type: string
  readonly parameter_name?: string
  readonly [field: string]: unknown
}

/** Graph's codes for template send errors (TPL-STATUS, TPL-PARAMS). */
export type TemplateErrorCode = 132000 | 132001 | 132012 | 132015 | 132016

export interface TemplateProblem {
  readonly code: TemplateErrorCode
  readonly details: string
}

/** Why a template may not be sent in its current status (132001/132015/132016), or `null` when it is approved. */
export function templateStatusProblem(template: Template): TemplateProblem | null {
  switch (template.status) {
    case 'APPROVED':
      return null
    case 'PAUSED':
      return {
        code: 132015,
        details: `Template "${template.name}" (${template.language}) is paused due to low quality and cannot be sent until Meta un-pauses it.`,
      }
    case 'DISABLED':
      return {
        code: 132016,
        details: `Template "${template.name}" (${template.language}) has been paused too many times due to low quality and is permanently disabled.`,
      }
    case 'DELETED':
      return {
        code: 132001,
        details: `Template "${template.name}" (${template.language}) was deleted from the WhatsApp Business Account; Meta no longer lists it.`,
      }
    default:
      return {
        code: 132001,
        details: `Template "${template.name}" (${template.language}) has status ${template.status}; only APPROVED templates may be sent.`,
      }
  }
}

/** The placeholders of a template text; texts with malformed placeholders are rejected when templates are registered. */
export function placeholdersOf(text: string): Placeholders {
  // Every send re-reads its template's texts; they are few and never change, so parse each once.
  let placeholders = parsedTexts.get(text)
  if (placeholders === undefined) {
    const parsed = parsePlaceholders(text)
    placeholders = parsed.ok ? parsed.placeholders : { format: 'none', names: [] }
    if (parsedTexts.size >= MAX_PARSED_TEXTS) parsedTexts.clear()
    parsedTexts.set(text, placeholders)
  }
  return placeholders
}

const MAX_PARSED_TEXTS = 10_000
const parsedTexts = new Map<string, Placeholders>()

/**
 * Checks a send's components and parameters against the template: the number of parameters per component
 * (132000), their names for named templates (132000), and their types and values (132012).
 * Returns `null` when the send fits the template.
 */
export function templateSendProblem(template: Template, send: TemplateSend): TemplateProblem | null {
  const components = send.components ?? []
  let header: TemplateSendComponent | undefined
  let body: TemplateSendComponent | undefined
  // Most sends have no button components; the map is made only for those that do.
  let buttons: Map<number, TemplateSendComponent> | undefined
  for (const component of components) {
    const type = lowerCase(component.type)
    if (type === 'header' || type === 'body') {
      if ((type === 'header' ? header : body) !== undefined)
        return formatProblem(`the send has more than one ${type} component`)
      if (type === 'header') header = component
      else body = component
    } else if (type === 'button') {
      // Only digits name a button: Number('') and Number(' ') would be 0.
      const index = /^\d+$/.test(String(component.index)) ? Number(component.index) : Number.NaN
      const button = Number.isInteger(index) ? template.buttons?.[index] : undefined
      if (button === undefined)
        return formatProblem(
          `button component index ${String(component.index)} does not match a button of the template (it has ${template.buttons?.length ?? 0})`,
        )
      buttons ??= new Map()
      if (buttons.has(index)) return formatProblem(`the send has more than one component for button ${index}`)
      buttons.set(index, component)
    } else {
      return formatProblem(`unsupported component type "${component.type}"; use header, body or button`)
    }
  }
  return (
    headerProblem(template.header, header) ??
    bodyProblem(template.body, body) ??
    buttonsProblem(template.buttons ?? [], buttons)
  )
}

function headerProblem(
  definition: TemplateHeader | undefined,
  component: TemplateSendComponent | undefined,
): TemplateProblem | null {
  const given = component?.parameters ?? []
  if (
    definition === undefined ||
    (definition.format === 'TEXT' && placeholdersOf(definition.text).names.length === 0)
  ) {
    return given.length === 0 ? null : countProblem('header', given.length, 0)
  }
  if (given.length !== 1) return countProblem('header', given.length, 1)
  const parameter = given[0] as TemplateSendParameter
  if (definition.format === 'TEXT') return textParameterProblem('header', parameter)
  if (definition.format === 'LOCATION') {
    const location = recordOf(parameter.location)
    if (parameter.type !== 'location' || location === undefined)
      return formatProblem(
        `header: the template has a LOCATION header; send {"type": "location", "location": {…}}`,
      )
    if (!isCoordinate(location.latitude) || !isCoordinate(location.longitude))
      return formatProblem('header: location needs latitude and longitude')
    return null
  }
  const media = definition.format.toLowerCase()
  const value = recordOf(parameter[media])
  if (parameter.type !== media || value === undefined)
    return formatProblem(
      `header: the template has a ${definition.format} header; send {"type": "${media}", "${media}": {"id" or "link": …}}`,
    )
  if (typeof value.id !== 'string' && typeof value.link !== 'string')
    return formatProblem(`header: the ${media} needs an "id" or a "link"`)
  return null
}

function bodyProblem(text: string, component: TemplateSendComponent | undefined): TemplateProblem | null {
  const expected = placeholdersOf(text)
  const given = component?.parameters ?? []
  if (given.length !== expected.names.length) return countProblem('body', given.length, expected.names.length)
  if (expected.format === 'named') {
    const seen = new Set<string>()
    for (const parameter of given) {
      const name = parameter.parameter_name
      if (typeof name !== 'string')
        return countMismatch(
          `body: the template uses named parameters (${listNames(expected.names)}); give each parameter a "parameter_name"`,
        )
      if (!expected.names.includes(name))
        return countMismatch(
          `body: "${name}" is not a parameter of the template; expected ${listNames(expected.names)}`,
        )
      if (seen.has(name)) return countMismatch(`body: parameter "${name}" is given twice`)
      seen.add(name)
    }
  } else {
    const named = given.find((parameter) => parameter.parameter_name !== undefined)
    if (named !== undefined)
      return formatProblem(
        `body: the template uses positional parameters ({{1}} …); remove "parameter_name" ("${String(named.parameter_name)}")`,
      )
  }
  for (const parameter of given) {
    const problem = bodyParameterProblem(parameter)
    if (problem !== null) return problem
  }
  return null
}

function bodyParameterProblem(parameter: TemplateSendParameter): TemplateProblem | null {
  const label =
    parameter.parameter_name === undefined ? 'body' : `body parameter "${parameter.parameter_name}"`
  switch (parameter.type) {
    case 'text':
      return textParameterProblem(label, parameter)
    case 'currency': {
      const currency = recordOf(parameter.currency)
      if (
        currency === undefined ||
        typeof currency.fallback_value !== 'string' ||
        typeof currency.code !== 'string' ||
        !Number.isInteger(currency.amount_1000)
      )
        return formatProblem(
          `${label}: a currency parameter needs "currency": {"fallback_value": string, "code": "USD", "amount_1000": integer}`,
        )
      return null
    }
    case 'date_time': {
      const dateTime = recordOf(parameter.date_time)
      if (dateTime === undefined || typeof dateTime.fallback_value !== 'string')
        return formatProblem(`${label}: a date_time parameter needs "date_time": {"fallback_value": string}`)
      return null
    }
    default:
      return formatProblem(
        `${label}: parameter type "${parameter.type}" is not allowed in the body; use text, currency or date_time`,
      )
  }
}

// Graph refuses parameter text that is empty, holds new lines or tabs, or more than four spaces in a row.
function textParameterProblem(label: string, parameter: TemplateSendParameter): TemplateProblem | null {
  if (parameter.type !== 'text')
    return formatProblem(`${label}: expected a text parameter, got "${parameter.type}"`)
  const text = parameter.text
  if (typeof text !== 'string' || text.trim() === '')
    return formatProblem(`${label}: a text parameter needs a non-empty "text"`)
  if (/[\n\t]| {5}/.test(text))
    return formatProblem(
      `${label}: parameter text may not contain new lines, tabs or more than four consecutive spaces`,
    )
  return null
}

function buttonsProblem(
  definitions: readonly TemplateButton[],
  given: ReadonlyMap<number, TemplateSendComponent> | undefined,
): TemplateProblem | null {
  for (let index = 0; index < definitions.length; index++) {
    const problem = buttonProblem(index, definitions[index] as TemplateButton, given?.get(index))
    if (problem !== null) return problem
  }
  return null
}

function buttonProblem(
  index: number,
  definition: TemplateButton,
  component: TemplateSendComponent | undefined,
): TemplateProblem | null {
  const label = `button ${index} (${definition.type})`
  const parameters = component?.parameters ?? []
  const expectedSubType = BUTTON_SUB_TYPES[definition.type]
  if (component !== undefined) {
    if (expectedSubType === undefined)
      return formatProblem(`${label} takes no parameters; remove its component`)
    if (component.sub_type?.toLowerCase() !== expectedSubType)
      return formatProblem(
        `${label}: sub_type must be "${expectedSubType}", got "${String(component.sub_type)}"`,
      )
  }
  switch (definition.type) {
    case 'URL': {
      const expected = placeholdersOf(definition.url).names.length
      if (parameters.length !== expected) return countProblem(label, parameters.length, expected)
      return expected === 0 ? null : textParameterProblem(label, parameters[0] as TemplateSendParameter)
    }
    case 'OTP':
      if (parameters.length !== 1) return countProblem(label, parameters.length, 1)
      return textParameterProblem(label, parameters[0] as TemplateSendParameter)
    case 'COPY_CODE': {
      if (parameters.length !== 1) return countProblem(label, parameters.length, 1)
      const parameter = parameters[0] as TemplateSendParameter
      if (
        parameter.type !== 'coupon_code' ||
        typeof parameter.coupon_code !== 'string' ||
        parameter.coupon_code === ''
      )
        return formatProblem(`${label}: send {"type": "coupon_code", "coupon_code": "…"}`)
      return null
    }
    case 'QUICK_REPLY': {
      if (parameters.length > 1) return countProblem(label, parameters.length, 1)
      const parameter = parameters[0]
      if (parameter !== undefined && (parameter.type !== 'payload' || typeof parameter.payload !== 'string'))
        return formatProblem(`${label}: send {"type": "payload", "payload": "…"}`)
      return null
    }
    case 'PHONE_NUMBER':
      return null
  }
}

const BUTTON_SUB_TYPES: Readonly<Record<TemplateButton['type'], string | undefined>> = {
  URL: 'url',
  OTP: 'url',
  COPY_CODE: 'copy_code',
  QUICK_REPLY: 'quick_reply',
  PHONE_NUMBER: undefined,
}

function countProblem(label: string, given: number, expected: number): TemplateProblem {
  return countMismatch(
    `${label}: number of parameters (${given}) does not match the expected number of params (${expected})`,
  )
}

function countMismatch(details: string): TemplateProblem {
  return { code: 132000, details }
}

function formatProblem(details: string): TemplateProblem {
  return { code: 132012, details }
}

function listNames(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ')
}

function isCoordinate(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'string'
}

function recordOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

// Graph accepts component types in any case; nearly every client already sends lower case.
function lowerCase(text: string): string {
  return text === 'body' || text === 'header' || text === 'button' ? text : text.toLowerCase()
}
