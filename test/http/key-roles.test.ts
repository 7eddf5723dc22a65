import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { applyConfig } from '../../src/gateway/bootstrap.js'
import { authenticate } from '../../src/http/auth.js'
import { generateApiKey, hashApiKey, keyPrefix, randomId } from '../../src/shared/ids.js'
import type { ApiKeyRole } from '../../src/store/store.js'
import {
  ACME_KEY,
  ACME_NUMBER,
  HOUR,
  openFixture,
  T0,
  type NativeApiFixture,
  type Reply,
  type Table,
} from './native-api-fixture.js'

const SANNE = '31612345678'
const GRAPH_SEND = `/v21.0/${ACME_NUMBER}/messages`
const channel = `/v1/channels/${ACME_NUMBER}`
const consent = `${channel}/contacts/${SANNE}/consent`
const textToSanne = { messaging_product: 'whatsapp', to: SANNE, type: 'text', text: { body: 'Hi!' } }
const optIn = { scope: 'all', source: 'website_form' }
const rateCard = {
  label: 'Acme negotiated rates',
  currency: 'EUR',
  effective_from: '2025-08-01',
  rates: { NL: { utility: '0.0500', marketing: '0.1597' } },
}

interface GraphError {
  readonly error: { readonly code: number; readonly error_data: { readonly details: string } }
}

/** A new key of Acme's with this role, stored as the CLI stores one; the key and its id. */
async function acmeKey(
  fixture: NativeApiFixture,
  role: ApiKeyRole,
): Promise<{ readonly key: string; readonly id: string }> {
  const key = generateApiKey()
  const id = randomId('key')
  await fixture.gateway.store.insertApiKey({
    id,
    tenantId: 'acme',
    name: `${role} key`,
    prefix: keyPrefix(key),
    keyHash: hashApiKey(key),
    role,
    createdAt: fixture.now(),
    revokedAt: null,
  })
  return { key, id }
}

async function rowCounts(fixture: NativeApiFixture): Promise<Record<Table, number>> {
  const tables: readonly Table[] = ['messages', 'windows', 'contacts', 'consent_events', 'templates']
  return Object.fromEntries(
    await Promise.all(tables.map(async (table) => [table, await fixture.countRows(table)] as const)),
  ) as Record<Table, number>
}

function expectReadOnly(reply: Reply, route: string): void {
  expect(reply.status, route).toBe(403)
  const { error } = reply.body as GraphError
  expect(error.code).toBe(200)
  expect(error.error_data.details).toContain(`${route.split(' ')[0] ?? ''} `)
  expect(error.error_data.details).toContain('changes data and the API key has the read role')
  expect(error.error_data.details).toContain('needs a key with the admin role')
}

describe.each(['sqlite', 'postgres'] as const)('API key roles on %s', (dialect) => {
  let fixture: NativeApiFixture
  let readKey: string
  let readKeyId: string
  let sentMessageId: string

  beforeEach(async () => {
    fixture = await openFixture(dialect)
    ;({ key: readKey, id: readKeyId } = await acmeKey(fixture, 'read'))
    await fixture.customerWrites(SANNE)
    fixture.advance(HOUR)
    const sent = await fixture.call('POST', GRAPH_SEND, { body: textToSanne })
    expect(sent.status).toBe(200)
    sentMessageId = String(sent.headers['x-carewindow-message-id'])
  })
  afterEach(async () => {
    await fixture.close()
  })

  it('lets a read key read its tenant’s contacts, messages, consent, templates and costs', async () => {
    const asReader = (url: string) => fixture.call('GET', url, { key: readKey })

    const contacts = await asReader(`${channel}/contacts`)
    expect(contacts.status).toBe(200)
    expect(contacts.body).toMatchObject({ data: [{ contact_id: SANNE }] })
    expect((await asReader(`${channel}/contacts/${SANNE}/window`)).body).toMatchObject({ state: 'open' })
    expect((await asReader(consent)).status).toBe(200)
    expect((await asReader(`${channel}/templates`)).status).toBe(200)

    const messages = await asReader('/v1/messages')
    expect(messages.status).toBe(200)
    expect((messages.body as { data: { id: string }[] }).data.map((message) => message.id)).toContain(
      sentMessageId,
    )
    expect((await asReader(`/v1/messages/${sentMessageId}`)).body).toMatchObject({ id: sentMessageId })

    const from = new Date(T0 - 24 * HOUR).toISOString()
    const to = new Date(T0 + 24 * HOUR).toISOString()
    const costs = await asReader(`/v1/costs?from=${from}&to=${to}`)
    expect(costs.status).toBe(200)
    expect(costs.body).toMatchObject({ messages: 1 })
    expect((await asReader('/v1/rate-cards')).status).toBe(200)
    expect((await asReader('/v1/channels')).status).toBe(200)
  })

  it('lets a read key ask for a dry-run decision, a POST that changes nothing', async () => {
    const before = await rowCounts(fixture)
    const reply = await fixture.call('POST', `${channel}/decisions`, {
      key: readKey,
      body: { message: textToSanne },
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ allowed: true })
    expect(await rowCounts(fixture)).toEqual(before)
  })

  it('lets a read key ask what the period would cost under other settings, a POST that changes nothing', async () => {
    const before = await rowCounts(fixture)
    const reply = await fixture.call('POST', '/v1/costs/what-if', {
      key: readKey,
      body: {
        from: new Date(T0 - 24 * HOUR).toISOString(),
        to: new Date(T0 + 24 * HOUR).toISOString(),
        settings: { pricing_2026: true },
      },
    })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body).toMatchObject({ repriced: 1 })
    expect(await rowCounts(fixture)).toEqual(before)
  })

  it('refuses a read key every change with 403 READ_ONLY_KEY, and nothing is written', async () => {
    const before = await rowCounts(fixture)
    const writes: readonly (readonly ['POST' | 'PUT' | 'DELETE', string, object?])[] = [
      ['POST', GRAPH_SEND, textToSanne],
      ['POST', `/v21.0/me/messages`, { recipient: { id: '7012345678901234' }, message: { text: 'Hi' } }],
      ['POST', consent, optIn],
      ['DELETE', consent, { scope: 'all', source: 'keyword' }],
      ['POST', `${channel}/templates/sync`],
      ['PUT', '/v1/rate-cards/acme-2025-08', rateCard],
      ['POST', `/v1/sandbox/${ACME_NUMBER}/inbound`, { from: SANNE, text: 'Hi' }],
    ]
    for (const [method, url, body] of writes)
      expectReadOnly(
        await fixture.call(method, url, { key: readKey, ...(body === undefined ? {} : { body }) }),
        `${method} ${url}`,
      )
    expect(await rowCounts(fixture)).toEqual(before)
    expect((await fixture.call('GET', '/v1/rate-cards')).body).toMatchObject({ data: [] })
  })

  it('refuses a read key that comes as Graph’s access_token, in the query or in the body', async () => {
    const inQuery = await fixture.app.inject({
      method: 'POST',
      url: `${GRAPH_SEND}?access_token=${readKey}`,
      payload: textToSanne,
    })
    expect(inQuery.statusCode).toBe(403)
    const inBody = await fixture.app.inject({
      method: 'POST',
      url: GRAPH_SEND,
      payload: { ...textToSanne, access_token: readKey },
    })
    expect(inBody.statusCode).toBe(403)
    expect((JSON.parse(inBody.body) as GraphError).error.error_data.details).toContain('read role')
  })

  it('leaves an admin key — and every key made before roles — doing what it did', async () => {
    const { key: adminKey } = await acmeKey(fixture, 'admin')
    for (const key of [ACME_KEY, adminKey]) {
      expect((await fixture.call('POST', consent, { key, body: optIn })).status).toBe(201)
      expect((await fixture.call('POST', GRAPH_SEND, { key, body: textToSanne })).status).toBe(200)
      expect(
        (await fixture.call('PUT', '/v1/rate-cards/acme-2025-08', { key, body: rateCard })).status,
      ).toBeLessThan(300)
      expect((await fixture.call('GET', '/v1/messages', { key })).status).toBe(200)
    }
    expect(await fixture.countRows('consent_events')).toBe(2)
  })

  it('answers a revoked read key 401, like any revoked key', async () => {
    expect((await fixture.call('GET', '/v1/channels', { key: readKey })).status).toBe(200)
    expect(await fixture.gateway.directory.revokeApiKey(readKeyId)).toBe(true)
    const reads = await fixture.call('GET', '/v1/channels', { key: readKey })
    expect(reads.status).toBe(401)
    expect((await fixture.call('POST', GRAPH_SEND, { key: readKey, body: textToSanne })).status).toBe(401)
  })

  it('gives a key declared in the config file the role the file names, also when the file changes it', async () => {
    const declared = 'cw_acme_manager_key_0123456789'
    const fileWith = (role: ApiKeyRole) =>
      resolveConfig(
        { tenants: [{ id: 'acme', api_keys: [{ name: 'dashboard', key: declared, role }] }] },
        {},
        null,
      )
    const { store } = fixture.gateway
    await applyConfig(store, fileWith('read'), () => fixture.now())
    expect((await store.findApiKey(hashApiKey(declared)))?.role).toBe('read')
    fixture.gateway.directory.invalidate()
    expectReadOnly(await fixture.call('POST', consent, { key: declared, body: optIn }), 'POST consent')

    await applyConfig(store, fileWith('admin'), () => fixture.now())
    expect((await store.findApiKey(hashApiKey(declared)))?.role).toBe('admin')
    fixture.gateway.directory.invalidate()
    expect((await fixture.call('POST', consent, { key: declared, body: optIn })).status).toBe(201)
    expect((await store.listApiKeys('acme')).filter((key) => key.name === 'dashboard')).toHaveLength(1)
  })

  it('takes a route that declares nothing to write: a read key is refused there, an admin key is not', async () => {
    // Routes can only be added before the app first answers: a carewindow of its own.
    const fresh = await openFixture(dialect)
    try {
      const { gateway } = fresh
      fresh.app.get('/v1/undeclared', async (request) => {
        const tenant = await authenticate(gateway, request)
        return { tenant: tenant.id }
      })
      const { key } = await acmeKey(fresh, 'read')
      expect((await fresh.call('GET', '/v1/undeclared')).body).toEqual({ tenant: 'acme' })
      expectReadOnly(await fresh.call('GET', '/v1/undeclared', { key }), 'GET /v1/undeclared')
    } finally {
      await fresh.close()
    }
  })
})

/** Routes that take no API key: Meta's webhooks (signed), operations, the OpenAPI document, the dashboard's files. */
const KEYLESS = [
  /^\/webhooks\//,
  /^\/(healthz|readyz|metrics)$/,
  /^\/docs(\/|$)/,
  /^\/(inbox|costs|templates|health)?$/,
  /^\/assets\//,
]

/** The routes besides GET and HEAD that only read; a new one must be added here on purpose. */
const READING_POSTS = ['POST /v1/channels/:channelId/decisions', 'POST /v1/costs/what-if']

describe('what each route declares', () => {
  let fixture: NativeApiFixture
  beforeEach(async () => {
    fixture = await openFixture('sqlite')
    await fixture.app.ready()
  })
  afterEach(async () => {
    await fixture.close()
  })

  it('has every route that takes an API key say whether it writes, /v1 and Graph’s alike', () => {
    const keyed = fixture.app.routeAccess.filter(({ url }) => !KEYLESS.some((keyless) => keyless.test(url)))
    expect(keyed.filter(({ url }) => url.startsWith('/v1/')).length).toBeGreaterThan(40)
    expect(keyed.some(({ url }) => url === '/:version/:id/messages')).toBe(true)
    const undeclared = keyed.filter(({ writes }) => writes === undefined)
    expect(undeclared.map(({ method, url }) => `${method} ${url}`)).toEqual([])
  })

  it('documents 403 READ_ONLY_KEY on exactly the keyed routes that declare they write', async () => {
    const served = await fixture.app.inject({ method: 'GET', url: '/docs/json' })
    const { paths } = JSON.parse(served.body) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
    }
    const documented = fixture.app.routeAccess.filter(
      ({ method, url }) =>
        method !== 'HEAD' && !KEYLESS.some((keyless) => keyless.test(url)) && !url.includes('*'),
    )
    expect(documented.length).toBeGreaterThan(60)
    for (const { method, url, writes } of documented) {
      const path = url.replace(/:(\w+)/g, '{$1}')
      const responses = paths[path]?.[method.toLowerCase()]?.responses
      expect(responses, `${method} ${url}`).toBeDefined()
      expect(Object.hasOwn(responses ?? {}, '403'), `${method} ${url}`).toBe(writes)
    }
  })

  it('declares GET and HEAD routes reads, and of the others only the dry run', () => {
    const keyed = fixture.app.routeAccess.filter(({ url }) => !KEYLESS.some((keyless) => keyless.test(url)))
    for (const { method, url, writes } of keyed) {
      const route = `${method} ${url}`
      const isRead = method === 'GET' || method === 'HEAD' || READING_POSTS.includes(route)
      expect(writes, route).toBe(!isRead)
    }
  })
})
