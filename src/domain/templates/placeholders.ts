/**
 * Template placeholders. Meta accepts two formats per template, never mixed: positional `{{1}}`, `{{2}}` …
 * numbered from 1 without gaps, and named `{{first_name}}` (lowercase letters, digits and underscores,
 * starting with a letter or underscore).
 */

export type PlaceholderFormat = 'positional' | 'named' | 'none'

export interface Placeholders {
  readonly format: PlaceholderFormat
  /** Distinct names in order of first appearance; positional ones are `'1'`, `'2'` … in numeric order. */
  readonly names: readonly string[]
}

export type PlaceholderParse =
  | { readonly ok: true; readonly placeholders: Placeholders }
  | { readonly ok: false; readonly problem: string }

const PLACEHOLDER = /\{\{(.*?)\}\}/g
const POSITIONAL = /^[1-9]\d*$/
const NAMED = /^[a-z_][a-z0-9_]*$/

const NONE: Placeholders = Object.freeze({ format: 'none', names: Object.freeze([]) })

/** The placeholders of a template text, or what is wrong with them. */
export function parsePlaceholders(text: string): PlaceholderParse {
  const positional = new Set<number>()
  const named: string[] = []
  for (const match of text.matchAll(PLACEHOLDER)) {
    const inner = match[1] as string
    if (POSITIONAL.test(inner)) positional.add(Number(inner))
    else if (NAMED.test(inner)) {
      if (!named.includes(inner)) named.push(inner)
    } else {
      return {
        ok: false,
        problem: `"{{${inner}}}" is not a placeholder: use {{1}}, {{2}} … or a name of lowercase letters, digits and underscores such as {{ticket_id}}`,
      }
    }
  }
  if (positional.size > 0 && named.length > 0) {
    return {
      ok: false,
      problem: `the text mixes positional ({{${[...positional][0]}}}) and named ({{${named[0]}}}) placeholders; use one format`,
    }
  }
  if (named.length > 0) return { ok: true, placeholders: { format: 'named', names: named } }
  if (positional.size === 0) return { ok: true, placeholders: NONE }
  const numbers = [...positional].sort((a, b) => a - b)
  const gap = numbers.findIndex((number, index) => number !== index + 1)
  if (gap !== -1) {
    return {
      ok: false,
      problem: `positional placeholders must be numbered {{1}} to {{${numbers.length}}} without gaps; found {{${numbers[gap]}}} where {{${gap + 1}}} was expected`,
    }
  }
  return { ok: true, placeholders: { format: 'positional', names: numbers.map(String) } }
}

/** Replaces each placeholder with `valueOf(name)`, keeping the placeholder where no value is given. */
export function fillPlaceholders(text: string, valueOf: (name: string) => string | undefined): string {
  return text.replace(PLACEHOLDER, (whole, inner: string) => valueOf(inner) ?? whole)
}
