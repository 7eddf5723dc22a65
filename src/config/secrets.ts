import { readFileSync } from 'node:fs'
import { z } from 'zod'

/**
 * Secrets that need not be written into the config file or the environment in clear: a secret field of the file
 * may name where to read it (`{"env": "NAME"}`, `{"file": "/run/secrets/name"}`), and every `CAREWINDOW_*`
 * variable may be given as `CAREWINDOW_*_FILE`, the path of a file holding its value — the convention of Docker
 * and Kubernetes secrets (and of the official postgres image's `POSTGRES_PASSWORD_FILE`).
 *
 * Problems name the field or variable and where it points, never what was read.
 */

/** Where a secret field's value is read from instead of the file. */
export type SecretReference = { readonly env: string } | { readonly file: string }

/** The config file's fields that take a secret or a {@link SecretReference} (`*`: every element of a list). */
export const SECRET_FIELDS: readonly (readonly string[])[] = [
  ['tenants', '*', 'webhook', 'secret'],
  ['tenants', '*', 'channels', '*', 'app_secret'],
  ['tenants', '*', 'channels', '*', 'verify_token'],
  ['tenants', '*', 'channels', '*', 'upstream', 'access_token'],
]

type Path = readonly (string | number)[]

/** Reads a secret file as text; the default reads it from disk. */
export type ReadSecretFile = (path: string) => string

const readFromDisk: ReadSecretFile = (path) => readFileSync(path, 'utf8')

/** What {@link resolveSecretReferences} found. */
export interface SecretResolution {
  /** The config file with each reference replaced by what it names (the given value is left untouched). */
  readonly file: unknown
  /** One line per reference that could not be read, starting with its field. */
  readonly problems: readonly string[]
  /**
   * The file's validation issues, restated for references: none for a reference already reported as unreadable,
   * and the source named for a secret read from one (`… (read from file /run/secrets/acme)`).
   */
  restate(error: z.ZodError): z.ZodError
}

/** Replaces the secret references of a parsed config file by the secrets they name. */
export function resolveSecretReferences(
  file: unknown,
  env: NodeJS.ProcessEnv,
  readSecretFile: ReadSecretFile = readFromDisk,
): SecretResolution {
  const problems: string[] = []
  const sources = new Map<string, string>()
  const unreadable = new Set<string>()
  const found = SECRET_FIELDS.flatMap((pattern) => locate(file, pattern, []))
  const resolved = found.length === 0 ? file : structuredClone(file)
  for (const { path, value } of found) {
    const where = describePath(path)
    const reference = referenceOf(value)
    if (reference === null) {
      problems.push(`${where}: a secret is a string, {"env": "NAME"} or {"file": "/path/to/file"}`)
      unreadable.add(where)
      continue
    }
    const read = readReference(reference, env, readSecretFile)
    if ('problem' in read) {
      problems.push(`${where}: ${read.problem}`)
      unreadable.add(where)
      continue
    }
    setAt(resolved, path, read.secret)
    sources.set(where, read.source)
  }
  return {
    file: resolved,
    problems,
    restate(error) {
      const issues = error.issues.flatMap((issue) => {
        const where = describePath(issue.path.filter((key) => typeof key !== 'symbol'))
        if (unreadable.has(where)) return []
        const source = sources.get(where)
        return [source === undefined ? issue : { ...issue, message: `${issue.message} (${source})` }]
      })
      return new z.ZodError(issues)
    },
  }
}

/**
 * The environment with each `CAREWINDOW_*_FILE` of the given names read into `CAREWINDOW_*`: the file's text without its trailing
 * newline. Both set, an unreadable file and an empty one are problems (named by variable and path).
 * `CAREWINDOW_CONFIG` already names a file, so `CAREWINDOW_CONFIG_FILE` is refused rather than read as a path.
 */
export function readVariableFiles(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
  readSecretFile: ReadSecretFile = readFromDisk,
): { readonly env: NodeJS.ProcessEnv; readonly problems: readonly string[] } {
  const problems: string[] = []
  const result: NodeJS.ProcessEnv = { ...env }
  // Only carewindow's own: a platform's variables (`PORT`) are set by the platform, never from files.
  for (const name of names.filter((variable) => variable.startsWith('CAREWINDOW_'))) {
    const fileVariable = `${name}_FILE`
    const path = env[fileVariable]?.trim()
    if (path === undefined || path === '') continue
    if (name === 'CAREWINDOW_CONFIG') {
      problems.push(
        `${fileVariable}: ${name} is itself the path of the config file; set ${name}=${path} instead`,
      )
      continue
    }
    if (env[name] !== undefined && env[name].trim() !== '') {
      problems.push(`${name} and ${fileVariable} are both set; set only one of them`)
      continue
    }
    const read = readFile(path, readSecretFile)
    if ('problem' in read) {
      problems.push(`${fileVariable}: ${read.problem}`)
      continue
    }
    result[name] = read.text
    // Read: a second pass (loadConfig, then resolveConfig) finds nothing left to read or to refuse.
    result[fileVariable] = undefined
  }
  return { env: result, problems }
}

function referenceOf(value: unknown): SecretReference | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const keys = Object.keys(value)
  if (keys.length !== 1) return null
  const { env, file } = value as { env?: unknown; file?: unknown }
  if (typeof env === 'string' && env.trim() !== '') return { env: env.trim() }
  if (typeof file === 'string' && file.trim() !== '') return { file: file.trim() }
  return null
}

function readReference(
  reference: SecretReference,
  env: NodeJS.ProcessEnv,
  readSecretFile: ReadSecretFile,
): { readonly secret: string; readonly source: string } | { readonly problem: string } {
  if ('env' in reference) {
    const value = env[reference.env]
    if (value === undefined) return { problem: `environment variable ${reference.env} is not set` }
    if (value.trim() === '') return { problem: `environment variable ${reference.env} is empty` }
    return { secret: value, source: `read from environment variable ${reference.env}` }
  }
  const read = readFile(reference.file, readSecretFile)
  return 'problem' in read
    ? { problem: `secret ${read.problem}` }
    : { secret: read.text, source: `read from file ${reference.file}` }
}

function readFile(
  path: string,
  readSecretFile: ReadSecretFile,
): { readonly text: string } | { readonly problem: string } {
  let text: string
  try {
    text = readSecretFile(path)
  } catch (error) {
    return { problem: `file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}` }
  }
  // `echo secret > file` and editors end the file with a newline that is no part of the secret.
  const trimmed = text.replace(/[\r\n]+$/, '')
  return trimmed.trim() === '' ? { problem: `file ${path} is empty` } : { text: trimmed }
}

/** The concrete paths `pattern` matches in `value`, with what is there. */
function locate(
  value: unknown,
  pattern: readonly string[],
  at: Path,
): { readonly path: Path; readonly value: unknown }[] {
  const [head, ...rest] = pattern
  if (head === undefined) return value === undefined || typeof value === 'string' ? [] : [{ path: at, value }]
  if (head === '*')
    return Array.isArray(value)
      ? value.flatMap((element: unknown, index) => locate(element, rest, [...at, index]))
      : []
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, head))
    return []
  return locate((value as Record<string, unknown>)[head], rest, [...at, head])
}

function setAt(root: unknown, path: Path, secret: string): void {
  let node = root as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1]
  if (last !== undefined) node[last] = secret
}

/** `tenants[0].channels[1].app_secret`, as validation problems name places. */
function describePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`,
    '',
  )
}
