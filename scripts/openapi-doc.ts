/**
 * docs/openapi.json is the OpenAPI document carewindow serves at /docs/json, as a file: `npm run docs:openapi`
 * writes it, `npm run lint:openapi` lints it, and a test fails when the served document drifts from it. It is made
 * by a carewindow on an empty in-memory database with no `server.public_url` (so its server is `/`), named with the
 * package's version.
 */
import { readFile } from 'node:fs/promises'
import pino from 'pino'
import { resolveConfig } from '../src/config/config.js'
import { Gateway } from '../src/gateway/gateway.js'
import { buildApp } from '../src/http/app.js'
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js'

export async function openApiJson(): Promise<string> {
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  const store = await openSqliteStore({ path: ':memory:' })
  const gateway = new Gateway({
    store,
    config: resolveConfig({}, {}, null),
    logger: pino({ level: 'silent' }),
  })
  try {
    const app = await buildApp({ gateway, version })
    try {
      const reply = await app.inject({ method: 'GET', url: '/docs/json' })
      if (reply.statusCode !== 200)
        throw new Error(`GET /docs/json answered ${reply.statusCode}: ${reply.body}`)
      return `${JSON.stringify(JSON.parse(reply.body), null, 2)}\n`
    } finally {
      await app.close()
    }
  } finally {
    await gateway.stop()
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const { writeFile } = await import('node:fs/promises')
  await writeFile(new URL('../docs/openapi.json', import.meta.url), await openApiJson())
  process.stdout.write('wrote docs/openapi.json\n')
}
