/** The dashboard's only way to carewindow: the public /v1 API (and Graph's send endpoint), with the API key. */

export type * from './api-types.js'

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
