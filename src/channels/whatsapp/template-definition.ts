import { z } from 'zod'
import {
  parsePlaceholders,
  TEMPLATE_CATEGORIES,
  TEMPLATE_STATUSES,
  type Template,
  type TemplateButton,
  type TemplateCategory,
} from '../../domain/index.js'
import { dateOrInstant } from '../../shared/validation.js'

const category = z
  .string()
  .transform((text) => text.toUpperCase())
  .pipe(z.enum(TEMPLATE_CATEGORIES as [TemplateCategory, ...TemplateCategory[]], 'unknown template category'))

/** Placeholders must be well formed: `{{1}}` … without gaps, or `{{lowercase_name}}`, never mixed. */
const textWithPlaceholders = (maxPlaceholders: number) =>
  z.string().superRefine((text, context) => {
    const parsed = parsePlaceholders(text)
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.problem })
    else if (parsed.placeholders.names.length > maxPlaceholders)
      context.addIssue({ code: 'custom', message: `at most ${maxPlaceholders} placeholder(s) allowed here` })
  })

const header = z.discriminatedUnion('format', [
  z.strictObject({ format: z.literal('TEXT'), text: textWithPlaceholders(1) }),
  z.strictObject({ format: z.enum(['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']) }),
])

const button = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('QUICK_REPLY'), text: z.string().min(1) }),
  z.strictObject({ type: z.literal('URL'), text: z.string().min(1), url: textWithPlaceholders(1) }),
  z.strictObject({
    type: z.literal('PHONE_NUMBER'),
    text: z.string().min(1),
    phone_number: z.string().min(1),
  }),
  z.strictObject({ type: z.literal('COPY_CODE') }),
  z.strictObject({ type: z.literal('OTP') }),
])

/**
 * A template as carewindow's API, config and scenario files describe it (snake_case JSON). `status` defaults
 * to APPROVED, `issue_resolution` to false.
 */
export const templateDefinitionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, 'a template name is lowercase letters, digits and underscores'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'a language code looks like "en", "en_US" or "pt_BR"'),
  category,
  status: z.enum(TEMPLATE_STATUSES).default('APPROVED'),
  issue_resolution: z.boolean().default(false),
  header: header.optional(),
  body: textWithPlaceholders(Number.MAX_SAFE_INTEGER).pipe(z.string().min(1).max(1024)),
  footer: z.string().max(60).optional(),
  buttons: z.array(button).max(10).optional(),
  category_changes: z.array(z.strictObject({ at: dateOrInstant, previous: category })).optional(),
  library_key: z.string().optional(),
})

export type TemplateDefinitionInput = z.input<typeof templateDefinitionSchema>

/** The policy engine's template for a validated definition. */
export function templateFromDefinition(definition: z.output<typeof templateDefinitionSchema>): Template {
  return {
    name: definition.name,
    language: definition.language,
    category: definition.category,
    status: definition.status,
    issueResolution: definition.issue_resolution,
    body: definition.body,
    ...(definition.header === undefined ? {} : { header: definition.header }),
    ...(definition.footer === undefined ? {} : { footer: definition.footer }),
    ...(definition.buttons === undefined ? {} : { buttons: definition.buttons.map(buttonFromDefinition) }),
    ...(definition.category_changes === undefined
      ? {}
      : { categoryChanges: [...definition.category_changes].sort((a, b) => a.at - b.at) }),
    ...(definition.library_key === undefined ? {} : { libraryKey: definition.library_key }),
  }
}

function buttonFromDefinition(
  definition: z.output<typeof templateDefinitionSchema>['buttons'] extends (infer B)[] | undefined
    ? B
    : never,
): TemplateButton {
  return definition.type === 'PHONE_NUMBER'
    ? { type: 'PHONE_NUMBER', text: definition.text, phoneNumber: definition.phone_number }
    : definition
}
