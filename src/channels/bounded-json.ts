/**
 * The deepest nesting of objects and arrays carewindow accepts in any JSON body. Meta's notifications nest about
 * ten levels and Graph's send bodies about eight; this leaves room for a flow's own data while keeping every
 * recursive walk over a parsed body (validation, NUL checks, storing and printing it) far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d

/**
 * How deep the objects and arrays of a JSON text nest, counted over its raw bytes before anything parses it —
 * stopping as soon as the depth passes `limit`, so a megabyte of `[` costs one pass over the first bytes. UTF-8
 * never uses these ASCII bytes inside a multi-byte character, so the bytes can be scanned as they are. Not a
 * validator: a text that is not JSON is left to the parser.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let isInString = false
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]
    if (isInString) {
      if (byte === BACKSLASH) index++
      else if (byte === QUOTE) isInString = false
    } else if (byte === QUOTE) isInString = true
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--
  }
  return false
}

/** What {@link parseBoundedJson} found wrong, in words for the caller's error message. */
export type BoundedJson =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string }

/**
 * Parses a JSON body once its nesting is known to be within {@link MAX_JSON_DEPTH}. A problem names what is
 * wrong: too deep, or not JSON (with the parser's own words).
 */
export function parseBoundedJson(bytes: Buffer): BoundedJson {
  if (jsonDepthExceeds(bytes))
    return {
      ok: false,
      problem: `the JSON nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`,
    }
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown }
  } catch (error) {
    return { ok: false, problem: `the body is not valid JSON (${(error as Error).message})` }
  }
}
