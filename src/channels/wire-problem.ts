/** Why a request body is not valid on the wire, with the Graph error code a client receives for it. */
export interface WireProblem {
  readonly code: number
  readonly details: string
}

/** The outcome of validating wire input: a typed value, or what is wrong with it. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: WireProblem }

/** Graph answers malformed requests with code 100, "Invalid parameter". */
export function invalidParameter(details: string): { readonly ok: false; readonly problem: WireProblem } {
  return { ok: false, problem: { code: 100, details } }
}
