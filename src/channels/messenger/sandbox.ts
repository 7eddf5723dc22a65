import { randomBytes } from 'node:crypto'
import type { Upstream, UpstreamReply, UpstreamRequest } from '../upstream.js'
import { parseLooseJson } from './send-request.js'

/** The built-in stand-in for the Send API: accepts what carewindow allows and answers like Meta. */
export const messengerSandbox: Upstream = {
  forward(request: UpstreamRequest): Promise<UpstreamReply> {
    const fields = fieldsOf(request)
    const id = fields.recipient?.id
    const recipientId = typeof id === 'string' || typeof id === 'number' ? String(id) : ''
    const body =
      fields.sender_action === undefined
        ? { recipient_id: recipientId, message_id: `m_${randomBytes(24).toString('base64url')}` }
        : { recipient_id: recipientId }
    return Promise.resolve({ status: 200, body: JSON.stringify(body) })
  },
}

function fieldsOf(request: UpstreamRequest): { recipient?: { id?: unknown }; sender_action?: unknown } {
  if (request.contentType === 'application/json')
    return JSON.parse(request.body) as { recipient?: { id?: unknown } }
  const form = new URLSearchParams(request.body)
  return {
    recipient: parseLooseJson(form.get('recipient') ?? '') as { id?: unknown },
    sender_action: form.get('sender_action') ?? undefined,
  }
}
