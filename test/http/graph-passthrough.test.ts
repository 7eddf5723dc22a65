import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { applyConfig } from '../../src/gateway/bootstrap.js'
import { Gateway } from '../../src/gateway/gateway.js'
import { buildApp } from '../../src/http/app.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'

const ACME_KEY = 'cw_acme_passthrough_key_0123456789'
const GLOBEX_KEY = 'cw_globex_passthrough_key_0123456789'
const ACME_NUMBER = '106540352242922'
const ACME_WABA = '102290129340398'
const ACME_PAGE = '200000000000001'
const GLOBEX_NUMBER = '106540352242999'
const GLOBEX_WABA = '102290129340999'
const TEMPLATE = {
  name: 'order_update',
  language: 'en',
  category: 'UTILITY',
  body: 'Your order {{1}} has shipped.',
}

const configFile = {
  sandbox: { status_delays_ms: [] },
  tenants: [
    {
      id: 'acme',
      api_keys: [{ key: ACME_KEY }],
      channels: [
        {
          platform: 'whatsapp',
          id: ACME_NUMBER,
          waba_id: ACME_WABA,
          upstream: { mode: 'sandbox' },
          app_secret: 'acme-app-secret',
          verify_token: 'acme-verify',
          templates: [TEMPLATE],
        },
        {
          platform: 'messenger',
          id: ACME_PAGE,
          upstream: { mode: 'sandbox' },
          app_secret: 'acme-page-secret',
          verify_token: 'acme-page-verify',
        },
      ],
    },
    {
      id: 'globex',
      api_keys: [{ key: GLOBEX_KEY }],
      channels: [
        {
          platform: 'whatsapp',
          id: GLOBEX_NUMBER,
          waba_id: GLOBEX_WABA,
          upstream: { mode: 'sandbox' },
          app_secret: 'globex-app-secret',
          verify_token: 'globex-verify',
        },
      ],
    },
  ],
}

const BOUNDARY = 'carewindowtestboundary'

/** A whatsapp-api-js style upload: the `file` part, its type, and `messaging_product`. */
function mediaForm(file: Buffer, type: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="messaging_product"\r\n\r\nwhatsapp\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="type"\r\n\r\n${type}\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ])
}

describe('the Graph passthrough on sandbox channels', () => {
  let app: FastifyInstance
  let gateway: Gateway

  beforeAll(async () => {
    const store = await openSqliteStore({ path: ':memory:' })
    const config = resolveConfig(configFile, {}, null)
    await applyConfig(store, config, Date.now)
    gateway = new Gateway({ store, config, logger: pino({ level: 'silent' }) })
    app = await buildApp({ gateway })
  })

  afterAll(async () => {
    await app.close()
    await gateway.stop()
  })

  const call = async (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { key?: string; json?: unknown; body?: Buffer; contentType?: string } = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${options.key ?? ACME_KEY}`,
        ...(options.contentType === undefined ? {} : { 'content-type': options.contentType }),
      },
      ...(options.json === undefined ? {} : { payload: options.json as object }),
      ...(options.body === undefined ? {} : { payload: options.body }),
    })
    return { status: response.statusCode, body: response.rawPayload, json: () => response.json<unknown>() }
  }

  const upload = (file: Buffer, key = ACME_KEY, number = ACME_NUMBER) =>
    call('POST', `/v21.0/${number}/media`, {
      key,
      body: mediaForm(file, 'image/jpeg'),
      contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    })

  it('uploads media, answers its URL as carewindow’s download link, serves the file there and deletes it', async () => {
    const file = Buffer.from('not really a jpeg, but bytes all the same')
    const uploaded = await upload(file)
    expect(uploaded.status).toBe(200)
    const { id } = uploaded.json() as { id: string }
    expect(id).toMatch(/^\d+$/)

    const media = await call('GET', `/v21.0/${id}?phone_number_id=${ACME_NUMBER}`)
    expect(media.status).toBe(200)
    const described = media.json() as { url: string; mime_type: string; file_size: number }
    expect(described).toMatchObject({ mime_type: 'image/jpeg', file_size: expect.any(Number) as number })
    const link = new URL(described.url)
    expect(link.pathname).toBe(`/media/${id}/download`)
    expect(link.searchParams.get('phone_number_id')).toBe(ACME_NUMBER)

    const downloaded = await call('GET', `${link.pathname}${link.search}`)
    expect(downloaded.status).toBe(200)
    expect(downloaded.body.equals(file)).toBe(true)

    expect((await call('DELETE', `/v21.0/${id}`)).json()).toEqual({ success: true })
    expect((await call('GET', `/v21.0/${id}`)).status).toBe(400)
  })

  it('lists the templates of the sandbox’s account, which starts from the channel’s registry', async () => {
    const listed = await call('GET', `/v21.0/${ACME_WABA}/message_templates`)
    expect(listed.status).toBe(200)
    expect(listed.json()).toMatchObject({
      data: [{ name: 'order_update', language: 'en', category: 'UTILITY', status: 'APPROVED' }],
    })
  })

  it('answers the number, its business profile and registration like Graph', async () => {
    expect((await call('GET', `/v21.0/${ACME_NUMBER}`)).json()).toMatchObject({ id: ACME_NUMBER })
    const update = await call('POST', `/v21.0/${ACME_NUMBER}/whatsapp_business_profile`, {
      json: { messaging_product: 'whatsapp', about: 'Open 9–5', access_token: ACME_KEY },
    })
    expect(update.json()).toEqual({ success: true })
    expect((await call('GET', `/v21.0/${ACME_NUMBER}/whatsapp_business_profile`)).json()).toMatchObject({
      data: [{ about: 'Open 9–5' }],
    })
    const registered = await call('POST', `/v21.0/${ACME_NUMBER}/register`, {
      json: { messaging_product: 'whatsapp', pin: '123456' },
    })
    expect(registered.json()).toEqual({ success: true })
  })

  it('sets and reads the Page’s Messenger profile through /me', async () => {
    const set = await call('POST', '/v21.0/me/messenger_profile', {
      json: { greeting: [{ locale: 'default', text: 'Hello!' }] },
    })
    expect(set.json()).toEqual({ result: 'success' })
    expect((await call('GET', '/v21.0/me/messenger_profile')).json()).toMatchObject({
      data: [{ greeting: [{ locale: 'default', text: 'Hello!' }] }],
    })
  })

  it('sets, reads and deletes the Page’s Messenger profile by the Page’s id', async () => {
    const set = await call('POST', `/v21.0/${ACME_PAGE}/messenger_profile`, {
      json: { get_started: { payload: 'START' } },
    })
    expect(set.json()).toEqual({ result: 'success' })
    expect((await call('GET', `/v21.0/${ACME_PAGE}/messenger_profile`)).json()).toMatchObject({
      data: [{ get_started: { payload: 'START' } }],
    })
    expect(
      (
        await call('DELETE', `/v21.0/${ACME_PAGE}/messenger_profile`, { json: { fields: ['get_started'] } })
      ).json(),
    ).toEqual({ result: 'success' })
  })

  it('answers another tenant’s Page id, and an id that is no Page, with Graph’s 404 for an unknown object', async () => {
    for (const [key, id] of [
      [GLOBEX_KEY, ACME_PAGE],
      [ACME_KEY, ACME_NUMBER],
    ] as const) {
      const answer = await call('GET', `/v21.0/${id}/messenger_profile`, { key })
      expect(answer.status).toBe(404)
      expect(answer.json()).toMatchObject({
        error: {
          code: 100,
          type: 'OAuthException',
          error_data: { details: expect.stringContaining(`Object with ID '${id}' does not exist`) as string },
        },
      })
    }
  })

  it('syncs a template created on the sandbox’s account into the channel’s templates, and marks a deleted one', async () => {
    const created = await call('POST', `/v21.0/${ACME_WABA}/message_templates`, {
      json: {
        name: 'delivery_window',
        language: 'en',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'We deliver between {{1}} and {{2}}.' }],
      },
    })
    expect(created.json()).toMatchObject({ status: 'APPROVED', category: 'UTILITY' })

    const synced = await call('POST', `/v1/channels/${ACME_NUMBER}/templates/sync`)
    expect(synced.status).toBe(200)
    expect(synced.json()).toEqual({
      waba_id: ACME_WABA,
      added: 1,
      updated: 0,
      unchanged: 1,
      removed: 0,
      skipped: [],
      pages: 1,
    })
    const read = await call('GET', `/v1/channels/${ACME_NUMBER}/templates/delivery_window/en`)
    expect(read.json()).toMatchObject({ status: 'APPROVED', body: 'We deliver between {{1}} and {{2}}.' })

    await call('DELETE', `/v21.0/${ACME_WABA}/message_templates?name=order_update`)
    expect((await call('POST', `/v1/channels/${ACME_NUMBER}/templates/sync`)).json()).toMatchObject({
      removed: 1,
    })
    expect((await call('GET', `/v1/channels/${ACME_NUMBER}/templates/order_update/en`)).json()).toMatchObject(
      {
        status: 'DELETED',
      },
    )
  })

  it('answers a sync of a Messenger Page, or of another tenant’s number, with 404', async () => {
    expect((await call('POST', `/v1/channels/${ACME_PAGE}/templates/sync`)).status).toBe(404)
    expect(
      (await call('POST', `/v1/channels/${ACME_NUMBER}/templates/sync`, { key: GLOBEX_KEY })).status,
    ).toBe(404)
  })

  it('answers another tenant’s number and WABA with the 404 of an id that does not exist', async () => {
    const file = Buffer.from('x')
    const calls = [
      await upload(file, GLOBEX_KEY),
      await call('GET', `/v21.0/${ACME_WABA}/message_templates`, { key: GLOBEX_KEY }),
      await call('GET', `/v21.0/${ACME_NUMBER}/whatsapp_business_profile`, { key: GLOBEX_KEY }),
      await call('GET', `/v21.0/1234?phone_number_id=${ACME_NUMBER}`, { key: GLOBEX_KEY }),
      await call('GET', `/v21.0/me/messenger_profile`, { key: GLOBEX_KEY }),
    ]
    for (const answer of calls) {
      expect(answer.status).toBe(404)
      expect(answer.json()).toMatchObject({ error: { code: 100, type: 'OAuthException' } })
    }
    const theirs = calls[1]?.json() as { error: { message: string } }
    const unknown = await call('GET', `/v21.0/${GLOBEX_WABA}0/message_templates`, { key: GLOBEX_KEY })
    expect(unknown.status).toBe(404)
    expect((unknown.json() as { error: { message: string } }).error.message).toBe(theirs.error.message)
  })

  it('answers paths it does not know with Graph’s 404 naming the path', async () => {
    const answer = await call('GET', '/v21.0/123/message_qrdls')
    expect(answer.status).toBe(404)
    expect(answer.json()).toMatchObject({
      error: { error_data: { details: expect.stringContaining('GET /v21.0/123/message_qrdls') as string } },
    })
    const notGraph = await call('GET', '/nonsense/123')
    expect(notGraph.status).toBe(404)
    expect(
      (notGraph.json() as { error: { error_data: { details: string } } }).error.error_data.details,
    ).toContain('/nonsense/123')
  })

  it('refuses an upload that declares more than 100 MB with 413, and media bodies on other routes with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/v21.0/${ACME_NUMBER}/media`,
      headers: {
        authorization: `Bearer ${ACME_KEY}`,
        'content-type': 'application/octet-stream',
        'content-length': String(100 * 1024 * 1024 + 1),
      },
      payload: Buffer.alloc(16),
    })
    expect(response.statusCode).toBe(413)
    expect(response.json()).toMatchObject({ error: { code: 100 } })
    const elsewhere = await call('POST', `/v21.0/${ACME_NUMBER}/messages`, {
      body: Buffer.from('x'),
      contentType: 'application/octet-stream',
    })
    expect(elsewhere.status).toBe(415)
  })
})
