import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { UNKNOWN_APP_SECRET } from '../support/test-gateway.js'
import type { BodySpec, FuzzCase, IdRef, Signing } from './endpoints.js'
import { READ_KEYS, TENANT_KEYS, TENANT_SECRETS, type TenantName } from './fuzz-config.js'
import type { HttpRequest } from './fuzz-target.js'
import { copyJson, isJsonObject, jsonText, setOwn, type FuzzJson } from './json-text.js'
import { damagedText } from './json-mutation.js'
import { MID_PLACEHOLDER, WAMID_PLACEHOLDER } from './seeds.js'

/** An id carewindow made, and the tenant it belongs to. */
export interface OwnedId {
  readonly id: string
  readonly tenant: TenantName
}

const POOL_SIZE = 500

/**
 * What carewindow gave out during the run — case, hold and message ids, Graph's message ids — so later requests
 * can name them (read a case, cancel a hold, report a status for a sent message).
 */
export class IdPools {
  readonly case: OwnedId[] = []
  readonly hold: OwnedId[] = []
  readonly message: OwnedId[] = []
  readonly wamid: string[] = []
  readonly mid: string[] = []

  add<T>(pool: T[], item: T): void {
    pool.push(item)
    if (pool.length > POOL_SIZE) pool.shift()
  }
}

function pick<T>(pool: readonly T[], index: number): T | undefined {
  return pool.length === 0 ? undefined : pool[index % pool.length]
}

/** Stand-ins when nothing was made yet: well formed, unknown. */
const UNKNOWN_IDS: Readonly<Record<IdRef['ref'], string>> = {
  case: 'case_0mf0y5o0g3f9c2a1b4d5e6f7a',
  hold: 'hold_0mf0y5o0g3f9c2a1b4d5e6f7a',
  message: 'msg_0mf0y5o0g3f9c2a1b4d5e6f7a',
}

/** A request ready to send, and the tenant whose key and app secret it was made with. */
export interface ResolvedRequest {
  readonly request: HttpRequest
  readonly tenant: TenantName
}

/** Fills in a generated case: ids from the pools, the API key, the body's bytes, the webhook signature. */
export function resolveCase(fuzz: FuzzCase, pools: IdPools, serial: number): ResolvedRequest {
  let tenant: TenantName = fuzz.owner === 'ref' ? 'acme' : fuzz.owner
  const segments = fuzz.path.map((segment) => {
    if (typeof segment === 'string') return segment
    const owned = pick(pools[segment.ref], segment.pick)
    if (owned === undefined) return UNKNOWN_IDS[segment.ref]
    tenant = owned.tenant
    return encodeURIComponent(owned.id)
  })
  const keyTenant = fuzz.auth.kind === 'key' && fuzz.auth.tenant === 'other' ? otherOf(tenant) : tenant
  const key =
    fuzz.auth.kind === 'key' && fuzz.auth.tenant === 'reader' ? READ_KEYS[keyTenant] : TENANT_KEYS[keyTenant]
  const query = [...fuzz.query]
  const headers: Record<string, string> = { ...fuzz.headers }
  let bodyKey: string | undefined
  switch (fuzz.auth.kind) {
    case 'key':
      if (fuzz.auth.via === 'bearer') headers.authorization = `Bearer ${key}`
      else if (fuzz.auth.via === 'query') query.push(['access_token', key])
      else bodyKey = key
      break
    case 'header':
      headers.authorization = fuzz.auth.value
      break
    case 'none':
      break
  }
  const body = fuzz.body === null ? null : bodyBytes(fuzz.body, pools, serial, bodyKey)
  if (fuzz.contentType !== null) headers['content-type'] = fuzz.contentType
  if (fuzz.signing !== null && body !== null) {
    const signature = signatureOf(fuzz.signing, body, tenant)
    if (signature !== undefined) headers['x-hub-signature-256'] = signature
  }
  const search = query.map(([name, value]) => `${name}=${value}`).join('&')
  return {
    tenant,
    request: {
      method: fuzz.method,
      url: `/${segments.join('/')}${search === '' ? '' : `?${search}`}`,
      headers,
      body,
      transport: fuzz.transport,
    },
  }
}

function otherOf(tenant: TenantName): TenantName {
  return tenant === 'acme' ? 'globex' : 'acme'
}

function bodyBytes(body: BodySpec, pools: IdPools, serial: number, accessToken: string | undefined): Buffer {
  switch (body.kind) {
    case 'raw':
      return body.bytes
    case 'json': {
      const value = withIds(body.value, pools, serial)
      if (accessToken !== undefined && isJsonObject(value)) setOwn(value, 'access_token', accessToken)
      return damagedText(value, body.damage)
    }
    case 'form': {
      const fields = withIds(body.fields, pools, serial)
      if (!isJsonObject(fields)) return Buffer.from(jsonText(fields))
      const form = new URLSearchParams()
      for (const name of Object.keys(fields)) {
        const value = fields[name] as FuzzJson
        const text = typeof value === 'string' ? value : jsonText(value)
        form.append(name, body.quotes === 'single' ? text.replaceAll('"', "'") : text)
      }
      if (accessToken !== undefined) form.append('access_token', accessToken)
      return Buffer.from(form.toString())
    }
  }
}

/** `value` with the placeholders replaced by ids of messages carewindow sent. */
function withIds(value: FuzzJson, pools: IdPools, serial: number): FuzzJson {
  const copy = copyJson(value)
  const fill = (text: string): string =>
    text
      .replaceAll(
        WAMID_PLACEHOLDER,
        pick(pools.wamid, serial) ?? 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      )
      .replaceAll(MID_PLACEHOLDER, pick(pools.mid, serial) ?? 'm_unknown')
  const visit = (node: FuzzJson): FuzzJson => {
    if (typeof node === 'string') return node.includes('@@') ? fill(node) : node
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        node[index] = visit(item)
      })
      return node
    }
    if (isJsonObject(node))
      for (const key of Object.keys(node)) setOwn(node, key, visit(node[key] as FuzzJson))
    return node
  }
  return visit(copy)
}

function signatureOf(signing: Signing, body: Buffer, tenant: TenantName): string | undefined {
  const hmac = (secret: string, algorithm = 'sha256') =>
    createHmac(algorithm, secret).update(body).digest('hex')
  switch (signing) {
    case 'owner':
      return `sha256=${hmac(TENANT_SECRETS[tenant])}`
    case 'other':
      return `sha256=${hmac(TENANT_SECRETS[otherOf(tenant)])}`
    case 'unknown':
      return `sha256=${hmac(UNKNOWN_APP_SECRET)}`
    case 'none':
      return undefined
    case 'uppercase':
      return `sha256=${hmac(TENANT_SECRETS[tenant]).toUpperCase()}`
    case 'sha1':
      return `sha1=${hmac(TENANT_SECRETS[tenant], 'sha1')}`
    case 'garbage':
      return 'sha256=zz'
    case 'empty':
      return ''
  }
}

const SHOWN_CHARACTERS = 600

/** A request as a report shows it: method, URL, headers and body, long parts shortened (with their length). */
export function describeRequest(request: HttpRequest): string {
  const shorten = (text: string) =>
    text.length <= SHOWN_CHARACTERS
      ? text
      : `${text.slice(0, SHOWN_CHARACTERS)}… (${text.length} characters in all)`
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${shorten(value)}`)
    .join('\n  ')
  const body = request.body === null ? '(no body)' : shorten(JSON.stringify(request.body.toString('utf8')))
  return `${request.method} ${shorten(request.url)} [${request.transport}]\n  ${headers}\n  body: ${body}`
}

/** How fast-check prints a generated case in a counterexample (bodies shortened, ids not yet filled in). */
export function describeCase(fuzz: FuzzCase): string {
  return describeRequest(resolveCase(fuzz, new IdPools(), 0).request)
}

/** Gives generated cases a readable form in fast-check's reports. */
export function printable(fuzz: FuzzCase): FuzzCase {
  return Object.defineProperty({ ...fuzz }, fc.toStringMethod, {
    value: () => describeCase(fuzz),
    enumerable: false,
  })
}
