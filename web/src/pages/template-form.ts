import {
  fillPlaceholders,
  parsePlaceholders,
  type Placeholders,
  templateSendProblem,
  type Template,
  type TemplateButton,
  type TemplateProblem,
  type TemplateSend,
  type TemplateSendComponent,
  type TemplateSendParameter,
} from '@carewindow/policy'
import type { TemplateJson } from '../api-types.js'

/**
 * The composer's template form, checked by carewindow's own policy core — the same `templateSendProblem` the
 * gateway runs on every send — so the agent sees Graph's error (132000, 132012) before sending, not after.
 */

/** One input of the form: a placeholder of the header, the body or a button, or a media header's link. */
export interface TemplateField {
  /** Unique in the form: `body:ticket_id`, `header:1`, `header:link`, `button:0`. */
  readonly key: string
  readonly label: string
  readonly kind: 'text' | 'link' | 'coupon'
}

const MEDIA_HEADERS = ['IMAGE', 'VIDEO', 'DOCUMENT'] as const

/** A text's placeholders (none when malformed: Meta approves no such template). */
function placeholdersIn(text: string): Placeholders {
  const parsed = parsePlaceholders(text)
  return parsed.ok ? parsed.placeholders : { format: 'none', names: [] }
}

function namesOf(text: string): readonly string[] {
  return placeholdersIn(text).names
}

/** The template as the policy core knows it, from the native API's JSON of it. */
export function templateOf(json: TemplateJson): Template {
  return {
    name: json.name,
    language: json.language,
    category: json.category as Template['category'],
    status: json.status as Template['status'],
    issueResolution: json.issue_resolution,
    body: json.body,
    ...(json.header === undefined ? {} : { header: json.header as Template['header'] }),
    ...(json.buttons === undefined
      ? {}
      : {
          buttons: json.buttons.map((button): TemplateButton =>
            button.type === 'PHONE_NUMBER'
              ? { type: 'PHONE_NUMBER', text: button.text ?? '', phoneNumber: button.phone_number ?? '' }
              : (button as TemplateButton),
          ),
        }),
  }
}

/** The inputs the template needs, in the order Graph lists components: header, body, buttons. */
export function fieldsOf(json: TemplateJson): TemplateField[] {
  const fields: TemplateField[] = []
  const header = json.header
  if (header?.format === 'TEXT' && header.text !== undefined)
    for (const name of namesOf(header.text))
      fields.push({ key: `header:${name}`, label: `Header {{${name}}}`, kind: 'text' })
  if (header !== undefined && (MEDIA_HEADERS as readonly string[]).includes(header.format))
    fields.push({
      key: 'header:link',
      label: `Header ${header.format.toLowerCase()} link (https://…)`,
      kind: 'link',
    })
  for (const name of namesOf(json.body)) fields.push({ key: `body:${name}`, label: name, kind: 'text' })
  json.buttons?.forEach((button, index) => {
    if (button.type === 'URL' && namesOf(button.url ?? '').length > 0)
      fields.push({
        key: `button:${index}`,
        label: `Button “${button.text ?? index}” link ending`,
        kind: 'text',
      })
    if (button.type === 'OTP') fields.push({ key: `button:${index}`, label: 'One-time code', kind: 'text' })
    if (button.type === 'COPY_CODE')
      fields.push({ key: `button:${index}`, label: 'Coupon code', kind: 'coupon' })
  })
  return fields
}

function textParameter(text: string, name?: string): TemplateSendParameter {
  return name === undefined ? { type: 'text', text } : { type: 'text', parameter_name: name, text }
}

/** Graph's `template` object for the values typed into the form (an empty value stays empty: the check names it). */
export function templateSendOf(json: TemplateJson, values: Readonly<Record<string, string>>): TemplateSend {
  const value = (key: string) => values[key] ?? ''
  const components: TemplateSendComponent[] = []
  const header = json.header
  if (header?.format === 'TEXT' && header.text !== undefined) {
    const names = namesOf(header.text)
    if (names.length > 0)
      components.push({
        type: 'header',
        parameters: names.map((name) => textParameter(value(`header:${name}`))),
      })
  }
  if (header !== undefined && (MEDIA_HEADERS as readonly string[]).includes(header.format)) {
    const media = header.format.toLowerCase()
    components.push({
      type: 'header',
      parameters: [{ type: media, [media]: { link: value('header:link') } }],
    })
  }
  const body = placeholdersIn(json.body)
  if (body.names.length > 0) {
    const positional = body.format === 'positional'
    components.push({
      type: 'body',
      parameters: body.names.map((name) =>
        textParameter(value(`body:${name}`), positional ? undefined : name),
      ),
    })
  }
  json.buttons?.forEach((button, index) => {
    const given = value(`button:${index}`)
    if ((button.type === 'URL' && namesOf(button.url ?? '').length > 0) || button.type === 'OTP')
      components.push({
        type: 'button',
        sub_type: 'url',
        index: String(index),
        parameters: [textParameter(given)],
      })
    if (button.type === 'COPY_CODE')
      components.push({
        type: 'button',
        sub_type: 'copy_code',
        index: String(index),
        parameters: [{ type: 'coupon_code', coupon_code: given }],
      })
  })
  return {
    name: json.name,
    language: { code: json.language },
    ...(components.length === 0 ? {} : { components }),
  }
}

/** What Graph would answer to this send of the template (132000, 132012), or `null` when it fits. */
export function formProblem(
  json: TemplateJson,
  values: Readonly<Record<string, string>>,
): TemplateProblem | null {
  return templateSendProblem(templateOf(json), templateSendOf(json, values))
}

/** The body as the customer would read it, with the values typed so far. */
export function previewOf(json: TemplateJson, values: Readonly<Record<string, string>>): string {
  return fillPlaceholders(json.body, (name) => values[`body:${name}`] || undefined)
}
