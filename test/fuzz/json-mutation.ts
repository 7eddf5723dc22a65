import fc from 'fast-check'
import { copyJson, isJsonObject, jsonText, setOwn, type FuzzJson } from './json-text.js'
import { nested, oddDepth, oddKey, oddTimestamp, oddValue } from './odd-values.js'

/**
 * Mutations of a valid JSON body. A mutation picks a place in the value by index (modulo the number of places,
 * so it applies to any body) and changes it; several apply in turn. Then the text itself may be damaged.
 */
export type Mutation =
  /** Replaces the value at a place (the whole body included) with an odd one. */
  | { readonly op: 'replace'; readonly at: number; readonly value: FuzzJson }
  /** Replaces an id, phone number, timestamp or other field that carewindow keys or orders by. */
  | { readonly op: 'replace-key-field'; readonly at: number; readonly value: FuzzJson }
  /** Replaces a timestamp (`timestamp`, `time`, `watermark`, `at`…) with an odd instant. */
  | { readonly op: 'replace-time'; readonly at: number; readonly value: FuzzJson }
  | { readonly op: 'delete'; readonly at: number }
  /** Adds a field to an object (or an item to an array). */
  | { readonly op: 'add'; readonly at: number; readonly key: string; readonly value: FuzzJson }
  /** Wraps the value at a place in arrays or objects. */
  | { readonly op: 'nest'; readonly at: number; readonly depth: number; readonly shape: 'array' | 'object' }
  /** Repeats an array's first item. */
  | { readonly op: 'repeat'; readonly at: number; readonly times: number }
  /** Puts the value of one place at another (a string where a number was, an object where a string was). */
  | { readonly op: 'swap-type'; readonly at: number; readonly from: number }

/** Damage to the JSON text, applied after the mutations (and before a webhook is signed). */
export type TextDamage =
  | 'none'
  | 'truncate'
  | 'byte-order-mark'
  | 'invalid-utf8'
  | 'nul-byte'
  | 'trailing-comma'
  | 'duplicate-key'
  | 'proto-key'
  | 'padding'
  | 'utf16'

/** Fields that carewindow stores, keys rows by, or orders by: the places a broken value does the most harm. */
const KEY_FIELDS = new Set([
  'to',
  'recipient',
  'from',
  'wa_id',
  'id',
  'recipient_id',
  'message_id',
  'mid',
  'mids',
  'psid',
  'contact_id',
  'external_id',
  'timestamp',
  'time',
  'watermark',
  'at',
  'expiration_timestamp',
  'phone_number_id',
  'display_phone_number',
  'name',
  'language',
  'code',
  'category',
  'status',
  'type',
  'messaging_type',
  'tag',
  'scope',
  'source',
  'subject',
  'parameters',
  'text',
  'body',
  'event',
  'field',
  'object',
  'message_template_id',
  'message_template_name',
  'message_template_language',
  'new_category',
  'previous_category',
  'value',
  'referral',
  'source_type',
  'ref',
])

const TIME_FIELDS = new Set(['timestamp', 'time', 'watermark', 'at', 'expiration_timestamp'])

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('replace-time' as const), at: fc.nat(), value: oddTimestamp }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: oddValue }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('replace-key-field' as const),
      at: fc.nat(),
      value: fc.oneof(oddValue, oddTimestamp),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: oddKey, value: oddValue }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('nest' as const),
      at: fc.nat(),
      depth: oddDepth,
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('repeat' as const),
      at: fc.nat(),
      times: fc.constantFrom(2, 10, 101, 1_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('swap-type' as const), at: fc.nat(), from: fc.nat() }),
  },
)

/** Up to three mutations; none a third of the time, so valid requests build up state too. */
export const mutations: fc.Arbitrary<readonly Mutation[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
)

export const textDamage: fc.Arbitrary<TextDamage> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('none' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'truncate' as const,
      'byte-order-mark' as const,
      'invalid-utf8' as const,
      'nul-byte' as const,
      'trailing-comma' as const,
      'duplicate-key' as const,
      'proto-key' as const,
      'padding' as const,
      'utf16' as const,
    ),
  },
)

/** A place in a value: its parent and the key (or index) there; the root has no parent. */
interface Place {
  readonly parent: FuzzJson[] | Record<string, FuzzJson> | null
  readonly key: string | number
  readonly value: FuzzJson
}

function placesOf(root: FuzzJson): Place[] {
  const places: Place[] = [{ parent: null, key: '', value: root }]
  const visit = (value: FuzzJson): void => {
    if (Array.isArray(value))
      value.forEach((item, index) => {
        places.push({ parent: value, key: index, value: item })
        visit(item)
      })
    else if (isJsonObject(value))
      for (const key of Object.keys(value)) {
        const item = value[key] as FuzzJson
        places.push({ parent: value, key, value: item })
        visit(item)
      }
  }
  visit(root)
  return places
}

/** Sets the value at `place` in `root`; returns the (possibly new) root. */
function put(root: FuzzJson, place: Place, value: FuzzJson): FuzzJson {
  if (place.parent === null) return value
  if (Array.isArray(place.parent)) place.parent[place.key as number] = value
  else setOwn(place.parent, String(place.key), value)
  return root
}

/** `body` with the mutations applied in turn; the original is not changed. */
export function mutate(body: FuzzJson, list: readonly Mutation[]): FuzzJson {
  let root = copyJson(body)
  for (const change of list) {
    const places = placesOf(root)
    const pick = (at: number, among: readonly Place[] = places): Place => among[at % among.length] as Place
    switch (change.op) {
      case 'replace':
        root = put(root, pick(change.at), copyJson(change.value))
        break
      case 'replace-key-field':
      case 'replace-time': {
        const fields = change.op === 'replace-time' ? TIME_FIELDS : KEY_FIELDS
        const keyed = places.filter((place) => typeof place.key === 'string' && fields.has(place.key))
        root = put(root, pick(change.at, keyed.length > 0 ? keyed : places), copyJson(change.value))
        break
      }
      case 'delete': {
        const place = pick(change.at)
        if (place.parent === null) root = null
        else if (Array.isArray(place.parent)) place.parent.splice(place.key as number, 1)
        else Reflect.deleteProperty(place.parent, place.key)
        break
      }
      case 'add': {
        const containers = places.filter((place) => Array.isArray(place.value) || isJsonObject(place.value))
        if (containers.length === 0) break
        const target = pick(change.at, containers).value
        if (Array.isArray(target)) target.push(copyJson(change.value))
        else if (isJsonObject(target)) setOwn(target, change.key, copyJson(change.value))
        break
      }
      case 'nest': {
        const place = pick(change.at)
        root = put(root, place, nested(change.depth, change.shape, place.value))
        break
      }
      case 'repeat': {
        const arrays = places.filter((place) => Array.isArray(place.value) && place.value.length > 0)
        if (arrays.length === 0) break
        const array = pick(change.at, arrays).value as FuzzJson[]
        const first = array[0] as FuzzJson
        for (let i = 1; i < change.times; i++) array.push(copyJson(first))
        break
      }
      case 'swap-type': {
        const place = pick(change.at)
        root = put(root, place, copyJson(pick(change.from).value))
        break
      }
    }
  }
  return root
}

/** The body's bytes: its JSON text, damaged as said. */
export function damagedText(body: FuzzJson, damage: TextDamage): Buffer {
  const text = jsonText(body)
  switch (damage) {
    case 'none':
      return Buffer.from(text)
    case 'truncate':
      return Buffer.from(text.slice(0, Math.max(0, Math.floor(text.length / 2))))
    case 'byte-order-mark':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
    case 'invalid-utf8':
      // A byte that is never UTF-8, inside the first string.
      return Buffer.concat([Buffer.from(text.slice(0, 2)), Buffer.from([0xff]), Buffer.from(text.slice(2))])
    case 'nul-byte':
      return Buffer.from(text.replace(/"([^"\\]*)"/, '"$1\u0000"'))
    case 'trailing-comma':
      return Buffer.from(text.replace(/([}\]])$/, ',$1'))
    case 'duplicate-key':
      return Buffer.from(text.replace(/^\{("[^"]*":)/, '{$1null,$1'))
    case 'proto-key':
      return Buffer.from(text.replace(/^\{/, '{"__proto__":{"polluted":true},'))
    case 'padding':
      return Buffer.from(`${' '.repeat(10_000)}${text}\n\n`)
    case 'utf16':
      return Buffer.from(text, 'utf16le')
  }
}

/** A whole body chosen at random: JSON of any shape, or bytes. */
export const randomBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((value) => Buffer.from(JSON.stringify(value))),
  fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
)
