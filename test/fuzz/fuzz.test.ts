import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { API_KEY, Cleanup, type Dialect } from '../support/test-gateway.js'
import { ENDPOINTS } from './endpoints.js'
import { CHANNELS } from './fuzz-config.js'
import { describeReport, fuzz, type FuzzSettings } from './fuzz-run.js'
import { FuzzTarget } from './fuzz-target.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by `npm run fuzz` (vitest.fuzz.config.ts): a long run, or the replay of one case. */
    fuzz?: Partial<FuzzSettings> & { readonly dialects?: readonly Dialect[] }
  }
}

/**
 * The fuzz suite: generated requests to every route — valid ones, and valid ones mutated (deep nesting, long
 * strings, NUL characters, lone surrogates, prototype keys, odd numbers and timestamps, wrong types, missing and
 * extra fields, odd paths, queries and headers) plus random bodies — signed and authenticated like real clients,
 * against a carewindow with two tenants on each store. `npm test` runs a short run with a fixed seed; `npm run
 * fuzz` a long one (see vitest.fuzz.config.ts).
 */
const FIXED_SEED = 20_250_620
const provided = inject('fuzz')
const settings: FuzzSettings = {
  runs: 600,
  seed: FIXED_SEED,
  progressEvery: 300,
  sweepEvery: 300,
  shrinkTimeMs: 10_000,
  ...provided,
}
const DIALECTS: readonly Dialect[] = provided?.dialects ?? ['sqlite', 'postgres']

for (const dialect of DIALECTS) {
  describe(`fuzzing every route (${dialect})`, { timeout: 0 }, () => {
    const cleanup = new Cleanup()
    let target: FuzzTarget

    beforeAll(async () => {
      target = await FuzzTarget.start(dialect, cleanup)
    })

    afterAll(() => cleanup.run())

    it('has requests for every route carewindow documents', () => {
      const document = target.server.app.swagger() as { paths: Record<string, Record<string, unknown>> }
      const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      )
      const fuzzed = new Set(ENDPOINTS.map((endpoint) => endpoint.route))
      expect(documented.length).toBeGreaterThan(20)
      expect(documented.filter((route) => !fuzzed.has(route))).toEqual([])
    })

    // The check of partial writes is only as good as the change log: it must see a write, and no write.
    it('sees the rows a request writes, and none when it is refused', async () => {
      const consent = `/v1/channels/${CHANNELS.whatsapp.id}/contacts/31699999999/consent`
      const optIn = (body: object) =>
        target.send({
          method: 'POST',
          url: consent,
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(body)),
          transport: 'socket',
        })
      const before = await target.changes.mark()
      expect((await optIn({ scope: 'marketing', source: 'fuzz-suite' }))?.status).toBe(201)
      expect(await target.changes.since(before)).toMatchObject({ 'consent_events.insert': 1 })
      const after = await target.changes.mark()
      expect((await optIn({ scope: 'everything', source: 'fuzz-suite' }))?.status).toBe(400)
      expect(await target.changes.since(after)).toEqual({})
    })

    it('answers every request without a 5xx, a crash or a partial write', async () => {
      const report = await fuzz(target, settings)
      console.log(describeReport(report, settings.seed))
      // The causes, one line each (the report above has the request, the answer and a stack for each).
      expect([...new Set(report.failures.map((failure) => failure.cause))]).toEqual([])
      expect(report.cases).toBeGreaterThanOrEqual(settings.path === undefined ? settings.runs : 1)
    })
  })
}
