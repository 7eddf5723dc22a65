/** The dashboard's only way to carewindow: the public /v1 API (and Graph's send endpoint), with the API key. */

const KEY_STORAGE = 'carewindow.apiKey'
export const GRAPH_VERSION = 'v21.0'

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE)
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE)
  else sessionStorage.setItem(KEY_STORAGE, key)
}

/** An answer other than 2xx, with what carewindow said about it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message)
  }
}

interface GraphEnvelope {
  readonly error?: {
    readonly message?: string
    readonly code?: number
    readonly error_data?: { readonly details?: string }
  }
}

/** The sentence to show for an error answer: carewindow's details, else Graph's message. */
export function errorText(status: number, body: unknown): string {
  const error = (body as GraphEnvelope | null)?.error
  const details = error?.error_data?.details ?? error?.message
  if (status === 401) return 'That API key is unknown or revoked. Check the key and sign in again.'
  if (status === 403) return `This key may not do that (${details ?? 'forbidden'}).`
  return details === undefined ? `carewindow answered ${status}` : details
}

export async function request<T>(
  key: string,
  method: string,
  path: string,
  body?: unknown,
  query?: Readonly<Record<string, string | undefined>>,
  headers?: Readonly<Record<string, string>>,
): Promise<T> {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(name, value)
  const url = search.size === 0 ? path : `${path}?${search.toString()}`
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  let json: unknown = null
  try {
    json = text === '' ? null : JSON.parse(text)
  } catch {
    json = text
  }
  if (!response.ok) throw new ApiError(response.status, errorText(response.status, json), json)
  return json as T
}

export interface Channel {
  readonly platform: 'whatsapp' | 'messenger'
  readonly id: string
  readonly upstream: string
}

export interface WindowJson {
  readonly state: 'open' | 'closed'
  readonly type: string | null
  readonly opened_at: string | null
  readonly last_user_message_at: string | null
  readonly expires_at: string | null
  readonly seconds_left: number
  readonly free_entry_point_expires_at: string | null
}

export interface ContactRow {
  readonly contact_id: string
  readonly country: string | null
  readonly profile_name: string | null
  readonly window: WindowJson
}

export interface Page<T> {
  readonly data: T[]
  readonly paging: { readonly next_cursor: string | null }
}

export interface Price {
  readonly amount: string
  readonly amount_micros: number
  readonly currency: string
}

export interface Decision {
  readonly allowed: boolean
  readonly reason: string
  readonly rules: readonly string[]
  readonly billing?: Record<string, unknown> | null
  readonly explanation?: string | null
  readonly error?: { readonly code: number; readonly title: string; readonly details: string } | null
}

export interface MessageJson {
  readonly id: string
  readonly direction: 'inbound' | 'outbound'
  readonly contact_id: string
  readonly at: string
  readonly status: string | null
  readonly text?: string | null
  readonly type?: string | null
  readonly template?: { readonly name: string; readonly language: string } | null
  readonly decision?: Decision | null
  readonly price?: Price | null
  readonly meta_pricing?: Record<string, unknown> | null
}

export interface TemplateJson {
  readonly name: string
  readonly language: string
  readonly category: string
  readonly status: string
  readonly issue_resolution: boolean
  readonly header?: { readonly format: string; readonly text?: string }
  readonly body: string
  readonly buttons?: readonly {
    readonly type: string
    readonly text?: string
    readonly url?: string
    readonly phone_number?: string
  }[]
}

export interface DryRun extends Decision {
  readonly price?: Price | null
  readonly window?: Partial<WindowJson>
}
