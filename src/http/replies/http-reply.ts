import type { FastifyReply } from 'fastify'

/** A reply as the HTTP layer sends it: status, headers, and the body as text (JSON unless said otherwise). */
export interface HttpReply {
  readonly status: number
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

/** Sends a reply: its status, headers and body, `application/json` unless its headers name another type. */
export function sendReply(reply: FastifyReply, http: HttpReply): FastifyReply {
  reply.status(http.status)
  reply.type(http.headers?.['content-type'] ?? 'application/json')
  for (const [name, value] of Object.entries(http.headers ?? {}))
    if (name !== 'content-type') reply.header(name, value)
  return reply.send(http.body)
}
