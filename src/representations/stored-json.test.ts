import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH } from '../channels/bounded-json.js'
import { storedJson } from './stored-json.js'

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

describe('storedJson', () => {
  it('gives the value of stored JSON', () => {
    expect(storedJson('{"text":{"body":"Hi"}}')).toEqual({ text: { body: 'Hi' } })
  })

  it('keeps text that is not JSON as it is', () => {
    expect(storedJson('<html>Bad gateway</html>')).toBe('<html>Bad gateway</html>')
  })

  it('gives JSON nested as deep as a request may nest as its value, and deeper as the text it is', () => {
    expect(storedJson(nested(MAX_JSON_DEPTH))).toEqual(JSON.parse(nested(MAX_JSON_DEPTH)))
    expect(storedJson(nested(MAX_JSON_DEPTH + 1))).toBe(nested(MAX_JSON_DEPTH + 1))
  })
})
