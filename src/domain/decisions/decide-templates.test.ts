import { describe, expect, it } from 'vitest'
import { CLOSED, LAST, templateMessage, userMessage } from '../testing/builders.js'
import { decideAt } from '../testing/decide-fixtures.js'
import { DAY_MS, HOUR_MS } from '../time.js'
import { decide } from './decide.js'

describe('decide: templates', () => {
  const history = [userMessage(LAST)]

  it('says when a template does not exist at all', () => {
    const decision = decideAt(templateMessage('no_such_template'), LAST, { history })
    expect(decision.allowed || decision.error.details).toBe(
      'There is no template named "no_such_template". Register it (or import your templates from Meta) first.',
    )
    expect(decision.template).toBeNull()
  })

  it('names the languages a template exists in when the requested one is missing', () => {
    const decision = decideAt(templateMessage('account_notice', [], 'de'), LAST, { history })
    expect(decision).toMatchObject({ reason: 'TEMPLATE_NOT_FOUND' })
    expect(decision.allowed || decision.error.details).toBe(
      'Template "account_notice" does not exist in language "de"; it exists in en, nl.',
    )
  })

  it('refuses every template when the context has no catalogue', () => {
    expect(decide(templateMessage('account_notice'), { history }, LAST).reason).toBe('TEMPLATE_NOT_FOUND')
  })

  it('finds a template by its exact language', () => {
    const decision = decideAt(templateMessage('account_notice', [], 'nl'), LAST + HOUR_MS, { history })
    expect(decision).toMatchObject({ allowed: true, template: { name: 'account_notice', language: 'nl' } })
  })

  it('checks the template before the window, so a closed window does not hide a missing parameter', () => {
    expect(decideAt(templateMessage('order_shipped'), CLOSED + DAY_MS, { history }).reason).toBe(
      'TEMPLATE_PARAMETER_COUNT',
    )
  })

  it('allows a template whose parameters fit', () => {
    expect(decideAt(templateMessage('order_shipped', ['A-1001']), LAST + HOUR_MS, { history }).allowed).toBe(
      true,
    )
  })

  it('records the template as it was at the instant', () => {
    const decision = decideAt(templateMessage('spring_sale'), LAST + HOUR_MS, { history })
    expect(decision.template).toEqual({
      name: 'spring_sale',
      language: 'en',
      category: 'MARKETING',
      issueResolution: false,
    })
    expect(decision.allowed && decision.sent).toEqual({ type: 'template', category: 'MARKETING' })
  })
})
