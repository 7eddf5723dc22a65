import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/main.js'
import {
  inboundLine,
  messengerLine,
  preferenceLine,
  statusLine,
  templateStatusLine,
  writeHistoryFile,
} from '../support/history-generator.js'
import { historyState } from '../support/history-state.js'
import {
  createE2eDatabase,
  PHONE_NUMBER_ID,
  type Dialect,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { carewindow, historyConfig, PAGE_ID, scratchDirectory } from './history-setup.js'

const BODY_LIMIT = 2_048
const AT = Date.UTC(2025, 2, 1, 10)
const CUSTOMER = '31612345678'

/** A notification nested deeper than intake takes (64 levels). */
const DEEP = `${'{"a":'.repeat(70)}1${'}'.repeat(70)}`

describe.each<Dialect>(['sqlite', 'postgres'])(
  'carewindow import, line by line, on %s',
  { timeout: 120_000 },
  (dialect) => {
    let scratch: Awaited<ReturnType<typeof scratchDirectory>>
    let database: E2eDatabase
    let config: string

    beforeAll(async () => {
      scratch = await scratchDirectory()
    })

    beforeEach(async () => {
      const created = await createE2eDatabase(dialect)
      database = created
      config = await scratch.file(
        'carewindow.json',
        JSON.stringify(historyConfig(created.url, { bodyLimitBytes: BODY_LIMIT })),
      )
      // This test's database, whatever `database` holds by the time the teardown runs.
      return () => created.destroy()
    })

    afterAll(async () => {
      await scratch.remove()
    })

    it('reports each bad line with its number and reason, skips it, writes nothing of it and exits 3', async () => {
      const good = inboundLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.good-1', AT)
      const lines: (string | Buffer)[] = [
        good,
        '{"object": "whatsapp_business_account", "entry": [',
        statusLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.sent-1', 'sent', AT + 60_000),
        inboundLine('999999999999999', CUSTOMER, 'wamid.elsewhere', AT),
        inboundLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.long', AT, 'x'.repeat(BODY_LIMIT)),
        Buffer.concat([
          Buffer.from('{"object":"page","entry":[{"id":"'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}]}'),
        ]),
        '{"object":"instagram","entry":[]}',
        DEEP,
        '   ',
        templateStatusLine('order_update', 'APPROVED'),
        inboundLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.far-future', Date.UTC(2150, 0, 1)),
        messengerLine(PAGE_ID, 'psid-1', 'm_good-1', AT),
        good,
      ]
      const file = await scratch.file(
        'bad-lines.jsonl',
        Buffer.concat(lines.map((line) => Buffer.concat([Buffer.from(line), Buffer.from('\n')]))),
      )
      const run = await carewindow('import', file, '--config', config)
      expect(run.code).toBe(EXIT.incomplete)
      const reported = run.stderr.split('\n').filter((line) => line.startsWith(`${file}:`))
      expect(reported.map((line) => Number(line.slice(file.length + 1).split(':')[0]))).toEqual([
        2, 4, 5, 6, 7, 8, 11,
      ])
      expect(reported[0]).toContain('not valid JSON')
      expect(reported[1]).toContain(
        "phone_number_id 999999999999999 is not a WhatsApp channel of carewindow's",
      )
      expect(reported[2]).toContain(`at most ${BODY_LIMIT} are taken`)
      expect(reported[3]).toContain('not UTF-8')
      expect(reported[4]).toContain('"object"')
      expect(reported[5]).toContain('levels deep')
      expect(reported[6]).toContain('timestamp')
      expect(run.stderr).toContain('carewindow: 7 bad lines were left out')
      // The blank line is not a line; the template update is skipped; the last line repeats the first.
      expect(run.stdout).toContain('12 lines')
      expect(run.stdout).toContain(
        '3 notifications imported, 1 duplicates (imported before), 1 skipped (nothing to apply), 7 bad',
      )

      const state = await historyState(database.url)
      expect(state.counts).toMatchObject({ notifications: 3, imported: 3, unprocessed: 0, deliveries: 0 })
      expect(state.messages.map((row) => (JSON.parse(row) as string[])[3])).toEqual([
        'wamid.good-1',
        'wamid.sent-1',
        'm_good-1',
      ])
    })

    it('closes a window a 2025 message opened, and gives one opened an hour ago its timed work, telling the business nothing', async () => {
      const old = await scratch.file(
        'old.jsonl',
        `${inboundLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.old', AT)}\n`,
      )
      expect((await carewindow('import', old, '--config', config)).code).toBe(EXIT.ok)
      const closed = await historyState(database.url)
      expect(closed.windows).toHaveLength(1)
      const [, , , expiresAt, lastUserMessageAt] = JSON.parse(closed.windows[0] ?? '[]') as string[]
      expect(Number(lastUserMessageAt)).toBe(AT)
      expect(Number(expiresAt)).toBe(AT + 24 * 3_600_000)
      expect(closed.counts).toMatchObject({ jobs: 0, deliveries: 0 })

      const hourAgo = Math.floor((Date.now() - 3_600_000) / 1000) * 1000
      const recent = await scratch.file(
        'recent.jsonl',
        `${inboundLine(PHONE_NUMBER_ID, '31687654321', 'wamid.recent', hourAgo)}\n`,
      )
      expect((await carewindow('import', recent, '--config', config)).code).toBe(EXIT.ok)
      const open = await historyState(database.url)
      const window = open.windows
        .map((row) => JSON.parse(row) as string[])
        .find((row) => row[1] === '31687654321')
      expect(Number(window?.[3])).toBe(hourAgo + 24 * 3_600_000)
      // The window's close and the notice before it, as for a message received live; still nothing relayed.
      expect(open.counts.jobs).toBeGreaterThanOrEqual(2)
      expect(open.counts.deliveries).toBe(0)
    })

    it('records a message sent before carewindow from its statuses, which never go back, with Meta pricing kept', async () => {
      const pricing = {
        billable: true,
        pricing_model: 'PMP',
        type: 'regular',
        category: 'marketing',
      } as const
      const file = await scratch.file(
        'statuses.jsonl',
        [
          statusLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.earlier', 'delivered', AT + 2_000, pricing),
          statusLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.earlier', 'read', AT + 3_000),
          statusLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.earlier', 'sent', AT + 1_000),
          '',
        ].join('\n'),
      )
      expect((await carewindow('import', file, '--config', config)).code).toBe(EXIT.ok)
      const [message] = (await historyState(database.url)).messages.map(
        (row) => JSON.parse(row) as (string | null)[],
      )
      expect(message).toEqual([
        PHONE_NUMBER_ID,
        CUSTOMER,
        'outbound',
        'wamid.earlier',
        String(AT + 2_000),
        'read',
        String(AT + 3_000),
        JSON.stringify(pricing),
        null,
        '1',
        null,
      ])
    })

    it('applies stop keywords and marketing preferences at their own instants, a choice delivered twice once', async () => {
      const stop = preferenceLine(PHONE_NUMBER_ID, CUSTOMER, 'stop', AT)
      // The same choice in other bytes (Meta's retry through another gateway, an overlapping archive).
      const again = stop.replace(
        '"display_phone_number":"15550783881"',
        '"display_phone_number":"+1 555 078 3881"',
      )
      expect(again).not.toBe(stop)
      const file = await scratch.file(
        'consent.jsonl',
        [
          stop,
          preferenceLine(PHONE_NUMBER_ID, CUSTOMER, 'resume', AT + 60_000),
          inboundLine(PHONE_NUMBER_ID, CUSTOMER, 'wamid.stop', AT + 120_000, 'STOP'),
          again,
          '',
        ].join('\n'),
      )
      const run = await carewindow('import', file, '--config', config)
      expect(run.code).toBe(EXIT.ok)
      expect(run.stdout).toContain('4 notifications imported')
      const consent = (await historyState(database.url)).consent.map((row) => JSON.parse(row) as string[])
      expect(consent.map(([, , kind, scope, source, , at]) => [kind, scope, source, Number(at)])).toEqual([
        ['opt_out', 'marketing', 'user_preferences', AT],
        ['opt_in', 'marketing', 'user_preferences', AT + 60_000],
        ['opt_out', 'marketing', 'keyword', AT + 120_000],
      ])
    })

    it('prints a plain progress line every so many lines when stderr is not a terminal', async () => {
      const file = join(scratch.path, 'progress.jsonl')
      await writeHistoryFile(file, {
        notifications: 3_000,
        phoneNumberId: PHONE_NUMBER_ID,
        contacts: 50,
        startAt: AT,
      })
      const run = await carewindow(
        'import',
        file,
        '--config',
        config,
        '--batch-size',
        '100',
        '--progress-every',
        '1000',
      )
      expect(run.code).toBe(EXIT.ok)
      const progress = run.stderr.split('\n').filter((line) => line.startsWith('import: '))
      // One at each thousand lines; a slow run adds one every 5 s between them.
      const counts = progress.map((line) =>
        Number(line.slice('import: '.length).split(' ')[0]?.replaceAll(',', '')),
      )
      expect(counts.filter((count) => count % 1_000 === 0)).toEqual([1_000, 2_000, 3_000])
      for (const line of progress) expect(line).toMatch(/notifications\/s; ETA (\d+ s|\?)$/)
      // Lines are read a batch ahead of what is committed; the summary has the final figures.
      expect(progress.at(-1)).toMatch(
        /^import: 3,000 lines \(100 %\), [\d,]+ imported, 0 duplicates, 0 skipped, 0 bad;/,
      )
      expect(run.stdout).toMatch(/3,000 notifications imported.*\n.*[\d,]+ notifications\/s/)
    })
  },
)
