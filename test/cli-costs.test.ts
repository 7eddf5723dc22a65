import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EXIT } from '../src/cli/main.js'
import { parseScenario } from '../src/cli/scenario/scenario.js'
import { runScenario } from '../src/cli/scenario/run-scenario.js'
import { DEFAULT_AUTOMATIONS } from '../src/config/automations.js'
import { decisionJson } from '../src/representations/decision-json.js'
import { openStore } from '../src/store/open-store.js'
import { openPostgresStore } from '../src/store/postgres/postgres-store.js'
import type { Store } from '../src/store/store.js'
import { dropSchema, postgresUrl, uniqueSchemaName } from './support/postgres.js'
import { carewindow } from './support/run-cli.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NUMBER = '106540352242922'

/**
 * The brief's walkthrough, decided by the policy engine and stored as a send stores it: Acme's messages. The ids
 * are `msg_0`, `msg_1`, … in the scenario's order.
 */
async function storeWalkthrough(store: Store): Promise<void> {
  const scenario = parseScenario(
    JSON.parse(await readFile(join(ROOT, 'examples/brief-walkthrough.json'), 'utf8')) as unknown,
  )
  if (!scenario.ok) throw new Error('the walkthrough is not a valid scenario')
  const now = Date.parse('2025-09-01T00:00:00Z')
  await store.upsertTenant({
    id: 'acme',
    name: 'Acme',
    webhookUrl: null,
    webhookSecret: null,
    createdAt: now,
  })
  await store.upsertChannel({
    id: 'ch-acme',
    tenantId: 'acme',
    platform: 'whatsapp',
    externalId: NUMBER,
    upstream: { mode: 'sandbox' },
    appSecret: 'secret',
    verifyToken: 'token',
    settings: {},
    automations: DEFAULT_AUTOMATIONS,
    wabaId: null,
    createdAt: now,
    updatedAt: now,
  })
  for (const [index, { contact, decision }] of runScenario(scenario.scenario).entries()) {
    const price = decision.allowed ? decision.billing.price : null
    await store.insertMessage({
      id: `msg_${index}`,
      tenantId: 'acme',
      channelId: 'ch-acme',
      contactId: contact,
      direction: 'outbound',
      externalId: decision.allowed ? `wamid.${index}` : null,
      at: decision.at,
      bodyJson: null,
      allowed: decision.allowed,
      reason: decision.reason,
      decisionJson: JSON.stringify(decisionJson(decision, { contact, settings: scenario.scenario.settings })),
      priceMicros: price?.amountMicros ?? null,
      currency: price?.currency ?? null,
      status: decision.allowed ? 'delivered' : 'refused',
      statusAt: decision.at,
      metaPricingJson: null,
      errorJson: null,
      createdAt: decision.at,
    })
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`carewindow report costs and explain (${dialect})`, () => {
    let directory: string
    let schema: string

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'carewindow-cli-costs-'))
      schema = uniqueSchemaName()
      const url =
        dialect === 'sqlite'
          ? `sqlite:${join(directory, 'carewindow.db')}`
          : `${postgresUrl()}${postgresUrl().includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
      const store = await (dialect === 'sqlite'
        ? openStore(url, { migrate: true })
        : openPostgresStore({ url: postgresUrl(), schema }))
      await storeWalkthrough(store)
      await store.close()
      vi.stubEnv('CAREWINDOW_DATABASE_URL', url)
    })
    afterAll(async () => {
      vi.unstubAllEnvs()
      await rm(directory, { recursive: true, force: true })
      if (dialect === 'postgres') await dropSchema(schema)
    })

    const period = ['--from', '2025-09-01', '--to', '2025-09-30']

    it('reports what the walkthrough’s sends cost, grouped, with the totals', async () => {
      const run = await carewindow('report', 'costs', ...period, '--group-by', 'day,category', '--json')
      const report = JSON.parse(run.stdout) as {
        rows: Record<string, unknown>[]
        totals: unknown[]
        messages: number
      }

      expect(run.code).toBe(EXIT.ok)
      // Seven sends were allowed: three free service replies, two utility templates at 0.05, a marketing one.
      expect(report.totals).toEqual([
        { currency: 'USD', messages: 7, amount: '0.2597', amount_micros: 259_700 },
      ])
      expect(report.rows).toContainEqual({
        day: '2025-09-02',
        category: 'marketing',
        currency: 'USD',
        messages: 1,
        amount: '0.1597',
        amount_micros: 159_700,
      })
    })

    it('prints the same rows as CSV, which parses back, and as a table with its totals', async () => {
      const json = await carewindow('report', 'costs', ...period, '--group-by', 'week,billing_type', '--json')
      const csv = await carewindow('report', 'costs', ...period, '--group-by', 'week,billing_type', '--csv')
      const table = await carewindow(
        'report',
        'costs',
        ...period,
        '--group-by',
        'week,billing_type',
        '--tenant',
        'acme',
      )
      const rows = (JSON.parse(json.stdout) as { rows: Record<string, unknown>[] }).rows

      expect(parse<Record<string, string>>(csv.stdout, { columns: true, cast: false })).toEqual(
        rows.map((row) =>
          Object.fromEntries(Object.entries(row).map(([key, value]) => [key, String(value)])),
        ),
      )
      expect(table.stdout.split('\n')).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^week +billing_type +currency +messages +amount$/),
          expect.stringMatching(/^2025-W36 +regular +USD +3 +0\.2597$/),
          expect.stringMatching(/^total +USD +7 +0\.2597$/),
        ]),
      )
    })

    it('explains a stored refusal and a stored, priced send', async () => {
      const refused = await carewindow('explain', 'msg_2')
      const priced = await carewindow('explain', 'msg_4')

      expect(refused.code).toBe(EXIT.ok)
      expect(refused.stdout).toContain(
        `msg_2  outbound to 31612345678 on whatsapp ${NUMBER} at 2025-09-02 10:30 UTC`,
      )
      expect(refused.stdout).toContain('REFUSED  WINDOW_CLOSED  [CCW-4 CCW-6]')
      expect(refused.stdout).toContain('window closed (customer_care) since 2025-09-02 09:20 UTC')
      expect(refused.stdout).toContain('Graph error 131047')
      expect(refused.stdout).toContain('Refused')
      expect(priced.stdout).toMatch(/ALLOWED {2}ISSUE_RESOLUTION_TEMPLATE/)
      expect(priced.stdout).toContain('billing PMP utility regular · 0.05 USD')
    })

    it('prices the walkthrough’s sends under the reported 2026 change, from the config file’s cards', async () => {
      const config = join(directory, 'sample-cards.json')
      await writeFile(config, JSON.stringify({ rate_cards: 'sample' }))
      const run = await carewindow(
        'report',
        'what-if',
        ...period,
        '--pricing-2026',
        '2025-08-01',
        '--config',
        config,
        '--json',
      )
      if (run.code !== EXIT.ok) throw new Error(run.stderr)
      const report = JSON.parse(run.stdout) as Record<string, { totals: unknown[]; by_category: unknown[] }>

      expect(run.code).toBe(EXIT.ok)
      expect(report.current?.totals).toEqual([
        { currency: 'USD', messages: 7, amount: '0.2597', amount_micros: 259_700 },
      ])
      // The four free-form replies inside the window are charged at the sample card's NL service rate, 0.0096.
      expect(report.what_if?.totals).toEqual([
        { currency: 'USD', messages: 7, amount: '0.2981', amount_micros: 298_100 },
      ])
      expect(report.what_if?.by_category).toContainEqual({
        category: 'service',
        currency: 'USD',
        messages: 4,
        amount: '0.0384',
        amount_micros: 38_400,
      })
      const table = await carewindow(
        'report',
        'what-if',
        ...period,
        '--pricing-2026',
        '2025-08-01',
        '--config',
        config,
      )
      expect(table.stdout).toMatch(/^total USD +0\.2597 \(7\) +0\.2981 \(7\) +\+0\.0384$/m)
    })

    it.each([
      [
        ['report', 'costs', '--from', 'yesterday', '--to', '2025-09-30'],
        'from: "yesterday" is not an ISO 8601 instant',
      ],
      [['report', 'costs', ...period, '--group-by', 'hour'], 'group_by: "hour" cannot be grouped by'],
      [['report', 'costs', '--from', '2025-09-30', '--to', '2025-09-01'], 'to: must be after from'],
      [['report', 'costs', ...period, '--tenant', 'initech'], 'there is no tenant "initech"'],
      [['report', 'what-if', ...period, '--pricing-model', 'FREE'], 'pricing_model: use one of NBP'],
      [['report', 'what-if', ...period, '--pricing-2026', 'soon'], 'settings.pricing_2026_at'],
      [['report', 'what-if', ...period, '--csv', '--json'], 'give --csv or --json, not both'],
      [['explain', 'msg_nope'], 'there is no message "msg_nope"'],
    ])('refuses %j with exit 2, saying what is wrong', async (args, problem) => {
      const run = await carewindow(...args)

      expect(run.code).toBe(EXIT.usage)
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(problem)
    })
  })
}
