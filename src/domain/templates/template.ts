import type { Instant } from '../time.js'

/** WhatsApp template categories since 2023-04-01. */
export const CURRENT_TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const
/** The categories of roughly 2022 until 2023-03-31. */
export const TRANSITIONAL_TEMPLATE_CATEGORIES = ['TRANSACTIONAL', 'MARKETING', 'OTP'] as const
/** The categories of the WhatsApp Business API's first years (2018 until about 2022). */
export const LEGACY_TEMPLATE_CATEGORIES = [
  'ACCOUNT_UPDATE',
  'ALERT_UPDATE',
  'APPOINTMENT_UPDATE',
  'AUTO_REPLY',
  'ISSUE_RESOLUTION',
  'PAYMENT_UPDATE',
  'PERSONAL_FINANCE_UPDATE',
  'RESERVATION_UPDATE',
  'SHIPPING_UPDATE',
  'TICKET_UPDATE',
  'TRANSPORTATION_UPDATE',
] as const

/** A template category from any era (TPL-CATEGORY). */
export type TemplateCategory =
  | (typeof CURRENT_TEMPLATE_CATEGORIES)[number]
  | (typeof TRANSITIONAL_TEMPLATE_CATEGORIES)[number]
  | (typeof LEGACY_TEMPLATE_CATEGORIES)[number]

export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = [
  ...CURRENT_TEMPLATE_CATEGORIES,
  'TRANSACTIONAL',
  'OTP',
  ...LEGACY_TEMPLATE_CATEGORIES,
]

/**
 * Template review states as Meta reports them. Only `APPROVED` templates may be sent (TPL-STATUS). `DELETED` is
 * what a template becomes when Meta deletes it or no longer lists it in the account's `message_templates`.
 */
export const TEMPLATE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'LIMIT_EXCEEDED',
  'DELETED',
] as const
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number]

export type TemplateHeader =
  | { readonly format: 'TEXT'; readonly text: string }
  | { readonly format: 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION' }

export type TemplateButton =
  | { readonly type: 'QUICK_REPLY'; readonly text: string }
  | { readonly type: 'URL'; readonly text: string; readonly url: string }
  | { readonly type: 'PHONE_NUMBER'; readonly text: string; readonly phoneNumber: string }
  | { readonly type: 'COPY_CODE' }
  | { readonly type: 'OTP' }

/** A re-categorisation: from `at` the template has a new category; before it, `previous`. */
export interface TemplateCategoryChange {
  readonly at: Instant
  readonly previous: TemplateCategory
}

/** An approved (or not yet approved) message template, as the business registered it with Meta. */
export interface Template {
  readonly name: string
  /** Meta's language code, e.g. `en`, `en_US`, `nl`, `pt_BR`; sends must match it exactly. */
  readonly language: string
  /** The category now. Meta may re-categorise; see {@link categoryAt}. */
  readonly category: TemplateCategory
  readonly status: TemplateStatus
  /** CCW-7: the brief's Issue Resolution tag. Legacy templates of category ISSUE_RESOLUTION carry it implicitly. */
  readonly issueResolution: boolean
  readonly header?: TemplateHeader
  /** The body with `{{1}}`-style positional or `{{ticket_id}}`-style named placeholders. */
  readonly body: string
  readonly footer?: string
  readonly buttons?: readonly TemplateButton[]
  /** Meta's re-categorisations, in any order. */
  readonly categoryChanges?: readonly TemplateCategoryChange[]
  /** TPL-1: the key of the shipped example this template was installed from. */
  readonly libraryKey?: string
}

/** Whether the template carries the Issue Resolution tag (CCW-7). */
export function isIssueResolution(template: Template): boolean {
  return template.issueResolution || template.category === 'ISSUE_RESOLUTION'
}

/** The category the template had at `at` — billing uses the category at the time of sending (TPL-CATEGORY). */
export function categoryAt(template: Template, at: Instant): TemplateCategory {
  // The category before the first change after `at`; with no later change, today's. Order of the list is irrelevant.
  let firstLater: TemplateCategoryChange | undefined
  for (const change of template.categoryChanges ?? []) {
    if (at < change.at && (firstLater === undefined || change.at < firstLater.at)) firstLater = change
  }
  return firstLater === undefined ? template.category : firstLater.previous
}

/** Today's three-way category of any era's category: what consent scopes and per-category prices use. */
export function modernCategoryOf(category: TemplateCategory): 'marketing' | 'utility' | 'authentication' {
  switch (category) {
    case 'MARKETING':
      return 'marketing'
    case 'AUTHENTICATION':
    case 'OTP':
      return 'authentication'
    default:
      // TRANSACTIONAL and the legacy update categories became UTILITY when Meta re-categorised in 2023.
      return 'utility'
  }
}

/** Looks templates up the way Graph does: by exact name and language code. */
export interface TemplateCatalog {
  find(name: string, language: string): Template | undefined
  /** The languages a template name exists in, for error messages. */
  languagesOf(name: string): readonly string[]
}

/** A catalogue over a list of templates; a later entry with the same name and language replaces an earlier one. */
export function templateCatalog(templates: Iterable<Template>): TemplateCatalog {
  const byName = new Map<string, Map<string, Template>>()
  for (const template of templates) {
    let languages = byName.get(template.name)
    if (languages === undefined) {
      languages = new Map()
      byName.set(template.name, languages)
    }
    languages.set(template.language, template)
  }
  return {
    find: (name, language) => byName.get(name)?.get(language),
    languagesOf: (name) => [...(byName.get(name)?.keys() ?? [])],
  }
}

/** An empty catalogue, for contexts without templates. */
export const NO_TEMPLATES: TemplateCatalog = templateCatalog([])
