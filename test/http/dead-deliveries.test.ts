import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeliveryRecord } from '../../src/store/store.js'
import { GLOBEX_KEY, HOUR, openFixture, T0, type NativeApiFixture, type Reply } from './native-api-fixture.js'

const WEBHOOK = { webhookUrl: 'https://acme.example/carewindow-hook', webhookSecret: 'acme-webhook-secret-1' }

interface DeliveryJson {
  readonly id: string
  readonly status: string
  readonly event_type: string
  readonly attempts: number
  readonly last_error: string | null
  readonly created_at: string
  readonly last_attempt_at: string | null
  readonly payload?: unknown
}

interface Page {
  readonly data: DeliveryJson[]
  readonly paging: { readonly next_cursor: string | null }
}

/** The error details of Graph's envelope. */
function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

const iso = (at: number) => new Date(at).toISOString()

describe('dead deliveries under /v1', () => {
  let fixture: NativeApiFixture

  /** A delivery of a `window.closed` event to the tenant, pending since `createdAt`. */
  const queued = (id: string, tenantId: string, createdAt: number): DeliveryRecord => ({
    id,
    tenantId,
    eventType: 'window.closed',
    payload: JSON.stringify({ id: `evt_${id}`, type: 'window.closed' }),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: createdAt,
    lastError: null,
    createdAt,
    deliveredAt: null,
    lastAttemptAt: null,
  })

  /** Queues a delivery for the tenant and gives it up after 15 attempts, the last failing with `error`. */
  async function deadDelivery(
    id: string,
    options: { readonly tenantId?: string; readonly createdAt?: number; readonly error?: string } = {},
  ): Promise<void> {
    const createdAt = options.createdAt ?? T0
    const store = fixture.gateway.store
    await store.enqueueDeliveries([queued(id, options.tenantId ?? 'acme', createdAt)])
    await store.retryDelivery(id, 15, null, options.error ?? 'acme answered 503', createdAt + HOUR)
  }

  async function giveWebhook(tenantId: string): Promise<void> {
    const tenant = await fixture.gateway.store.getTenant(tenantId)
    if (tenant === undefined) throw new Error(`no tenant ${tenantId}`)
    await fixture.gateway.store.upsertTenant({ ...tenant, ...WEBHOOK })
  }

  beforeEach(async () => {
    fixture = await openFixture('sqlite')
    await giveWebhook('acme')
  })
  afterEach(async () => {
    await fixture.close()
  })

  describe('GET /v1/dead-deliveries', () => {
    it('lists the tenant’s dead deliveries oldest first, with attempts, last error and times', async () => {
      await deadDelivery('dlv_b', { createdAt: T0 + 2_000 })
      await deadDelivery('dlv_a', { createdAt: T0 })
      await fixture.gateway.store.enqueueDeliveries([queued('dlv_pending', 'acme', T0 - 1)])

      const reply = await fixture.call('GET', '/v1/dead-deliveries')

      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        data: [
          {
            id: 'dlv_a',
            status: 'dead',
            event_type: 'window.closed',
            attempts: 15,
            last_error: 'acme answered 503',
            created_at: iso(T0),
            last_attempt_at: iso(T0 + HOUR),
          },
          expect.objectContaining({ id: 'dlv_b', created_at: iso(T0 + 2_000) }),
        ],
        paging: { next_cursor: null },
      })
    })

    it('pages with limit and next_cursor, each delivery once', async () => {
      for (const [index, id] of ['dlv_1', 'dlv_2', 'dlv_3'].entries())
        await deadDelivery(id, { createdAt: T0 + index })

      const first = (await fixture.call('GET', '/v1/dead-deliveries?limit=2')).body as Page
      expect(first.data.map((delivery) => delivery.id)).toEqual(['dlv_1', 'dlv_2'])
      expect(first.paging.next_cursor).toEqual(expect.any(String))
      const second = (
        await fixture.call('GET', `/v1/dead-deliveries?limit=2&cursor=${first.paging.next_cursor ?? ''}`)
      ).body as Page
      expect(second).toEqual({
        data: [expect.objectContaining({ id: 'dlv_3' })],
        paging: { next_cursor: null },
      })
    })

    it('shows the credentials of a URL in the last error as ***', async () => {
      await deadDelivery('dlv_1', {
        error: 'https://hooks:pa55word@acme.example/hook?token=t0ken answered 500',
      })

      const page = (await fixture.call('GET', '/v1/dead-deliveries')).body as Page

      expect(page.data[0]?.last_error).toBe('https://hooks:***@acme.example/hook?token=*** answered 500')
    })

    it('shows a tenant only its own', async () => {
      await deadDelivery('dlv_acme')
      await deadDelivery('dlv_globex', { tenantId: 'globex' })

      const globex = (await fixture.call('GET', '/v1/dead-deliveries', { key: GLOBEX_KEY })).body as Page

      expect(globex.data.map((delivery) => delivery.id)).toEqual(['dlv_globex'])
    })

    it.each([
      ['limit=0', 'limit must be a whole number from 1 to 100'],
      ['limit=101', 'limit must be a whole number from 1 to 100'],
      ['cursor=not-ours', 'cursor: not a cursor carewindow gave out'],
      ['status=dead', 'Unrecognized key: "status"'],
    ])('refuses ?%s with a 400 naming it', async (query, message) => {
      const reply = await fixture.call('GET', `/v1/dead-deliveries?${query}`)
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain(message)
    })

    it('needs an API key', async () => {
      expect((await fixture.call('GET', '/v1/dead-deliveries', { key: null })).status).toBe(401)
    })
  })

  describe('GET /v1/dead-deliveries/{id}', () => {
    it('shows one with the payload it carries', async () => {
      await deadDelivery('dlv_1')

      const reply = await fixture.call('GET', '/v1/dead-deliveries/dlv_1')

      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        id: 'dlv_1',
        status: 'dead',
        attempts: 15,
        payload: { id: 'evt_dlv_1', type: 'window.closed' },
      })
    })

    it('does not find a delivery that is not dead, another tenant’s, or an unknown one', async () => {
      await deadDelivery('dlv_globex', { tenantId: 'globex' })
      await deadDelivery('dlv_redriven')
      await fixture.gateway.store.redriveDeadDelivery('acme', 'dlv_redriven', T0)

      for (const id of ['dlv_globex', 'dlv_redriven', 'dlv_unknown']) {
        const reply = await fixture.call('GET', `/v1/dead-deliveries/${id}`)
        expect(reply.status, id).toBe(404)
        expect(details(reply)).toContain(`there is no dead delivery "${id}"`)
      }
    })
  })

  describe('POST /v1/dead-deliveries/{id}/redrive', () => {
    it('makes it pending again, due now, with no attempts counted', async () => {
      await deadDelivery('dlv_1')
      fixture.advance(2 * HOUR)

      const reply = await fixture.call('POST', '/v1/dead-deliveries/dlv_1/redrive')

      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ id: 'dlv_1', status: 'pending', attempts: 0 })
      expect(await fixture.gateway.store.getDelivery('acme', 'dlv_1')).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: fixture.now(),
        lastError: 'acme answered 503',
      })
      expect(((await fixture.call('GET', '/v1/dead-deliveries')).body as Page).data).toEqual([])
      expect((await fixture.call('POST', '/v1/dead-deliveries/dlv_1/redrive')).status).toBe(404)
    })

    it('does not re-drive another tenant’s delivery', async () => {
      await deadDelivery('dlv_globex', { tenantId: 'globex' })

      expect((await fixture.call('POST', '/v1/dead-deliveries/dlv_globex/redrive')).status).toBe(404)
      expect(await fixture.gateway.store.getDelivery('globex', 'dlv_globex')).toMatchObject({
        status: 'dead',
      })
    })

    it('refuses while the tenant has no webhook to deliver to, and leaves it dead', async () => {
      await deadDelivery('dlv_globex', { tenantId: 'globex' })

      const reply = await fixture.call('POST', '/v1/dead-deliveries/dlv_globex/redrive', { key: GLOBEX_KEY })

      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('tenant globex has no webhook URL to deliver to')
      expect(await fixture.gateway.store.getDelivery('globex', 'dlv_globex')).toMatchObject({
        status: 'dead',
      })
    })
  })

  describe('POST /v1/dead-deliveries/redrive', () => {
    it('re-drives the tenant’s oldest dead deliveries up to the limit and says how many are left', async () => {
      for (const [index, id] of ['dlv_1', 'dlv_2', 'dlv_3'].entries())
        await deadDelivery(id, { createdAt: T0 + index })
      await deadDelivery('dlv_globex', { tenantId: 'globex' })

      const first = await fixture.call('POST', '/v1/dead-deliveries/redrive?limit=2')
      expect(first.status).toBe(200)
      expect(first.body).toEqual({ redriven: 2, remaining: 1 })
      expect(((await fixture.call('GET', '/v1/dead-deliveries')).body as Page).data.map((d) => d.id)).toEqual(
        ['dlv_3'],
      )
      expect((await fixture.call('POST', '/v1/dead-deliveries/redrive')).body).toEqual({
        redriven: 1,
        remaining: 0,
      })
      expect((await fixture.call('POST', '/v1/dead-deliveries/redrive')).body).toEqual({
        redriven: 0,
        remaining: 0,
      })
      expect(await fixture.gateway.store.countDeliveries('dead', 'globex')).toBe(1)
    })

    it.each(['limit=0', 'limit=1001', 'limit=x'])('refuses ?%s with a 400', async (query) => {
      await deadDelivery('dlv_1')

      const reply = await fixture.call('POST', `/v1/dead-deliveries/redrive?${query}`)

      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('limit must be a whole number from 1 to 1000')
      expect(await fixture.gateway.store.countDeliveries('dead', 'acme')).toBe(1)
    })

    it('refuses while the tenant has no webhook, re-driving none', async () => {
      await deadDelivery('dlv_globex', { tenantId: 'globex' })

      const reply = await fixture.call('POST', '/v1/dead-deliveries/redrive', { key: GLOBEX_KEY })

      expect(reply.status).toBe(400)
      expect(await fixture.gateway.store.countDeliveries('dead', 'globex')).toBe(1)
    })
  })

  it('counts dead deliveries in carewindow_outbox_dead_deliveries', async () => {
    await deadDelivery('dlv_1')
    await deadDelivery('dlv_2')

    const metrics = await fixture.app.inject({ method: 'GET', url: '/metrics' })

    expect(metrics.body).toMatch(/^carewindow_outbox_dead_deliveries 2$/m)
  })

  it('documents each route with an operationId, a tag, a summary and every answer', async () => {
    const reply = await fixture.app.inject({ method: 'GET', url: '/docs/json' })
    const document = JSON.parse(reply.body) as {
      paths: Record<
        string,
        Record<string, { operationId?: string; tags?: string[]; summary?: string; responses?: object }>
      >
    }
    const operation = (path: string, method: string) => document.paths[path]?.[method]

    expect(
      [
        operation('/v1/dead-deliveries', 'get'),
        operation('/v1/dead-deliveries/{deliveryId}', 'get'),
        operation('/v1/dead-deliveries/{deliveryId}/redrive', 'post'),
        operation('/v1/dead-deliveries/redrive', 'post'),
      ].map((documented) => ({
        operationId: documented?.operationId,
        tags: documented?.tags,
        hasSummary: typeof documented?.summary === 'string',
        responses: Object.keys(documented?.responses ?? {}).sort(),
      })),
    ).toEqual([
      {
        operationId: 'listDeadDeliveries',
        tags: ['dead deliveries'],
        hasSummary: true,
        responses: ['200', '400', '401', '503'],
      },
      {
        operationId: 'getDeadDelivery',
        tags: ['dead deliveries'],
        hasSummary: true,
        responses: ['200', '400', '401', '404', '503'],
      },
      {
        operationId: 'redriveDeadDelivery',
        tags: ['dead deliveries'],
        hasSummary: true,
        responses: ['200', '400', '401', '403', '404', '413', '415', '503'],
      },
      {
        operationId: 'redriveDeadDeliveries',
        tags: ['dead deliveries'],
        hasSummary: true,
        responses: ['200', '400', '401', '403', '413', '415', '503'],
      },
    ])
  })
})
