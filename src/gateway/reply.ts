/** What the gateway answers an HTTP request with; the body is already serialised (JSON text). */
export interface GatewayReply {
  readonly status: number
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
  /**
   * What an Idempotency-Key the request came with keeps of this reply: `complete` keeps it for every retry (the
   * default below 500), `release` lets the key go so a retry is handled anew (the default from 500), `done` means
   * the send already settled the key together with the message's outcome.
   */
  readonly idempotency?: 'complete' | 'release' | 'done'
}

export function jsonReply(
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): GatewayReply {
  return { status, body: JSON.stringify(body), ...(headers === undefined ? {} : { headers }) }
}
