import { describe, expect, it } from 'vitest'

import {
  EXAMPLE_LANGUAGES,
  ISSUE_RESOLUTION_EXAMPLES,
  issueResolutionTemplates,
  type ExampleLanguage,
} from './issue-resolution-library.js'
import { parsePlaceholders } from './placeholders.js'
import { templateSendProblem, type TemplateSend } from './template-send.js'
import { TEMPLATE_STATUSES, isIssueResolution } from './template.js'

const translations = ISSUE_RESOLUTION_EXAMPLES.flatMap((example) =>
  EXAMPLE_LANGUAGES.map((language) => ({ example, language, ...example.translations[language] })),
)

describe('ISSUE_RESOLUTION_EXAMPLES', () => {
  it('ships at least six examples', () => {
    expect(ISSUE_RESOLUTION_EXAMPLES.length).toBeGreaterThanOrEqual(6)
  })

  it('gives every example a distinct key that is a valid template name', () => {
    const keys = ISSUE_RESOLUTION_EXAMPLES.map((example) => example.key)
    expect(new Set(keys).size).toBe(keys.length)
    for (const key of keys) expect(key).toMatch(/^[a-z][a-z0-9_]*$/)
  })

  it('covers English, Dutch, French, German and Spanish', () => {
    expect([...EXAMPLE_LANGUAGES].sort()).toEqual(['de', 'en', 'es', 'fr', 'nl'])
  })

  it.each(ISSUE_RESOLUTION_EXAMPLES.map((example) => [example.key, example]))(
    '%s has a purpose and a non-empty body and button in every language',
    (_key, example) => {
      expect(example.purpose.trim()).not.toBe('')
      expect(Object.keys(example.translations).sort()).toEqual([...EXAMPLE_LANGUAGES].sort())
      for (const language of EXAMPLE_LANGUAGES) {
        expect(example.translations[language].body.trim()).not.toBe('')
        expect(example.translations[language].button.trim()).not.toBe('')
      }
    },
  )

  it("uses the brief's exact sentence as the English ticket_update body (TPL-1)", () => {
    const ticketUpdate = ISSUE_RESOLUTION_EXAMPLES.find((example) => example.key === 'ticket_update')
    expect(ticketUpdate?.translations.en.body).toBe(
      "We have updates regarding your ticket {{ticket_id}}. Please respond back if you'd like to continue support.",
    )
  })

  it.each(translations.map((entry) => [entry.example.key, entry.language, entry]))(
    '%s (%s) uses exactly the example keys as named placeholders',
    (_key, _language, { example, body }) => {
      const parsed = parsePlaceholders(body)
      expect(parsed.ok).toBe(true)
      if (!parsed.ok) return
      expect(parsed.placeholders.format).toBe('named')
      expect([...parsed.placeholders.names].sort()).toEqual(Object.keys(example.examples).sort())
    },
  )

  // Meta's template limits: body up to 1,024 characters, button labels up to 25.
  it.each(translations.map((entry) => [entry.example.key, entry.language, entry]))(
    '%s (%s) fits Meta’s length limits for the body and the button label',
    (_key, _language, { body, button }) => {
      expect(body.length).toBeLessThanOrEqual(1024)
      expect(button.length).toBeLessThanOrEqual(25)
    },
  )
})

describe('issueResolutionTemplates', () => {
  it('registers every example in every language, pending by default', () => {
    const templates = issueResolutionTemplates()
    expect(templates).toHaveLength(ISSUE_RESOLUTION_EXAMPLES.length * EXAMPLE_LANGUAGES.length)
    expect(new Set(templates.map((template) => template.status))).toEqual(new Set(['PENDING']))
    expect(new Set(templates.map((template) => `${template.name}/${template.language}`)).size).toBe(
      templates.length,
    )
  })

  it('tags every template Issue Resolution, as UTILITY, with its libraryKey', () => {
    for (const template of issueResolutionTemplates()) {
      expect(template.issueResolution).toBe(true)
      expect(isIssueResolution(template)).toBe(true)
      expect(template.category).toBe('UTILITY')
      expect(template.libraryKey).toBe(template.name)
    }
  })

  it('gives each template the translation of its language and one quick-reply button', () => {
    const templates = issueResolutionTemplates()
    for (const { example, language, body, button } of translations) {
      const template = templates.find((t) => t.name === example.key && t.language === language)
      expect(template?.body).toBe(body)
      expect(template?.buttons).toEqual([{ type: 'QUICK_REPLY', text: button }])
    }
  })

  it.each(TEMPLATE_STATUSES)('registers the templates with status %s when asked', (status) => {
    expect(new Set(issueResolutionTemplates(status).map((template) => template.status))).toEqual(
      new Set([status]),
    )
  })

  it('registers only the languages asked for', () => {
    const languages: ExampleLanguage[] = ['nl', 'de']
    const templates = issueResolutionTemplates('APPROVED', languages)
    expect(templates).toHaveLength(ISSUE_RESOLUTION_EXAMPLES.length * 2)
    expect(new Set(templates.map((template) => template.language))).toEqual(new Set(languages))
  })

  it('registers nothing for an empty language list', () => {
    expect(issueResolutionTemplates('APPROVED', [])).toEqual([])
  })

  it.each(
    issueResolutionTemplates('APPROVED').map((template) => [template.name, template.language, template]),
  )(
    '%s (%s) validates when sent with its example values as named parameters',
    (_name, _language, template) => {
      const example = ISSUE_RESOLUTION_EXAMPLES.find((candidate) => candidate.key === template.libraryKey)!
      const send: TemplateSend = {
        name: template.name,
        language: { code: template.language },
        components: [
          {
            type: 'body',
            parameters: Object.entries(example.examples).map(([name, text]) => ({
              type: 'text',
              parameter_name: name,
              text,
            })),
          },
        ],
      }
      expect(templateSendProblem(template, send)).toBeNull()
    },
  )
})
