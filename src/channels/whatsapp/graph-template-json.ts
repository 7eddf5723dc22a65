import { parsePlaceholders, type Template, type TemplateButton } from '../../domain/index.js'

/**
 * A template as Graph's `GET /{WABA-ID}/message_templates` lists it (`name`, `language`, `status`, `category`,
 * `parameter_format`, `components`, `id`): what the sandbox answers, and the inverse of `templateFromGraph` — a
 * template written here and read back is the same template, except for what only carewindow knows (the Issue
 * Resolution tag, the library key, the re-categorisations).
 */
export function graphTemplateJson(template: Template, id: string): Record<string, unknown> {
  const components: Record<string, unknown>[] = []
  if (template.header !== undefined) components.push({ type: 'HEADER', ...template.header })
  components.push({ type: 'BODY', text: template.body })
  if (template.footer !== undefined) components.push({ type: 'FOOTER', text: template.footer })
  if (template.buttons !== undefined && template.buttons.length > 0)
    components.push({ type: 'BUTTONS', buttons: template.buttons.map(graphButton) })
  return {
    name: template.name,
    language: template.language,
    status: template.status,
    category: template.category,
    parameter_format: parameterFormatOf(template),
    components,
    id,
  }
}

function graphButton(button: TemplateButton): Record<string, unknown> {
  return button.type === 'PHONE_NUMBER'
    ? { type: button.type, text: button.text, phone_number: button.phoneNumber }
    : { ...button }
}

/** Graph says NAMED for `{{first_name}}` placeholders, POSITIONAL for `{{1}}` and for texts without any. */
function parameterFormatOf(template: Template): 'NAMED' | 'POSITIONAL' {
  const texts = [template.body, ...(template.header?.format === 'TEXT' ? [template.header.text] : [])]
  const isNamed = texts.some((text) => {
    const parsed = parsePlaceholders(text)
    return parsed.ok && parsed.placeholders.format === 'named'
  })
  return isNamed ? 'NAMED' : 'POSITIONAL'
}
