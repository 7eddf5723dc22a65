import { describe, expect, it } from 'vitest'
import { DEFAULT_AUTOMATIONS } from '../../config/automations.js'
import type { ChannelRecord } from '../../store/store.js'
import type { UpstreamRequest } from '../upstream.js'
import { messengerSandbox } from './sandbox.js'

const PSID = '1254477777772919'

const CHANNEL: ChannelRecord = {
  id: 'ch_sandbox',
  tenantId: 'sandbox',
  platform: 'messenger',
  externalId: '682498302938465',
  upstream: { mode: 'sandbox' },
  appSecret: 'sandbox-app-secret',
  verifyToken: 'sandbox-verify-token',
  settings: {},
  automations: DEFAULT_AUTOMATIONS,
  wabaId: null,
  createdAt: 0,
  updatedAt: 0,
}

function request(body: string, contentType: string): UpstreamRequest {
  return { channel: CHANNEL, version: 'v21.0', path: `/${CHANNEL.externalId}/messages`, body, contentType }
}

async function answer(
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; json: unknown }> {
  const reply = await messengerSandbox.forward(request(body, contentType))
  return { status: reply.status, json: JSON.parse(reply.body) }
}

describe('messengerSandbox', () => {
  it('answers a JSON message like the Send API: the recipient and a new message id', async () => {
    const reply = await answer(
      JSON.stringify({
        recipient: { id: PSID },
        messaging_type: 'RESPONSE',
        message: { text: 'hello, world' },
      }),
    )

    expect(reply).toEqual({
      status: 200,
      json: { recipient_id: PSID, message_id: expect.stringMatching(/^m_[\w-]{32}$/) as unknown },
    })
  })

  it('gives every message a message id of its own', async () => {
    const body = JSON.stringify({
      recipient: { id: PSID },
      messaging_type: 'UPDATE',
      message: { text: 'hi' },
    })

    const ids = new Set<unknown>()
    for (let i = 0; i < 20; i++) ids.add(((await answer(body)).json as { message_id: unknown }).message_id)

    expect(ids.size).toBe(20)
  })

  it('answers a numeric recipient id as a string', async () => {
    const reply = await answer(
      JSON.stringify({ recipient: { id: 1254477777772919 }, message: { text: 'hi' } }),
    )

    expect(reply.json).toMatchObject({ recipient_id: PSID })
  })

  it('answers a sender action with the recipient only, as Meta does', async () => {
    const reply = await answer(JSON.stringify({ recipient: { id: PSID }, sender_action: 'typing_on' }))

    expect(reply).toEqual({ status: 200, json: { recipient_id: PSID } })
  })

  it("answers a form-encoded message like Meta's curl example, with single-quoted JSON", async () => {
    const body = `recipient=${encodeURIComponent(`{'id':'${PSID}'}`)}&messaging_type=RESPONSE&message=${encodeURIComponent("{'text':'hello, world'}")}`

    const reply = await answer(body, 'application/x-www-form-urlencoded')

    expect(reply).toEqual({
      status: 200,
      json: { recipient_id: PSID, message_id: expect.stringMatching(/^m_/) as unknown },
    })
  })

  it('answers a form-encoded sender action with the recipient only', async () => {
    const body = new URLSearchParams({ recipient: JSON.stringify({ id: PSID }), sender_action: 'mark_seen' })

    const reply = await answer(body.toString(), 'application/x-www-form-urlencoded')

    expect(reply).toEqual({ status: 200, json: { recipient_id: PSID } })
  })

  it('answers an empty recipient id when a form has no readable recipient', async () => {
    const reply = await answer('messaging_type=RESPONSE', 'application/x-www-form-urlencoded')

    expect(reply.json).toMatchObject({ recipient_id: '' })
  })
})
