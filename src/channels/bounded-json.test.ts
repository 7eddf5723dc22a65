import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseBoundedJson } from './bounded-json.js'

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8')

describe('jsonDepthExceeds', () => {
  it.each([
    [MAX_JSON_DEPTH - 1, false],
    [MAX_JSON_DEPTH, false],
    [MAX_JSON_DEPTH + 1, true],
  ])('says whether %i levels of nesting pass the limit: %s', (depth, exceeds) => {
    expect(jsonDepthExceeds(bytes(nested(depth)))).toBe(exceeds)
  })

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ text: `"${'['.repeat(500)}\\"{{{{`, list: [[1]] })
    expect(jsonDepthExceeds(bytes(text), 3)).toBe(false)
    expect(jsonDepthExceeds(bytes(text), 2)).toBe(true)
  })

  it('counts objects and arrays alike, and depth falls again after they close', () => {
    const text = `{"a":[{"b":1}],"c":[{"d":[2]}]}`
    expect(jsonDepthExceeds(bytes(text), 4)).toBe(false)
    expect(jsonDepthExceeds(bytes(text), 3)).toBe(true)
  })

  it('reads multi-byte UTF-8 text without confusing it for structure', () => {
    const text = JSON.stringify({ name: '日本語 🎉 Ωμέγα «[»' })
    expect(jsonDepthExceeds(bytes(text), 1)).toBe(false)
  })
})

describe('parseBoundedJson', () => {
  it('parses JSON within the limit', () => {
    expect(parseBoundedJson(bytes('{"a":[1,2]}'))).toEqual({ ok: true, value: { a: [1, 2] } })
  })

  it('refuses JSON nested deeper than the limit before parsing it, saying so', () => {
    const parsed = parseBoundedJson(bytes(nested(200_000)))
    expect(parsed).toEqual({
      ok: false,
      problem: expect.stringContaining('more than 64 levels deep') as string,
    })
  })

  it('refuses text that is not JSON with the parser’s words', () => {
    const parsed = parseBoundedJson(bytes('{"a": '))
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.problem).toMatch(/^the body is not valid JSON \(/)
  })
})
