/** What the gateway answers an HTTP request with; the body is already serialised (JSON text). */
export interface GatewayReply {
  readonly status: number
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

export function jsonReply(
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): GatewayReply {
  return { status, body: JSON.stringify(body), ...(headers === undefined ? {} : { headers }) }
}
