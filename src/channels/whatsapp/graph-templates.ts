import { z } from 'zod'
import {
  parsePlaceholders,
  TEMPLATE_STATUSES,
  type Template,
  type TemplateStatus,
} from '../../domain/index.js'
import { describeIssues } from '../../shared/validation.js'
import { invalidParameter as invalid, type Parsed } from '../wire-problem.js'
import {
  templateDefinitionSchema,
  templateFromDefinition,
  type TemplateDefinitionInput,
} from './template-definition.js'

/** A template of Graph's list that carewindow could not take, and why. */
export interface SkippedGraphTemplate {
  /** `null` when the entry has no usable name or language. */
  readonly name: string | null
  readonly language: string | null
  readonly reason: string
}

export interface GraphTemplateImport {
  readonly templates: readonly Template[]
  readonly skipped: readonly SkippedGraphTemplate[]
}

/**
 * Graph's answer to `GET /{WABA-ID}/message_templates`; only what carewindow reads is checked, the rest is kept
 * loose. Each template in `data` is checked on its own, and one carewindow cannot take is skipped with the reason.
 */
export const graphTemplateListSchema = z.looseObject({
  data: z.array(z.unknown(), '"data" must be the list of templates of Graph’s message_templates answer'),
})

const componentSchema = z.looseObject({ type: z.string().min(1) })

const graphTemplateSchema = z.looseObject({
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.string().min(1),
  category: z.string().min(1),
  parameter_format: z.string().optional(),
  components: z.array(componentSchema),
})

type GraphTemplate = z.output<typeof graphTemplateSchema>
type GraphComponent = z.output<typeof componentSchema>

/** A converted part of a template, or why the template cannot be taken. */
type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string }

const done = <T>(value: T): Step<T> => ({ ok: true, value })
const unsupported = (reason: string): Step<never> => ({ ok: false, reason })

/**
 * Converts Graph's `message_templates` list (`{"data": [...], "paging": {...}}`) into carewindow's templates.
 * Graph knows nothing of the brief's Issue Resolution tag, so every template comes without it. A template
 * carewindow cannot represent (a carousel, a Flow button, an unknown status) or whose texts are not valid is
 * skipped with the reason; the others are still converted. Only a body that is not such a list is a problem.
 */
export function templatesFromGraphList(list: unknown): Parsed<GraphTemplateImport> {
  const parsed = graphTemplateListSchema.safeParse(list)
  if (!parsed.success) return invalid(describeIssues(parsed.error).join('; '))
  const templates: Template[] = []
  const skipped: SkippedGraphTemplate[] = []
  for (const entry of parsed.data.data) {
    const converted = templateFromGraph(entry)
    if (converted.ok) templates.push(converted.template)
    else skipped.push(converted.skipped)
  }
  return { ok: true, value: { templates, skipped } }
}

/** One entry of Graph's list as carewindow's template, or why it is skipped. */
export function templateFromGraph(
  entry: unknown,
):
  | { readonly ok: true; readonly template: Template }
  | { readonly ok: false; readonly skipped: SkippedGraphTemplate } {
  const parsed = graphTemplateSchema.safeParse(entry)
  if (!parsed.success) {
    const loose = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {}
    return {
      ok: false,
      skipped: {
        name: stringOrNull(loose.name),
        language: stringOrNull(loose.language),
        reason: describeIssues(parsed.error).join('; '),
      },
    }
  }
  const graph = parsed.data
  const skipped = (reason: string) =>
    ({ ok: false, skipped: { name: graph.name, language: graph.language, reason } }) as const
  const definition = definitionOf(graph)
  if (!definition.ok) return skipped(definition.reason)
  const valid = templateDefinitionSchema.safeParse(definition.value)
  if (!valid.success) return skipped(describeIssues(valid.error).join('; '))
  return { ok: true, template: templateFromDefinition(valid.data) }
}

/** The definition a Graph template stands for, to be validated as any definition is. */
function definitionOf(graph: GraphTemplate): Step<Readonly<Record<string, unknown>>> {
  const status = graph.status.toUpperCase()
  if (!(TEMPLATE_STATUSES as readonly string[]).includes(status))
    return unsupported(`status ${graph.status} is not one carewindow knows (${TEMPLATE_STATUSES.join(', ')})`)
  const components = new Map<string, GraphComponent>()
  for (const component of graph.components) {
    const type = component.type.toUpperCase()
    if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(type))
      return unsupported(
        `the ${component.type} component is not supported (only HEADER, BODY, FOOTER and BUTTONS are)`,
      )
    if (components.has(type)) return unsupported(`the template has more than one ${type} component`)
    components.set(type, component)
  }
  const body = components.get('BODY')
  if (body === undefined || typeof body.text !== 'string') return unsupported('the template has no BODY text')
  const header = optional(components.get('HEADER'), headerOf)
  if (!header.ok) return header
  const footer = optional(components.get('FOOTER'), footerOf)
  if (!footer.ok) return footer
  const buttons = optional(components.get('BUTTONS'), buttonsOf)
  if (!buttons.ok) return buttons
  const format = parameterFormatProblem(graph.parameter_format, [
    body.text,
    ...(header.value?.format === 'TEXT' ? [header.value.text] : []),
  ])
  if (format !== null) return unsupported(format)
  return done({
    name: graph.name,
    language: graph.language,
    category: graph.category,
    status: status as TemplateStatus,
    body: body.text,
    ...(header.value === undefined ? {} : { header: header.value }),
    ...(footer.value === undefined ? {} : { footer: footer.value }),
    ...(buttons.value === undefined ? {} : { buttons: buttons.value }),
  })
}

function optional<T>(
  component: GraphComponent | undefined,
  convert: (component: GraphComponent) => Step<T>,
): Step<T | undefined> {
  return component === undefined ? done(undefined) : convert(component)
}

function headerOf(component: GraphComponent): Step<NonNullable<TemplateDefinitionInput['header']>> {
  const format = typeof component.format === 'string' ? component.format.toUpperCase() : undefined
  switch (format) {
    case 'TEXT':
      return typeof component.text === 'string'
        ? done({ format: 'TEXT', text: component.text })
        : unsupported('the TEXT header has no text')
    case 'IMAGE':
    case 'VIDEO':
    case 'DOCUMENT':
    case 'LOCATION':
      return done({ format })
    default:
      return unsupported(
        `a ${String(component.format)} header is not supported (TEXT, IMAGE, VIDEO, DOCUMENT and LOCATION are)`,
      )
  }
}

function footerOf(component: GraphComponent): Step<string> {
  if (typeof component.text === 'string') return done(component.text)
  // Authentication templates describe their footer by the code's lifetime; this is the sentence Meta shows.
  const minutes = component.code_expiration_minutes
  if (typeof minutes === 'number') return done(`This code expires in ${minutes} minutes.`)
  return unsupported('the FOOTER has no text')
}

/** A button as a definition takes it; its fields are checked with the definition. */
type DefinitionButton = Readonly<Record<string, unknown>>

function buttonsOf(component: GraphComponent): Step<DefinitionButton[]> {
  if (!Array.isArray(component.buttons)) return unsupported('the BUTTONS component has no "buttons" list')
  const buttons: DefinitionButton[] = []
  for (const button of component.buttons as unknown[]) {
    const fields = typeof button === 'object' && button !== null ? (button as Record<string, unknown>) : {}
    const type = typeof fields.type === 'string' ? fields.type.toUpperCase() : String(fields.type)
    switch (type) {
      case 'QUICK_REPLY':
        buttons.push({ type, text: fields.text })
        break
      case 'URL':
        buttons.push({ type, text: fields.text, url: fields.url })
        break
      case 'PHONE_NUMBER':
        buttons.push({ type, text: fields.text, phone_number: fields.phone_number })
        break
      case 'COPY_CODE':
      case 'OTP':
        // Their texts and examples are Meta's; a send fills them in.
        buttons.push({ type })
        break
      default:
        return unsupported(
          `a ${type} button is not supported (QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE and OTP are)`,
        )
    }
  }
  return done(buttons)
}

/** Graph says which placeholder format a template uses; texts in the other format mean a broken entry. */
function parameterFormatProblem(
  parameterFormat: string | undefined,
  texts: readonly string[],
): string | null {
  if (parameterFormat === undefined) return null
  const declared = parameterFormat.toLowerCase()
  if (declared !== 'named' && declared !== 'positional')
    return `parameter_format ${parameterFormat} is neither NAMED nor POSITIONAL`
  for (const text of texts) {
    const parsed = parsePlaceholders(text)
    // Malformed placeholders are reported by the definition's own validation.
    const format = parsed.ok ? parsed.placeholders.format : 'none'
    if (format !== 'none' && format !== declared)
      return `parameter_format is ${parameterFormat} but the template's text uses ${format} placeholders`
  }
  return null
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}
