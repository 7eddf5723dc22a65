import { fillPlaceholders } from './placeholders.js'
import type { TemplateSend, TemplateSendParameter } from './template-send.js'
import type { Template } from './template.js'

/** What the contact would see: the template's texts with the send's parameters filled in. */
export interface TemplatePreview {
  readonly header: string | null
  readonly body: string
  readonly footer: string | null
  readonly buttons: readonly string[]
}

/**
 * Renders a preview. Text parameters show their text; currency and date/time parameters their
 * `fallback_value`; placeholders without a value stay visible as `{{name}}`, so a preview without a send
 * shows the template as written.
 */
export function renderTemplate(template: Template, send?: TemplateSend): TemplatePreview {
  const components = send?.components ?? []
  const parametersOf = (type: string): readonly TemplateSendParameter[] =>
    components.find((component) => component.type.toLowerCase() === type)?.parameters ?? []
  const header = template.header
  return {
    header:
      header === undefined
        ? null
        : header.format === 'TEXT'
          ? fillPlaceholders(header.text, valuesFrom(parametersOf('header')))
          : `[${header.format.toLowerCase()}]`,
    body: fillPlaceholders(template.body, valuesFrom(parametersOf('body'))),
    footer: template.footer ?? null,
    buttons: (template.buttons ?? []).map((button) => {
      switch (button.type) {
        case 'URL':
        case 'QUICK_REPLY':
        case 'PHONE_NUMBER':
          return button.text
        case 'COPY_CODE':
          return 'Copy code'
        case 'OTP':
          return 'Copy code'
      }
    }),
  }
}

function valuesFrom(parameters: readonly TemplateSendParameter[]): (name: string) => string | undefined {
  return (name) => {
    const parameter =
      parameters.find((candidate) => candidate.parameter_name === name) ?? parameters[Number(name) - 1]
    return parameter === undefined ? undefined : displayValue(parameter)
  }
}

function displayValue(parameter: TemplateSendParameter): string | undefined {
  if (typeof parameter.text === 'string') return parameter.text
  const nested = parameter[parameter.type] as { fallback_value?: unknown } | undefined
  return typeof nested?.fallback_value === 'string' ? nested.fallback_value : undefined
}
