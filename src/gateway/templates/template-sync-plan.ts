import { isDeepStrictEqual } from 'node:util'
import type { Instant, Template } from '../../domain/index.js'

/** A template's identity on a channel, as Graph and sends name it. */
export interface TemplateKey {
  readonly name: string
  readonly language: string
}

/** What a sync changes: the templates to write, and how many of each kind of change that is. */
export interface TemplateSyncPlan {
  /** New and changed templates, and those Meta no longer lists, marked `DELETED`. */
  readonly writes: readonly Template[]
  /** Listed by Meta, unknown to carewindow. */
  readonly added: number
  /** Listed by Meta and known, with a change (status, category, texts). */
  readonly updated: number
  /** Listed by Meta and known as they are. */
  readonly unchanged: number
  /** Known to carewindow, no longer listed by Meta: marked `DELETED` now. */
  readonly removed: number
}

/**
 * What a channel's registry must become to match its account's `message_templates` list: each listed template
 * upserted by name and language with Meta's status and category (merged with what only carewindow knows, see
 * {@link mergedWithKnown}), and each known template Meta no longer lists marked `DELETED` — a template that vanished
 * from Meta is never kept as approved. `unreadable` are entries of the list carewindow could not take (a carousel,
 * an unknown status): Meta still has them, so what carewindow has of them stays as it is. Planning the same list
 * again writes nothing.
 */
export function planTemplateSync(
  current: readonly Template[],
  listed: readonly Template[],
  unreadable: readonly TemplateKey[],
  now: Instant,
): TemplateSyncPlan {
  const known = new Map(current.map((template) => [keyOf(template), template]))
  const fromMeta = new Map(listed.map((template) => [keyOf(template), template]))
  const stillOnMeta = new Set([...fromMeta.keys(), ...unreadable.map(keyOf)])
  const writes: Template[] = []
  let added = 0
  let updated = 0
  let unchanged = 0
  let removed = 0
  for (const [key, template] of fromMeta) {
    const existing = known.get(key)
    if (existing === undefined) {
      writes.push(template)
      added++
      continue
    }
    const merged = mergedWithKnown(template, existing, now)
    if (isDeepStrictEqual(merged, existing)) {
      unchanged++
    } else {
      writes.push(merged)
      updated++
    }
  }
  for (const [key, template] of known) {
    if (stillOnMeta.has(key) || template.status === 'DELETED') continue
    writes.push({ ...template, status: 'DELETED' })
    removed++
  }
  return { writes, added, updated, unchanged, removed }
}

/**
 * A template read from Graph, merged with the one carewindow has. Graph does not know the brief's Issue Resolution
 * tag, the library template a business installed, or when Meta re-categorised: those are kept from the known
 * template, and a category that differs from it is recorded as a re-categorisation now, as the
 * `template_category_update` webhook would.
 */
export function mergedWithKnown(fromMeta: Template, existing: Template, now: Instant): Template {
  const changes = [
    ...(existing.categoryChanges ?? []),
    ...(fromMeta.category === existing.category ? [] : [{ at: now, previous: existing.category }]),
  ]
  return {
    ...fromMeta,
    issueResolution: existing.issueResolution,
    ...(changes.length === 0 ? {} : { categoryChanges: changes }),
    ...(existing.libraryKey === undefined ? {} : { libraryKey: existing.libraryKey }),
  }
}

function keyOf(template: TemplateKey): string {
  return `${template.name}\u0000${template.language}`
}
