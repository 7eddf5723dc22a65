import { describe, expect, it } from 'vitest'
import { describeIssues } from '../../shared/validation.js'
import {
  templateDefinitionSchema,
  templateFromDefinition,
  type TemplateDefinitionInput,
} from './template-definition.js'

const base = {
  name: 'ticket_update',
  language: 'en',
  category: 'UTILITY',
  body: 'We have updates regarding your ticket {{ticket_id}}.',
} as const

/** The engine's template for a definition, or the problems with it. */
function load(definition: unknown) {
  const parsed = templateDefinitionSchema.safeParse(definition)
  return parsed.success
    ? { ok: true as const, template: templateFromDefinition(parsed.data) }
    : { ok: false as const, problems: describeIssues(parsed.error) }
}

function problemsOf(definition: unknown): string[] {
  const loaded = load(definition)
  if (loaded.ok) throw new Error('expected the definition to be rejected')
  return loaded.problems
}

describe('template definitions', () => {
  it('turns a named-placeholder definition into an approved template without the Issue Resolution tag', () => {
    expect(load(base)).toEqual({
      ok: true,
      template: {
        name: 'ticket_update',
        language: 'en',
        category: 'UTILITY',
        status: 'APPROVED',
        issueResolution: false,
        body: 'We have updates regarding your ticket {{ticket_id}}.',
      },
    })
  })

  it('keeps status, issue_resolution, footer and library key as given', () => {
    const definition: TemplateDefinitionInput = {
      ...base,
      language: 'en_US',
      status: 'PAUSED',
      issue_resolution: true,
      footer: 'Reply STOP to opt out',
      library_key: 'ticket_update',
    }
    expect(load(definition)).toMatchObject({
      ok: true,
      template: {
        language: 'en_US',
        status: 'PAUSED',
        issueResolution: true,
        footer: 'Reply STOP to opt out',
        libraryKey: 'ticket_update',
      },
    })
  })

  it('accepts positional placeholders numbered without gaps, in any order and repeated', () => {
    expect(load({ ...base, body: 'Order {{2}} for {{1}} ships {{2}}.' })).toMatchObject({ ok: true })
  })

  it.each(['utility', 'Marketing', 'authentication', 'transactional', 'issue_resolution'])(
    'upper-cases the category %j',
    (category) => {
      expect(load({ ...base, category })).toMatchObject({
        ok: true,
        template: { category: category.toUpperCase() },
      })
    },
  )

  it.each([
    [{ format: 'TEXT', text: 'Your ticket {{1}}' }],
    [{ format: 'IMAGE' }],
    [{ format: 'VIDEO' }],
    [{ format: 'DOCUMENT' }],
    [{ format: 'LOCATION' }],
  ])('keeps the header %j', (header) => {
    expect(load({ ...base, body: 'Hello {{1}}', header })).toMatchObject({ ok: true, template: { header } })
  })

  it('reads every button type, renaming phone_number to phoneNumber', () => {
    const loaded = load({
      ...base,
      buttons: [
        { type: 'QUICK_REPLY', text: 'Continue support' },
        { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
        { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+31201234567' },
        { type: 'COPY_CODE' },
        { type: 'OTP' },
      ],
    })
    expect(loaded.ok && loaded.template.buttons).toEqual([
      { type: 'QUICK_REPLY', text: 'Continue support' },
      { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
      { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+31201234567' },
      { type: 'COPY_CODE' },
      { type: 'OTP' },
    ])
  })

  it('sorts category changes by date, reading dates and instants and upper-casing the previous category', () => {
    const loaded = load({
      ...base,
      category_changes: [
        { at: '2024-06-01T12:00:00+02:00', previous: 'utility' },
        { at: '2023-04-01', previous: 'SHIPPING_UPDATE' },
      ],
    })
    expect(loaded.ok && loaded.template.categoryChanges).toEqual([
      { at: Date.parse('2023-04-01T00:00:00Z'), previous: 'SHIPPING_UPDATE' },
      { at: Date.parse('2024-06-01T10:00:00Z'), previous: 'UTILITY' },
    ])
  })

  it.each([
    ['a name with capitals and dashes', { name: 'Ticket-Update' }, 'name: a template name is lowercase'],
    ['an empty name', { name: '' }, 'name: a template name is lowercase'],
    ['a language that is not a code', { language: 'english' }, 'language: a language code looks like'],
    [
      'a language with a dash instead of an underscore',
      { language: 'en-US' },
      'language: a language code looks like',
    ],
    ['an unknown category', { category: 'PROMOTION' }, 'category: unknown template category'],
    ['an unknown status', { status: 'LIVE' }, 'status:'],
    ['an unknown key', { parameter_format: 'named' }, 'Unrecognized key: "parameter_format"'],
    ['an empty body', { body: '' }, 'body:'],
    ['a body over 1024 characters', { body: 'x'.repeat(1025) }, 'body:'],
    ['a footer over 60 characters', { footer: 'x'.repeat(61) }, 'footer:'],
    [
      'mixed placeholders',
      { body: 'Hi {{1}}, ticket {{ticket_id}}' },
      'body: the text mixes positional ({{1}}) and named',
    ],
    ['a gap in positional placeholders', { body: '{{1}} and {{3}}' }, 'found {{3}} where {{2}} was expected'],
    ['a malformed placeholder', { body: 'Hi {{First Name}}' }, '"{{First Name}}" is not a placeholder'],
    [
      'two placeholders in a TEXT header',
      { header: { format: 'TEXT', text: '{{1}} and {{2}}' } },
      'header.text: at most 1 placeholder(s) allowed here',
    ],
    ['an unknown header format', { header: { format: 'AUDIO' } }, 'header.format'],
    ['an unknown button type', { buttons: [{ type: 'FLOW' }] }, 'buttons[0].type'],
    ['a URL button without url', { buttons: [{ type: 'URL', text: 'Track' }] }, 'buttons[0].url'],
    [
      'a URL button with two placeholders',
      { buttons: [{ type: 'URL', text: 'Track', url: 'https://x.example/{{1}}/{{2}}' }] },
      'buttons[0].url: at most 1 placeholder(s)',
    ],
    ['more than ten buttons', { buttons: Array(11).fill({ type: 'OTP' }) }, 'buttons:'],
    [
      'a category change with a bad date',
      { category_changes: [{ at: '2023-13-01', previous: 'UTILITY' }] },
      'category_changes[0].at: "2023-13-01" is not a date',
    ],
    [
      'a category change to an unknown category',
      { category_changes: [{ at: '2023-04-01', previous: 'NEWS' }] },
      'category_changes[0].previous: unknown template category',
    ],
  ])('rejects %s, saying what is wrong', (_name, change, problem) => {
    expect(problemsOf({ ...base, ...change }).join('\n')).toContain(problem)
  })

  it('lists every problem of a definition, not only the first', () => {
    expect(problemsOf({ name: 'Bad Name', language: 'xx-yy', category: 'NEWS', body: '' })).toHaveLength(4)
  })
})
