import { describe, expect, it } from 'vitest'

import { fillPlaceholders, parsePlaceholders } from './placeholders.js'

describe('parsePlaceholders', () => {
  it('reports no placeholders for plain text', () => {
    expect(parsePlaceholders('Your order has shipped.')).toEqual({
      ok: true,
      placeholders: { format: 'none', names: [] },
    })
  })

  it('reads positional placeholders in numeric order, each once', () => {
    expect(parsePlaceholders('{{2}} and {{1}}, again {{2}}, then {{3}}')).toEqual({
      ok: true,
      placeholders: { format: 'positional', names: ['1', '2', '3'] },
    })
  })

  it('orders positional placeholders numerically, not as text', () => {
    const text = Array.from({ length: 10 }, (_, i) => `{{${10 - i}}}`).join(' ')
    const parsed = parsePlaceholders(text)
    expect(parsed).toEqual({
      ok: true,
      placeholders: { format: 'positional', names: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] },
    })
  })

  it('reads named placeholders in order of first appearance, each once', () => {
    expect(parsePlaceholders('Hi {{first_name}}, ticket {{ticket_id2}} for {{first_name}} ({{_x}})')).toEqual(
      {
        ok: true,
        placeholders: { format: 'named', names: ['first_name', 'ticket_id2', '_x'] },
      },
    )
  })

  it.each([
    ['a name with an upper-case letter', 'Hi {{First_name}}', '{{First_name}}'],
    ['a name starting with a digit', 'Hi {{1st}}', '{{1st}}'],
    ['a name with spaces inside the braces', 'Hi {{ name }}', '{{ name }}'],
    ['a name with a dash', 'Hi {{first-name}}', '{{first-name}}'],
    ['an empty placeholder', 'Hi {{}}', '{{}}'],
    ['the number zero', 'Hi {{0}}', '{{0}}'],
    ['a zero-padded number', 'Hi {{01}}', '{{01}}'],
  ])('rejects %s', (_label, text, shown) => {
    const parsed = parsePlaceholders(text)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem).toContain(`"${shown}" is not a placeholder`)
  })

  it('rejects a text that mixes positional and named placeholders, naming one of each', () => {
    const parsed = parsePlaceholders('Dear {{name}}, your code is {{1}}')
    expect(parsed).toEqual({
      ok: false,
      problem: 'the text mixes positional ({{1}}) and named ({{name}}) placeholders; use one format',
    })
  })

  it('rejects positional placeholders with a gap, naming the number found and the one expected', () => {
    const parsed = parsePlaceholders('{{1}} then {{3}}')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok)
      expect(parsed.problem).toBe(
        'positional placeholders must be numbered {{1}} to {{2}} without gaps; found {{3}} where {{2}} was expected',
      )
  })

  it('rejects positional placeholders that do not start at 1', () => {
    const parsed = parsePlaceholders('{{2}}')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem).toContain('found {{2}} where {{1}} was expected')
  })

  it('ignores single braces', () => {
    expect(parsePlaceholders('a {b} c {1}')).toEqual({
      ok: true,
      placeholders: { format: 'none', names: [] },
    })
  })
})

describe('fillPlaceholders', () => {
  it('replaces every occurrence of each placeholder with its value', () => {
    const values: Record<string, string> = { name: 'Jessica', code: 'WELCOME25' }
    expect(fillPlaceholders('Hi {{name}}, use {{code}}. Bye {{name}}!', (name) => values[name])).toBe(
      'Hi Jessica, use WELCOME25. Bye Jessica!',
    )
  })

  it('keeps a placeholder visible when no value is given', () => {
    expect(fillPlaceholders('{{1}} owes {{2}}', (name) => (name === '1' ? 'Ann' : undefined))).toBe(
      'Ann owes {{2}}',
    )
  })

  it('passes the text between the braces to the value function', () => {
    const asked: string[] = []
    fillPlaceholders('{{a}} {{ b }} {{1}}', (name) => {
      asked.push(name)
      return undefined
    })
    expect(asked).toEqual(['a', ' b ', '1'])
  })

  it('can be used repeatedly with the same result', () => {
    const fill = (): string => fillPlaceholders('{{x}}-{{x}}', () => 'y')
    expect(fill()).toBe('y-y')
    expect(fill()).toBe('y-y')
  })
})
