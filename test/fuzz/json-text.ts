/**
 * JSON values as the fuzz suite builds them: plain JSON, plus {@link RawJson} leaves whose text is written as it
 * is — numbers `JSON.stringify` cannot write (`-0`, `1e400`, `9007199254740993`) or text that is not JSON at all.
 * Keys such as `__proto__` are own properties (as `JSON.parse` makes them), never prototypes.
 */
export type FuzzJson = null | boolean | number | string | RawJson | FuzzJson[] | { [key: string]: FuzzJson }

/** A leaf written verbatim into the JSON text. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object with `value` at `key` as an own, enumerable property (`__proto__` included). */
export function setOwn(target: Record<string, FuzzJson>, key: string, value: FuzzJson): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A deep copy; own `__proto__` keys stay own keys. */
export function copyJson(value: FuzzJson): FuzzJson {
  if (Array.isArray(value)) return value.map(copyJson)
  if (isJsonObject(value)) {
    const copy: Record<string, FuzzJson> = {}
    for (const key of Object.keys(value)) setOwn(copy, key, copyJson(value[key] as FuzzJson))
    return copy
  }
  return value
}

export function isJsonObject(value: FuzzJson | undefined): value is { [key: string]: FuzzJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RawJson)
}

/** The JSON text of `value`, like `JSON.stringify` (lone surrogates escaped), with raw leaves as they are. */
export function jsonText(value: FuzzJson): string {
  if (value instanceof RawJson) return value.text
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`
  if (isJsonObject(value))
    return `{${Object.keys(value)
      .map((key) => `${JSON.stringify(key)}:${jsonText(value[key] as FuzzJson)}`)
      .join(',')}}`
  return JSON.stringify(value)
}
