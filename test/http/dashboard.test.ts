import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/http/app.js'
import { DASHBOARD_CSP } from '../../src/http/routes/dashboard.js'
import { ACME_KEY, openFixture, type NativeApiFixture } from './native-api-fixture.js'

describe('the dashboard’s routes', () => {
  let fixture: NativeApiFixture
  let directory: string
  let built: FastifyInstance
  let unbuilt: FastifyInstance

  beforeAll(async () => {
    fixture = await openFixture('sqlite')
    directory = await mkdtemp(join(tmpdir(), 'carewindow-dashboard-'))
    await mkdir(join(directory, 'assets'))
    await writeFile(
      join(directory, 'index.html'),
      '<!doctype html><title>carewindow</title><div id="root"></div>',
    )
    await writeFile(join(directory, 'assets', 'index-abc123.js'), 'console.log("dashboard")')
    built = await buildApp({ gateway: fixture.gateway, dashboardDirectory: `${directory}/` })
    unbuilt = await buildApp({ gateway: fixture.gateway, dashboardDirectory: null })
  })
  afterAll(async () => {
    await built.close()
    await unbuilt.close()
    await fixture.close()
    await rm(directory, { recursive: true, force: true })
  })

  it.each(['/', '/inbox', '/costs', '/templates', '/health'])(
    'answers %s with the app’s page and a strict CSP',
    async (url) => {
      const reply = await built.inject({ method: 'GET', url: `${url}?channel=1&contact=2` })
      expect(reply.statusCode).toBe(200)
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(reply.headers['content-security-policy']).toBe(DASHBOARD_CSP)
      expect(reply.body).toContain('<div id="root">')
    },
  )

  it('serves the built files under /assets/, cached for good, and 404 for others', async () => {
    const file = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' })
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toContain('javascript')
    expect(file.headers['cache-control']).toContain('immutable')
    const missing = await built.inject({ method: 'GET', url: '/assets/nothing.js' })
    expect(missing.statusCode).toBe(404)
    const escape = await built.inject({ method: 'GET', url: '/assets/../index.html' })
    expect(escape.body).not.toContain('"dashboard"')
  })

  it('claims nothing else: the API, the docs, operations, Graph paths and unknown paths answer as before', async () => {
    const api = await built.inject({
      method: 'GET',
      url: '/v1/channels',
      headers: { authorization: `Bearer ${ACME_KEY}` },
    })
    expect(api.statusCode).toBe(200)
    expect(api.headers['content-type']).toContain('application/json')
    expect((await built.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await built.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200)
    for (const url of ['/inbox/31612345678', '/v21.0/106540352242922/message_templates', '/nope']) {
      const reply = await built.inject({ method: 'GET', url })
      expect(reply.headers['content-type']).toContain('application/json')
      expect(reply.body).not.toContain('<div id="root">')
    }
  })

  it('says at / how to build the app when it was not built', async () => {
    const reply = await unbuilt.inject({ method: 'GET', url: '/' })
    expect(reply.statusCode).toBe(503)
    expect(reply.body).toContain('The dashboard has not been built')
    expect(reply.body).toContain('npm run build')
    expect((await unbuilt.inject({ method: 'GET', url: '/assets/index-abc123.js' })).statusCode).toBe(404)
  })

  it('keeps the dashboard out of the OpenAPI document', async () => {
    const document = (await built.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, unknown>
    }>()
    expect(
      Object.keys(document.paths).filter(
        (path) => ['/', '/inbox', '/costs'].includes(path) || path.startsWith('/assets'),
      ),
    ).toEqual([])
  })
})
