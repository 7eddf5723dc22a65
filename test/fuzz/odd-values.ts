import fc from 'fast-check'
import { jsonText, RawJson, setOwn, type FuzzJson } from './json-text.js'

/**
 * The odd values the fuzz suite puts where valid ones were: strings that are long, empty, NUL-carrying, half a
 * surrogate pair, look like numbers or dates, or name prototype properties; numbers at the edges of what
 * JavaScript, JSON, dates and the databases hold; wrong types; nesting near the depth carewindow accepts.
 */

/** How long a "long" string is: past every limit carewindow has (256, 1024, 4096) and PostgreSQL's index rows. */
const LONG = fc.integer({ min: 10_000, max: 12_000 })

/**
 * `length` characters of `alphabet` in a pseudo-random order: text that does not compress, so PostgreSQL cannot
 * squeeze it into an index row the way it squeezes '9' repeated.
 */
function scrambled(length: number, seed: number, alphabet: string): string {
  let state = seed >>> 0 || 1
  let text = ''
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
    text += alphabet[(state >>> 16) % alphabet.length] ?? ''
  }
  return text
}

const DIGITS = '0123456789'
const ALPHANUMERICS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'

const longString = fc.oneof(
  fc.tuple(LONG, fc.integer()).map(([length, seed]) => scrambled(length, seed, DIGITS)),
  fc.tuple(LONG, fc.integer()).map(([length, seed]) => scrambled(length, seed, ALPHANUMERICS)),
  LONG.map((length) => '9'.repeat(length)),
  LONG.map((length) => 'a'.repeat(length)),
  LONG.map((length) => 'ä'.repeat(length)),
  LONG.map((length) => '🍵'.repeat(length / 2)),
  fc.constantFrom(256, 257, 1024, 1025, 4096, 4097).map((length) => 'x'.repeat(length)),
)

/** Strings that have broken something somewhere, at some time. */
const ODD_STRINGS = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\udfff\ud800',
  '\ufeff',
  '\u202e',
  '🍵',
  '-1',
  '0',
  '-0',
  '1e308',
  '-1e16',
  '1.5',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x1F',
  ' 12 ',
  '+31 6 1234 5678',
  '(+1) 650-555-1234',
  '9007199254740993',
  '2024-02-30T25:61:00Z',
  '1970-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '2024-03-02T10:00:00',
  '2024-03-02',
  '../../etc/passwd',
  '%00',
  '%',
  '\\',
  '"',
  "'",
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'undefined',
  'null',
  'true',
  '{}',
  '[]',
  'EVENT_RECEIVED',
  'whatsapp',
  'page',
] as const

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: longString },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
)

/** Number texts `JSON.stringify` cannot write, some of them not JSON at all. */
const RAW_NUMBERS = [
  '-0',
  '1e400',
  '-1e400',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  '1E5',
  '0.0000001',
  '1.0',
  '00',
  '-',
  '+1',
  '.5',
  '1.',
  'NaN',
  'Infinity',
  '0x10',
] as const

const ODD_NUMBERS = [
  0,
  -1,
  1,
  0.5,
  -0.5,
  -1e16,
  1e16,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53,
  -(2 ** 53),
  2 ** 63,
  8.64e15,
  8.64e15 + 1,
  -8.64e15 - 1,
  1e21,
  123.456,
] as const

export const oddNumber: fc.Arbitrary<FuzzJson> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((text) => new RawJson(text)) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer() },
)

/**
 * Instants in every form Meta and carewindow write them — seconds as strings (WhatsApp), milliseconds as numbers
 * (Messenger), ISO 8601 texts (the `/v1` API) — at and past the edges of what a `Date` holds.
 */
export const oddTimestamp: fc.Arbitrary<FuzzJson> = fc.oneof(
  fc.constantFrom<FuzzJson>(
    -1e16,
    1e16,
    8.64e15,
    8.64e15 + 1,
    -8.64e15 - 1,
    8.64e12,
    8.64e12 + 1,
    253_402_300_800,
    -62_135_596_800,
    1e308,
    -1,
    0,
    1.5,
    2 ** 53,
    '-10000000000000000',
    '10000000000000000',
    '99999999999999999999',
    '8640000000000',
    '8640000000001',
    '253402300800',
    '-62135596800',
    '1749416383.5',
    ' 1749416383',
    '1749416383 ',
    '',
    '-1',
    '0',
    'NaN',
    '1e10',
    '2025-06-08T21:39:43Z',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-20T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '2025-06-08T21:39:43+25:00',
    '2025-06-08',
    new RawJson('-0'),
    new RawJson('1e400'),
  ),
  fc.integer({ min: -(2 ** 40), max: 2 ** 45 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 45 }).map(String),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
)

/** Keys carewindow must treat as data: prototype names, empty, NUL, half surrogates, long ones. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      ' ',
      '\u0000',
      '\ud800',
      '$where',
      'a.b',
      '0',
    ),
  },
  { weight: 1, arbitrary: LONG.map((length) => 'k'.repeat(length)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
)

/**
 * JSON nested `depth` levels around `inner`, in arrays or objects. Past a hundred levels it is written as text, so
 * the suite's own walks (and fast-check's printing) never recurse that deep.
 */
export function nested(depth: number, shape: 'array' | 'object', inner: FuzzJson): FuzzJson {
  if (depth > 100) {
    const [open, close] = shape === 'array' ? ['[', ']'] : ['{"a":', '}']
    return new RawJson(`${open.repeat(depth)}${jsonText(inner)}${close.repeat(depth)}`)
  }
  let value = inner
  for (let level = 0; level < depth; level++) {
    if (shape === 'array') value = [value]
    else {
      const wrapper: Record<string, FuzzJson> = {}
      setOwn(wrapper, 'a', value)
      value = wrapper
    }
  }
  return value
}

/** Depths around carewindow's limit (64), and a few far past it. */
export const oddDepth: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 70 }),
  fc.constantFrom(60, 62, 63, 64, 65, 66, 200, 5_000),
)

const protoObject: fc.Arbitrary<FuzzJson> = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.constantFrom<FuzzJson>({}, [], 'x', 1, null),
  )
  .map(([key, value]) => {
    const object: Record<string, FuzzJson> = {}
    setOwn(object, key, key === '__proto__' ? { isAdmin: true, polluted: value } : value)
    return object
  })

/** Any odd value: strings, numbers, wrong types, prototype keys, deep nesting, random JSON. */
export const oddValue: fc.Arbitrary<FuzzJson> = fc.oneof(
  { weight: 5, arbitrary: oddString },
  { weight: 4, arbitrary: oddNumber },
  { weight: 2, arbitrary: fc.constantFrom<FuzzJson>(null, true, false, [], {}, [null], ['']) },
  { weight: 1, arbitrary: protoObject },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        oddDepth,
        fc.constantFrom('array' as const, 'object' as const),
        fc.constantFrom<FuzzJson>(1, 'x', {}),
      )
      .map(([depth, shape, inner]) => nested(depth, shape, inner)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<FuzzJson> },
)

/** Raw path segments (already percent-encoded as a client would send them). */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '%00',
      'a%00b',
      '%ED%A0%80',
      '%F0%9F%8D%B5',
      '%C3%A4',
      '%',
      '%zz',
      '%2F',
      '%2f..%2f',
      '..',
      '.',
      '%2e%2e',
      '%20',
      '-1',
      '0',
      '1e308',
      'NaN',
      '__proto__',
      'constructor',
      'toString',
      'me',
      'null',
      'undefined',
      '%25',
      '%3F',
      '%23',
      '%0A',
      '+',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 101, max: 10_000 }).map((length) => '1'.repeat(length)) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(encodeSegment) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map(encodeSegment) },
)

/** `text` percent-encoded for a path segment or query value; lone surrogates as their (invalid) UTF-8 bytes. */
export function encodeSegment(text: string): string {
  let encoded = ''
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    encoded +=
      code >= 0xd800 && code <= 0xdfff
        ? `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase()
        : encodeURIComponent(char)
  }
  return encoded
}

/** Header values a client can send (Latin-1, no control characters but tab). */
export const oddHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'x', 'é', '\t', 'null', '0', '-1', '__proto__', 'ÿÿÿ'),
  fc.integer({ min: 256, max: 10_000 }).map((length) => 'k'.repeat(length)),
  fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\t\x20-\x7e]/g, '')),
  fc
    .array(fc.integer({ min: 0x20, max: 0xff }), { minLength: 1, maxLength: 30 })
    .map((codes) => String.fromCharCode(...codes.filter((code) => code < 0x7f || code > 0x9f))),
)
