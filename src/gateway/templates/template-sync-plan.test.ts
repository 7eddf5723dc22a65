import { describe, expect, it } from 'vitest'
import type { Template } from '../../domain/index.js'
import { mergedWithKnown, planTemplateSync } from './template-sync-plan.js'

const T0 = Date.parse('2025-03-01T10:00:00Z')

function template(name: string, overrides: Partial<Template> = {}): Template {
  return {
    name,
    language: 'en',
    category: 'UTILITY',
    status: 'APPROVED',
    issueResolution: false,
    body: `About ${name}: {{1}}`,
    ...overrides,
  }
}

describe('planTemplateSync', () => {
  it('adds what only Meta has, updates what changed, and counts what did not', () => {
    const current = [template('same'), template('paused_now')]
    const listed = [template('same'), template('paused_now', { status: 'PAUSED' }), template('brand_new')]

    const plan = planTemplateSync(current, listed, [], T0)

    expect(plan).toEqual({
      writes: [template('paused_now', { status: 'PAUSED' }), template('brand_new')],
      added: 1,
      updated: 1,
      unchanged: 1,
      removed: 0,
    })
  })

  it('marks what Meta no longer lists DELETED, once', () => {
    const current = [template('gone'), template('gone_before', { status: 'DELETED' })]

    const plan = planTemplateSync(current, [], [], T0)

    expect(plan.writes).toEqual([template('gone', { status: 'DELETED' })])
    expect(plan.removed).toBe(1)
  })

  it('tells languages apart: a name Meta lists in one language does not keep its other language', () => {
    const current = [template('notice'), template('notice', { language: 'nl' })]

    const plan = planTemplateSync(current, [template('notice')], [], T0)

    expect(plan.writes).toEqual([template('notice', { language: 'nl', status: 'DELETED' })])
  })

  it('leaves templates Meta lists but carewindow cannot read as they are', () => {
    const plan = planTemplateSync([template('carousel')], [], [{ name: 'carousel', language: 'en' }], T0)

    expect(plan).toMatchObject({ writes: [], removed: 0 })
  })

  it('writes nothing when the list is what carewindow already has', () => {
    const current = [template('a', { issueResolution: true, libraryKey: 'a' }), template('b')]
    const listed = [template('a'), template('b')]

    expect(planTemplateSync(current, listed, [], T0)).toEqual({
      writes: [],
      added: 0,
      updated: 0,
      unchanged: 2,
      removed: 0,
    })
  })
})

describe('mergedWithKnown', () => {
  it('keeps the tag, the library key and past re-categorisations, and records a new one', () => {
    const existing = template('ticket_update', {
      category: 'UTILITY',
      issueResolution: true,
      libraryKey: 'ticket_update',
      categoryChanges: [{ at: T0 - 1, previous: 'TRANSACTIONAL' }],
    })

    const merged = mergedWithKnown(template('ticket_update', { category: 'MARKETING' }), existing, T0)

    expect(merged).toEqual({
      ...existing,
      category: 'MARKETING',
      categoryChanges: [
        { at: T0 - 1, previous: 'TRANSACTIONAL' },
        { at: T0, previous: 'UTILITY' },
      ],
    })
  })

  it('takes Meta’s texts and status over carewindow’s', () => {
    const existing = template('order', { body: 'Old {{1}}', status: 'PENDING' })

    expect(mergedWithKnown(template('order', { body: 'New {{1}}' }), existing, T0)).toEqual(
      template('order', { body: 'New {{1}}' }),
    )
  })
})
