import { describe, expect, it } from 'vitest'

import { utcDate } from '../time.js'
import {
  CURRENT_TEMPLATE_CATEGORIES,
  LEGACY_TEMPLATE_CATEGORIES,
  NO_TEMPLATES,
  TEMPLATE_CATEGORIES,
  TRANSITIONAL_TEMPLATE_CATEGORIES,
  categoryAt,
  isIssueResolution,
  modernCategoryOf,
  templateCatalog,
  type Template,
  type TemplateCategory,
} from './template.js'

function template(overrides: Partial<Template> = {}): Template {
  return {
    name: 'ticket_update',
    language: 'en',
    category: 'UTILITY',
    status: 'APPROVED',
    issueResolution: false,
    body: 'We have updates regarding your ticket {{ticket_id}}.',
    ...overrides,
  }
}

describe('TEMPLATE_CATEGORIES', () => {
  it('holds every category of every era exactly once', () => {
    const all = new Set<string>([
      ...CURRENT_TEMPLATE_CATEGORIES,
      ...TRANSITIONAL_TEMPLATE_CATEGORIES,
      ...LEGACY_TEMPLATE_CATEGORIES,
    ])
    expect(new Set(TEMPLATE_CATEGORIES)).toEqual(all)
    expect(TEMPLATE_CATEGORIES).toHaveLength(all.size)
  })
})

describe('categoryAt', () => {
  const march2023 = utcDate('2023-03-01')
  const april2023 = utcDate('2023-04-01')
  const june2024 = utcDate('2024-06-01')

  it('returns the current category when the template was never re-categorised', () => {
    expect(categoryAt(template({ category: 'MARKETING' }), 0)).toBe('MARKETING')
  })

  it('returns the current category when the list of changes is empty', () => {
    expect(categoryAt(template({ category: 'MARKETING', categoryChanges: [] }), 0)).toBe('MARKETING')
  })

  // 2023-04-01: TRANSACTIONAL → UTILITY; 2024-06-01: Meta re-categorises UTILITY → MARKETING.
  const recategorised = template({
    category: 'MARKETING',
    categoryChanges: [
      { at: april2023, previous: 'TRANSACTIONAL' },
      { at: june2024, previous: 'UTILITY' },
    ],
  })

  it.each<[string, number, TemplateCategory]>([
    ['long before the first change', march2023, 'TRANSACTIONAL'],
    ['1 ms before the first change', april2023 - 1, 'TRANSACTIONAL'],
    ['exactly at the first change', april2023, 'UTILITY'],
    ['between the changes', april2023 + 1, 'UTILITY'],
    ['1 ms before the second change', june2024 - 1, 'UTILITY'],
    ['exactly at the second change', june2024, 'MARKETING'],
    ['after the last change', june2024 + 1, 'MARKETING'],
  ])('uses the category in force %s', (_label, at, expected) => {
    expect(categoryAt(recategorised, at)).toBe(expected)
  })

  it('does not depend on the order the changes are listed in', () => {
    const reversed = template({
      ...recategorised,
      categoryChanges: [...(recategorised.categoryChanges ?? [])].reverse(),
    })
    for (const at of [march2023, april2023, april2023 + 1, june2024 - 1, june2024]) {
      expect(categoryAt(reversed, at)).toBe(categoryAt(recategorised, at))
    }
  })
})

describe('modernCategoryOf', () => {
  const expected: Record<TemplateCategory, 'marketing' | 'utility' | 'authentication'> = {
    MARKETING: 'marketing',
    UTILITY: 'utility',
    AUTHENTICATION: 'authentication',
    TRANSACTIONAL: 'utility',
    OTP: 'authentication',
    ACCOUNT_UPDATE: 'utility',
    ALERT_UPDATE: 'utility',
    APPOINTMENT_UPDATE: 'utility',
    AUTO_REPLY: 'utility',
    ISSUE_RESOLUTION: 'utility',
    PAYMENT_UPDATE: 'utility',
    PERSONAL_FINANCE_UPDATE: 'utility',
    RESERVATION_UPDATE: 'utility',
    SHIPPING_UPDATE: 'utility',
    TICKET_UPDATE: 'utility',
    TRANSPORTATION_UPDATE: 'utility',
  }

  it('has an expectation for every category in TEMPLATE_CATEGORIES', () => {
    expect(Object.keys(expected).sort()).toEqual([...TEMPLATE_CATEGORIES].sort())
  })

  it.each(TEMPLATE_CATEGORIES.map((category) => [category, expected[category]]))(
    'maps %s to %s',
    (category, modern) => {
      expect(modernCategoryOf(category)).toBe(modern)
    },
  )
})

describe('isIssueResolution', () => {
  it('is true for a template carrying the Issue Resolution tag', () => {
    expect(isIssueResolution(template({ issueResolution: true }))).toBe(true)
  })

  it('is true for an untagged legacy template of category ISSUE_RESOLUTION', () => {
    expect(isIssueResolution(template({ category: 'ISSUE_RESOLUTION', issueResolution: false }))).toBe(true)
  })

  it.each(TEMPLATE_CATEGORIES.filter((category) => category !== 'ISSUE_RESOLUTION'))(
    'is false for an untagged %s template',
    (category) => {
      expect(isIssueResolution(template({ category, issueResolution: false }))).toBe(false)
    },
  )
})

describe('templateCatalog', () => {
  const en = template({ language: 'en' })
  const nl = template({ language: 'nl', body: 'We hebben nieuws over je ticket {{ticket_id}}.' })
  const other = template({ name: 'order_update', language: 'en_US' })

  it('finds a template by exact name and language', () => {
    const catalog = templateCatalog([en, nl, other])
    expect(catalog.find('ticket_update', 'en')).toBe(en)
    expect(catalog.find('ticket_update', 'nl')).toBe(nl)
    expect(catalog.find('order_update', 'en_US')).toBe(other)
  })

  it.each([
    ['an unknown name', 'no_such_template', 'en'],
    ['a language the template does not exist in', 'ticket_update', 'de'],
    ['a language that only differs in its region', 'order_update', 'en'],
    ['a name that only differs in case', 'Ticket_Update', 'en'],
  ])('finds nothing for %s', (_label, name, language) => {
    expect(templateCatalog([en, nl, other]).find(name, language)).toBeUndefined()
  })

  it('lets a later entry with the same name and language replace an earlier one', () => {
    const replacement = template({ language: 'en', status: 'PAUSED' })
    const catalog = templateCatalog([en, nl, replacement])
    expect(catalog.find('ticket_update', 'en')).toBe(replacement)
    expect(catalog.languagesOf('ticket_update')).toEqual(['en', 'nl'])
  })

  it('lists the languages of a name in registration order', () => {
    expect(templateCatalog([nl, other, en]).languagesOf('ticket_update')).toEqual(['nl', 'en'])
  })

  it('lists no languages for an unknown name', () => {
    expect(templateCatalog([en]).languagesOf('order_update')).toEqual([])
  })

  it('does not confuse names and languages that concatenate to the same text', () => {
    const a = template({ name: 'ab', language: 'c' })
    const b = template({ name: 'a', language: 'bc' })
    const catalog = templateCatalog([a, b])
    expect(catalog.find('ab', 'c')).toBe(a)
    expect(catalog.find('a', 'bc')).toBe(b)
  })

  it('accepts any iterable, such as a generator', () => {
    function* templates(): Generator<Template> {
      yield en
      yield nl
    }
    expect(templateCatalog(templates()).languagesOf('ticket_update')).toEqual(['en', 'nl'])
  })

  it('NO_TEMPLATES finds nothing', () => {
    expect(NO_TEMPLATES.find('ticket_update', 'en')).toBeUndefined()
    expect(NO_TEMPLATES.languagesOf('ticket_update')).toEqual([])
  })
})
