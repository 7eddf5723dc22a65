import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  type E2eDatabase,
  graphErrorOf,
  type HttpAnswer,
  inboundTextNotification,
  metaSignature,
  OTHER_TENANT_PHONE_NUMBER_ID,
  PHONE_NUMBER_ID,
  startE2eStack,
  textMessage,
  ticketUpdate,
} from '../support/test-gateway.js'

const CUSTOMER = '31645678901'
const UNKNOWN_PHONE_NUMBER_ID = '109999999999998'
const TEN_MEGABYTES = 10 * 1024 * 1024

interface RawRequest {
  readonly method?: string
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string | Buffer
}

interface BadInput {
  readonly request: RawRequest
  readonly status: number
  /** What `error.error_data.details` must say. */
  readonly details: RegExp
  readonly code?: number
}

const send = (body: string | Buffer, headers: Record<string, string> = {}): RawRequest => ({
  path: `/v21.0/${PHONE_NUMBER_ID}/messages`,
  headers: {
    'content-type': 'application/json',
    authorization: `Bearer ${API_KEY}`,
    // A key on every bad request: a refused request must not leave one behind either.
    'idempotency-key': `bad-input-${Math.random()}`,
    ...headers,
  },
  body,
})

const webhook = (body: string | Buffer, headers: Record<string, string> = {}): RawRequest => ({
  path: '/webhooks/whatsapp',
  headers: {
    'content-type': 'application/json',
    'x-hub-signature-256': metaSignature(body, APP_SECRET),
    ...headers,
  },
  body,
})

const withBody = (fields: Record<string, unknown>) =>
  JSON.stringify({
    messaging_product: 'whatsapp',
    to: CUSTOMER,
    type: 'text',
    text: { body: 'Hi' },
    ...fields,
  })

const deeplyNested = `{"messaging_product":"whatsapp","to":"${CUSTOMER}","type":"text","text":${'['.repeat(200_000)}${']'.repeat(200_000)}}`

const native = (method: string, path: string, body?: unknown): RawRequest => ({
  method,
  path,
  headers: {
    authorization: `Bearer ${API_KEY}`,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
})

const BAD_INPUTS: Record<string, BadInput> = {
  'a NUL character in a message’s text': {
    request: send(withBody({ text: { body: 'Hi\u0000there' } })),
    status: 400,
    code: 100,
    details: /body\.text\.body contains a NUL character/,
  },
  'a NUL character in a contact id in the URL': {
    request: native('GET', `/v1/channels/${PHONE_NUMBER_ID}/contacts/316%0012345/window`),
    status: 400,
    code: 100,
    details: /the URL contains a NUL character/,
  },
  'a NUL character in a query parameter': {
    request: native('GET', `/v1/channels/${PHONE_NUMBER_ID}/cases?contact_id=%00`),
    status: 400,
    code: 100,
    details: /the URL contains a NUL character/,
  },
  'a NUL character in a case’s external id': {
    request: native('POST', `/v1/channels/${PHONE_NUMBER_ID}/cases`, {
      contact_id: CUSTOMER,
      external_id: 'T-\u0000',
    }),
    status: 400,
    code: 100,
    details: /body\.external_id contains a NUL character/,
  },
  'malformed JSON': {
    request: send('{"messaging_product": "whatsapp", "to": '),
    status: 400,
    code: 100,
    details: /not valid JSON/,
  },
  'an empty body': { request: send(''), status: 400, code: 100, details: /JSON body/ },
  'a JSON array': { request: send('[]'), status: 400, code: 100, details: /expected object/i },
  'JSON null': { request: send('null'), status: 400, code: 100, details: /expected object/i },
  'a number for "to"': { request: send(withBody({ to: 5 })), status: 400, code: 100, details: /\bto\b/ },
  'a number for "type"': {
    request: send(withBody({ type: 7 })),
    status: 400,
    code: 100,
    details: /\btype\b/,
  },
  'no "messaging_product"': {
    request: send(withBody({ messaging_product: undefined })),
    status: 400,
    code: 100,
    details: /messaging_product/,
  },
  'no "to"': {
    request: send(withBody({ to: undefined })),
    status: 400,
    code: 100,
    details: /"to" is required/,
  },
  'an unknown message type': {
    request: send(withBody({ type: 'hologram', hologram: { body: 'x' } })),
    status: 400,
    code: 100,
    details: /type "hologram" is not a message type/,
  },
  'a text message without its text object': {
    request: send(withBody({ text: undefined })),
    status: 400,
    code: 100,
    details: /needs a "text" object/,
  },
  'a template without a name': {
    request: send(
      withBody({ type: 'template', text: undefined, template: { language: { code: 'en' }, components: [] } }),
    ),
    status: 400,
    code: 100,
    details: /template\.name/,
  },
  'a template language that is a string': {
    request: send(
      withBody({ type: 'template', text: undefined, template: { name: 'ticket_update', language: 'en' } }),
    ),
    status: 400,
    code: 100,
    details: /template\.language/,
  },
  'JSON nested 200,000 levels deep': {
    request: send(deeplyNested),
    status: 400,
    code: 100,
    details: /more than 64 levels deep/,
  },
  'a 10 MB body': {
    request: send(withBody({ text: { body: 'x'.repeat(TEN_MEGABYTES) } })),
    status: 413,
    code: 100,
    details: /too large/,
  },
  'a text/plain body': {
    request: send(withBody({}), { 'content-type': 'text/plain' }),
    status: 415,
    code: 100,
    details: /Content-Type/,
  },
  'a form-encoded body': {
    request: send('to=31645678901&type=text', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 100,
    details: /Content-Type/,
  },
  'an Idempotency-Key of 300 characters': {
    request: send(textMessage(CUSTOMER, 'Hi'), { 'idempotency-key': 'k'.repeat(300) }),
    status: 400,
    code: 100,
    details: /Idempotency-Key must be 1 to 255 characters/,
  },
  'an unknown channel id': {
    request: { ...send(textMessage(CUSTOMER, 'Hi')), path: `/v21.0/${UNKNOWN_PHONE_NUMBER_ID}/messages` },
    status: 404,
    code: 100,
    details: new RegExp(UNKNOWN_PHONE_NUMBER_ID),
  },
  'another tenant’s channel id': {
    request: {
      ...send(textMessage(CUSTOMER, 'Hi')),
      path: `/v21.0/${OTHER_TENANT_PHONE_NUMBER_ID}/messages`,
    },
    status: 404,
    code: 100,
    details: new RegExp(OTHER_TENANT_PHONE_NUMBER_ID),
  },
  'a version that is not a Graph version (/vX/)': {
    request: { ...send(textMessage(CUSTOMER, 'Hi')), path: `/vX/${PHONE_NUMBER_ID}/messages` },
    status: 400,
    code: 2500,
    details: /"vX" is not a Graph version/,
  },
  'a version without its minor number (/v21/)': {
    request: { ...send(textMessage(CUSTOMER, 'Hi')), path: `/v21/${PHONE_NUMBER_ID}/messages` },
    status: 400,
    code: 2500,
    details: /"v21" is not a Graph version/,
  },
  'a wrong API key': {
    request: send(textMessage(CUSTOMER, 'Hi'), { authorization: 'Bearer cw_not_a_key_of_anyone_at_all' }),
    status: 401,
    code: 190,
    details: /unknown or revoked/,
  },
  'no API key': {
    request: { ...send(textMessage(CUSTOMER, 'Hi')), headers: { 'content-type': 'application/json' } },
    status: 401,
    code: 190,
    details: /Authorization: Bearer/,
  },
  'the Messenger path /v21.0/me/messages': {
    request: { ...send(textMessage(CUSTOMER, 'Hi')), path: '/v21.0/me/messages' },
    status: 404,
    details: /Messenger Page/,
  },
  'a GET on the send endpoint': {
    request: { method: 'GET', path: `/v21.0/${PHONE_NUMBER_ID}/messages` },
    status: 404,
    code: 100,
    details: /is not a carewindow route/,
  },
  'a signed webhook that is not JSON': {
    request: webhook('{"object": "whatsapp_business_account", "entry": ['),
    status: 400,
    code: 100,
    details: /not valid JSON/,
  },
  'a signed webhook that is not UTF-8 (Latin-1 é)': {
    request: webhook(
      Buffer.concat([
        Buffer.from(
          `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"${PHONE_NUMBER_ID}"},"messages":[{"from":"${CUSTOMER}","id":"wamid.latin1","timestamp":"1750300000","type":"text","text":{"body":"caf`,
        ),
        Buffer.from([0xe9]),
        Buffer.from('"}}]}}]}]}'),
      ]),
    ),
    status: 400,
    code: 100,
    details: /not UTF-8/,
  },
  'a signed webhook starting with a byte order mark': {
    request: webhook(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('{"object":"whatsapp_business_account","entry":[]}'),
      ]),
    ),
    status: 400,
    code: 100,
    details: /not valid JSON/,
  },
  'a signed webhook for another product': {
    request: webhook('{"object":"page","entry":[]}'),
    status: 400,
    code: 100,
    details: /"object": "whatsapp_business_account"/,
  },
  'a signed webhook sent as text/plain': {
    request: webhook('{"object":"whatsapp_business_account","entry":[]}', { 'content-type': 'text/plain' }),
    status: 415,
    code: 100,
    details: /Content-Type/,
  },
  'a signed 10 MB webhook': {
    request: webhook(
      `{"object":"whatsapp_business_account","entry":[],"padding":"${'x'.repeat(TEN_MEGABYTES)}"}`,
    ),
    status: 413,
    code: 100,
    details: /too large/,
  },
  'a signed empty webhook': { request: webhook(''), status: 400, code: 100, details: /not valid JSON/ },
  'a signed webhook whose "entry" is a string': {
    request: webhook('{"object":"whatsapp_business_account","entry":"x"}'),
    status: 400,
    code: 100,
    details: /entry: /,
  },
  'a signed webhook nested 100,000 levels deep': {
    request: webhook(
      `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"x","value":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}]}]}`,
    ),
    status: 400,
    code: 100,
    details: /more than 64 levels deep/,
  },
  'a signed webhook from a wa_id of 10,000 digits': {
    request: webhook(
      inboundTextNotification({ from: '3'.repeat(10_000), id: 'wamid.long-wa-id', atMs: Date.now() }),
    ),
    status: 400,
    code: 100,
    details: /messages\[0\]\.from: it has 10000 characters; at most 64 are accepted/,
  },
  'a signed webhook with a message id of 10,000 characters': {
    request: webhook(inboundTextNotification({ from: CUSTOMER, id: 'w'.repeat(10_000), atMs: Date.now() })),
    status: 400,
    code: 100,
    details: /messages\[0\]\.id: it has 10000 characters; at most 256/,
  },
  'a signed webhook with a message from the year 5138': {
    request: webhook(
      inboundTextNotification({ from: CUSTOMER, id: 'wamid.far-future', atMs: 99_999_999_999_000 }),
    ),
    status: 400,
    code: 100,
    details:
      /timestamp: the timestamp must be between 2000-01-01T00:00:00\.000Z and 2100-01-01T00:00:00\.000Z/,
  },
  'an unsigned webhook': {
    request: {
      ...webhook('{"object":"whatsapp_business_account","entry":[]}'),
      headers: { 'content-type': 'application/json' },
    },
    status: 401,
    code: 190,
    details: /X-Hub-Signature-256 header is missing/,
  },
  'a WhatsApp notification posted to the Messenger webhook': {
    request: { ...webhook('{"object":"whatsapp_business_account","entry":[]}'), path: '/webhooks/messenger' },
    status: 401,
    code: 190,
    details: /X-Hub-Signature-256/,
  },
}

for (const dialect of ['sqlite', 'postgres'] as const)
  describe(`bad input (${dialect})`, { timeout: 60_000 }, () => {
    let database: E2eDatabase
    let graph: FakeGraph
    let server: RunningServer
    const cleanup = new Cleanup()

    beforeAll(async () => {
      ;({ database, graph, server } = await startE2eStack(dialect, cleanup))
    })

    afterAll(() => cleanup.run())

    async function request(raw: RawRequest): Promise<HttpAnswer> {
      const response = await fetch(`${server.url}${raw.path}`, {
        method: raw.method ?? 'POST',
        headers: raw.headers ?? {},
        ...(raw.body === undefined ? {} : { body: raw.body }),
      })
      return { status: response.status, headers: response.headers, text: await response.text() }
    }

    it.each(Object.entries(BAD_INPUTS))(
      'answers %s with a clear 4xx in Graph’s envelope and writes nothing',
      async (_name, bad) => {
        await server.gateway.inbox.drain()
        const before = await database.counts()

        const answer = await request(bad.request)
        await server.gateway.inbox.drain()

        expect(answer.status).toBe(bad.status)
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
        const error = graphErrorOf(answer)
        expect(error).toMatchObject({ type: 'OAuthException', fbtrace_id: expect.any(String) as string })
        if (bad.code !== undefined) expect(error.code).toBe(bad.code)
        expect(error.message).toMatch(/^\(#\d+\) /)
        expect(error.error_data?.details).toMatch(bad.details)
        expect(await database.counts()).toEqual(before)
        expect(graph.requests).toHaveLength(0)
      },
    )

    it('answers another tenant’s channel exactly as it answers an id that does not exist', async () => {
      const normalised = async (phoneNumberId: string) => {
        const answer = await request({
          ...send(textMessage(CUSTOMER, 'Hi')),
          path: `/v21.0/${phoneNumberId}/messages`,
        })
        const error = graphErrorOf(answer)
        return {
          status: answer.status,
          error: {
            ...error,
            fbtrace_id: '…',
            error_data: { details: error.error_data?.details.replace(phoneNumberId, '<id>') },
          },
        }
      }

      expect(await normalised(OTHER_TENANT_PHONE_NUMBER_ID)).toEqual(
        await normalised(UNKNOWN_PHONE_NUMBER_ID),
      )
    })

    it('takes Meta’s notification with NUL characters in a name and a text, and opens the window', async () => {
      const contact = '31645670000'
      const body = inboundTextNotification({
        from: contact,
        id: 'wamid.nul-character-0001',
        atMs: Date.now(),
        text: 'Help\u0000 please',
        profileName: 'Ann\u0000e',
      })

      const answer = await request(webhook(body))
      await server.gateway.inbox.drain()

      expect(answer.status).toBe(200)
      const window = await request(
        native('GET', `/v1/channels/${PHONE_NUMBER_ID}/contacts/${contact}/window`),
      )
      expect(window.status).toBe(200)
      expect(JSON.parse(window.text)).toMatchObject({ state: 'open' })
    })

    it('never answered any of them with a 5xx, and keeps serving afterwards', async () => {
      const answers = await Promise.all(Object.values(BAD_INPUTS).map((bad) => request(bad.request)))
      expect(answers.filter((answer) => answer.status >= 500)).toEqual([])

      const health = await request({ method: 'GET', path: '/healthz' })
      const sent = await request(send(ticketUpdate(CUSTOMER, 'T-7')))

      expect(health.status).toBe(200)
      expect(sent.status).toBe(200)
      expect(graph.accepted).toHaveLength(1)
    })
  })
