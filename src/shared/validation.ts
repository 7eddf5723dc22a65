import { z } from 'zod'
import { parseDate, parseInstant, type Instant } from '../domain/index.js'

type Issue = z.ZodError['issues'][number]

/** One line per problem, each starting with where it is (`events[2].at: …`), for people fixing their input. */
export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return located(error.issues, []).map(({ path, message }) => {
    const where = path.reduce<string>(
      (text, key) =>
        typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`,
      prefix,
    )
    return where === '' ? message : `${where}: ${message}`
  })
}

/**
 * Zod reports a value no option of a union accepts as a bare "Invalid input". When exactly one option took the
 * value's shape (a string for a date, a list for rate cards) and failed inside it, that option's own issues say
 * what is wrong, so they are reported instead.
 */
function located(
  issues: readonly Issue[],
  base: readonly PropertyKey[],
): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path]
    if (issue.code === 'invalid_union') {
      const shaped = issue.errors.filter((option) => !option.every(isShapeMismatch))
      const [only] = shaped
      if (shaped.length === 1 && only !== undefined) return located(only, path)
    }
    return [{ path, message: issue.message }]
  })
}

const isShapeMismatch = (issue: Issue): boolean =>
  issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value')

/** A calendar date (`2020-03-04`, midnight UTC) or an ISO 8601 instant with offset. */
export const dateOrInstant = z.string().transform((text, context): Instant => {
  const at = parseDate(text) ?? parseInstant(text)
  if (at === undefined) {
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not a date (2020-03-04) or an ISO 8601 instant with offset (2020-03-04T00:00:00Z)`,
    })
    return z.NEVER
  }
  return at
})
