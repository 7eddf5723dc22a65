import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'

/** The dashboard's pages: the gateway answers exactly these with the app, never a catch-all (web/src/router.ts). */
export const DASHBOARD_PAGES = ['/', '/inbox', '/costs', '/templates', '/health'] as const

/**
 * The page's Content Security Policy: the app's own scripts, styles and API only — nothing from elsewhere, no inline
 * script, no framing. React sets styles through the DOM, which `style-src` does not govern.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Where the built dashboard is: `dist/web` next to the compiled server (`dist/http/routes/` → `dist/web`), or, when
 * carewindow runs from its sources, the build's `dist/web` beside `src/`.
 */
export function dashboardDirectory(): string | null {
  const candidates = [new URL('../../web/', import.meta.url), new URL('../../../dist/web/', import.meta.url)]
  for (const candidate of candidates) {
    const directory = fileURLToPath(candidate)
    if (existsSync(`${directory}index.html`)) return directory
  }
  return null
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>carewindow</title></head>
<body><main><h1>The dashboard has not been built</h1>
<p>carewindow is running, but its web app is missing. Run <code>npm run build</code> (or <code>npm install</code>, which
builds it) and restart. The API and its documentation at <a href="/docs">/docs</a> work without it.</p></main></body></html>
`

/**
 * The dashboard (web/): its pages at `/`, `/inbox`, `/costs`, `/templates` and `/health` (the client routes, with
 * their details in the query), its files under `/assets/`. Nothing else is claimed, so `/v1`, `/docs`, `/metrics`,
 * `/healthz`, the webhooks and Graph's `/{version}/…` paths stay as they are. Works offline: every file is served from
 * here.
 */
export async function registerDashboardRoutes(
  app: FastifyInstance,
  directory = dashboardDirectory(),
): Promise<void> {
  const page = directory === null ? null : readFileSync(`${directory}index.html`, 'utf8')
  const answer = (reply: FastifyReply) => {
    void reply
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
    if (page === null) return reply.status(503).send(NOT_BUILT)
    return reply.send(page)
  }
  for (const url of DASHBOARD_PAGES)
    app.get(url, { schema: { hide: true } }, (_request, reply) => answer(reply))
  if (directory === null) return
  await app.register(fastifyStatic, {
    root: `${directory}assets`,
    prefix: '/assets/',
    // @fastify/swagger-ui registers the same plugin for /docs; the reply decorators are left to it.
    decorateReply: false,
    index: false,
    wildcard: true,
    // File names carry a hash of their content: a new build is a new name.
    immutable: true,
    maxAge: '365d',
    setHeaders: (response) => {
      response.setHeader('x-content-type-options', 'nosniff')
    },
  })
}
