import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../bounded-json.js'
import { invalidParameter, type Parsed } from '../wire-problem.js'

/** A Send API request as it arrived: its fields, and what carewindow forwards once the credentials are taken out. */
export interface MessengerWireRequest {
  /** The body's fields; form-encoded `recipient` and `message` are parsed from their JSON text. */
  readonly fields: Readonly<Record<string, unknown>>
  readonly encoding: 'json' | 'form'
  /** The carewindow API key, if the client sent it as `access_token` (query or body). */
  readonly accessToken: string | undefined
  readonly appsecretProof: string | undefined
  /** `agent` or `bot`, from `X-Carewindow-Sender` or a `carewindow_sender` field. */
  readonly sender: string | undefined
}

/** Fields that are credentials or carewindow's own: never forwarded to Meta. */
const PRIVATE_FIELDS = ['access_token', 'appsecret_proof', 'carewindow_sender'] as const

/**
 * Reads a Send API request in either form Meta accepts: a JSON body, or form fields as in Meta's own curl
 * examples (`-d "recipient={'id':'…'}" -d "message={'text':'hello'}"`, JSON with single quotes).
 */
export function readMessengerRequest(
  encoding: 'json' | 'form',
  body: unknown,
  query: Readonly<Record<string, unknown>>,
  senderHeader: string | undefined,
): Parsed<MessengerWireRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return invalidParameter('the body must be a JSON object or form fields')
  const fields: Record<string, unknown> = { ...(body as Record<string, unknown>) }
  if (encoding === 'form') {
    for (const name of ['recipient', 'message']) {
      const value = fields[name]
      if (typeof value !== 'string') continue
      // Bounded before it is parsed, as a JSON body is: what is parsed here is walked recursively later.
      if (jsonDepthExceeds(Buffer.from(value, 'utf8')))
        return invalidParameter(
          `form field "${name}" nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`,
        )
      const parsed = parseLooseJson(value)
      if (parsed === undefined) return invalidParameter(`form field "${name}" is not JSON: ${value}`)
      fields[name] = parsed
    }
  }
  const accessToken = stringOf(query.access_token) ?? stringOf(fields.access_token)
  const appsecretProof = stringOf(query.appsecret_proof) ?? stringOf(fields.appsecret_proof)
  const sender = senderHeader ?? stringOf(query.carewindow_sender) ?? stringOf(fields.carewindow_sender)
  for (const name of PRIVATE_FIELDS) Reflect.deleteProperty(fields, name)
  return { ok: true, value: { fields, encoding, accessToken, appsecretProof, sender } }
}

/** The body to forward, in the encoding it came in, with `changes` applied (auto-tagging). */
export function forwardBody(
  request: MessengerWireRequest,
  changes: Readonly<Record<string, string>> = {},
): string {
  const fields = { ...request.fields, ...changes }
  if (request.encoding === 'json') return JSON.stringify(fields)
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(fields))
    form.set(name, typeof value === 'string' ? value : JSON.stringify(value))
  return form.toString()
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * JSON, or the single-quoted JSON of Meta's curl examples: single-quoted strings become JSON strings; a quote
 * inside one must be escaped (`\'`), as in any quoted string (a double-quoted one may escape it too).
 * `undefined` when it is neither.
 */
export function parseLooseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Not strict JSON; try the single-quoted form.
  }
  let out = ''
  let quote: '"' | "'" | null = null
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (quote === null) {
      if (char === "'") {
        quote = "'"
        out += '"'
      } else {
        if (char === '"') quote = '"'
        out += char
      }
      continue
    }
    if (char === '\\') {
      const next = text[i + 1] ?? ''
      i++
      // `\'` is an escaped quote in either kind of string; JSON itself has no such escape.
      out += next === "'" ? "'" : `\\${next}`
      continue
    }
    if (char === quote) {
      quote = null
      out += '"'
      continue
    }
    out += quote === "'" && char === '"' ? '\\"' : char
  }
  try {
    return JSON.parse(out)
  } catch {
    return undefined
  }
}
