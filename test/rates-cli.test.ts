import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../src/cli/main.js'
import { createE2eDatabase, type E2eDatabase } from './support/test-gateway.js'
import { carewindow } from './support/run-cli.js'

const META_CSV = [
  'Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service',
  'Netherlands,EUR,0.1597,0.0500,0.0464,,0.0000',
  'Rest of Western Europe,EUR,0.0490,0.0142,0.0142,,0.0000',
  'Other,EUR,0.0500,0.0064,0.0064,,0.0000',
].join('\n')

describe.each(['sqlite', 'postgres'] as const)('carewindow rates on %s', { timeout: 60_000 }, (dialect) => {
  let scratch: string
  let database: E2eDatabase
  let config: string
  let csv: string

  const importCard = (...extra: string[]) =>
    carewindow(
      'rates',
      'import',
      csv,
      '--id',
      'meta-2026-10-eur',
      '--label',
      'Meta rate card, October 2026 (EUR)',
      '--effective-from',
      '2026-10-01',
      '--config',
      config,
      ...extra,
    )

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'carewindow-rates-'))
    database = await createE2eDatabase(dialect)
    config = join(scratch, 'config.json')
    await writeFile(config, JSON.stringify({ database: { url: database.url }, rate_cards: 'sample' }))
    csv = join(scratch, 'meta-eur.csv')
    await writeFile(csv, META_CSV)
  })
  afterAll(async () => {
    await database.destroy()
    await rm(scratch, { recursive: true, force: true })
  })

  it('says there is no tenant to import for before one is created', async () => {
    const run = await importCard()
    expect(run).toMatchObject({
      code: EXIT.usage,
      stderr: 'carewindow: there is no tenant yet; create one with carewindow tenant add\n',
    })
  })

  it('imports Meta’s CSV for the only tenant, then replaces it, and lists it with the card in force', async () => {
    expect((await carewindow('tenant', 'add', '--id', 'acme', '--config', config)).code).toBe(EXIT.ok)
    const imported = await importCard('--currency', 'EUR')
    expect(imported).toEqual({
      code: EXIT.ok,
      stdout:
        'rate card meta-2026-10-eur imported for tenant acme: 3 markets in EUR, in force from 2026-10-01\n' +
        "9 countries priced by Meta's groups (Rest of …, North America)\n",
      stderr: '',
    })
    const replaced = await importCard()
    expect(replaced.stdout).toContain('rate card meta-2026-10-eur replaced for tenant acme')

    const list = await carewindow('rates', 'list', '--config', config)
    expect(list.code).toBe(EXIT.ok)
    expect(list.stdout.split('\n')).toEqual([
      "tenant acme's rate cards, in force from 2026-10-01 on (before that: the config file's SAMPLE cards (illustrative figures, not Meta’s))",
      '  meta-2026-10-eur\t2026-10-01\tEUR\t3 markets\tcsv\tMeta rate card, October 2026 (EUR)',
      expect.stringMatching(
        /^in force now: (sample-2025-pmp \(from the config file, sample figures\)|meta-2026-10-eur \(the tenant’s own\))$/,
      ),
      '',
    ])
    const json = JSON.parse((await carewindow('rates', 'list', '--json', '--config', config)).stdout) as {
      data: { id: string; countries: Record<string, string> }[]
      configured: { are_samples: boolean; replaced_from: string }
    }
    expect(json.data.map((card) => card.id)).toEqual(['meta-2026-10-eur'])
    expect(json.data[0]?.countries.BE).toBe('Rest of Western Europe')
    expect(json.configured).toMatchObject({ are_samples: true, replaced_from: '2026-10-01T00:00:00.000Z' })
  })

  it('lists every problem of a file with its line, exit 2, and stores nothing', async () => {
    const broken = join(scratch, 'broken.csv')
    await writeFile(broken, 'Market,Marketing,Utility\nNetherlands,abc,0.1\nAtlantis,0.1,0.1\n')
    const run = await carewindow(
      'rates',
      'import',
      broken,
      '--id',
      'broken',
      '--label',
      'x',
      '--currency',
      'EUR',
      '--effective-from',
      '2027-01-01',
      '--tenant',
      'acme',
      '--config',
      config,
    )
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr.split('\n')).toEqual([
      `carewindow: ${broken} was not imported:`,
      '  line 2, Marketing: "abc" is not an amount such as "0.0147" (at most 6 decimals)',
      expect.stringMatching(/^ {2}line 3: unknown market "Atlantis"; name a country/),
      '',
    ])
    const json = JSON.parse((await carewindow('rates', 'list', '--json', '--config', config)).stdout) as {
      data: unknown[]
    }
    expect(json.data).toHaveLength(1)
  })

  it.each([
    [
      'a file that does not exist',
      [
        'rates',
        'import',
        '/nonexistent/meta.csv',
        '--id',
        'x',
        '--label',
        'x',
        '--effective-from',
        '2026-10-01',
      ],
      'carewindow: cannot read /nonexistent/meta.csv: ENOENT\n',
    ],
    [
      'a tenant that does not exist',
      ['rates', 'list', '--tenant', 'initech'],
      'carewindow: there is no tenant "initech"; see carewindow tenant list\n',
    ],
  ])('refuses %s with exit 2', async (_name, args, stderr) => {
    expect(await carewindow(...args, '--config', config)).toMatchObject({ code: EXIT.usage, stderr })
  })

  it('asks which tenant when there are several, and refuses a second card on the same date', async () => {
    await carewindow('tenant', 'add', '--id', 'globex', '--config', config)
    expect((await carewindow('rates', 'list', '--config', config)).stderr).toBe(
      'carewindow: give --tenant: there are 2 tenants (acme, globex)\n',
    )
    const clash = await carewindow(
      'rates',
      'import',
      csv,
      '--id',
      'other-id',
      '--label',
      'x',
      '--effective-from',
      '2026-10-01',
      '--tenant',
      'acme',
      '--config',
      config,
    )
    expect(clash.code).toBe(EXIT.usage)
    expect(clash.stderr).toContain(
      `was not imported: rate card 'meta-2026-10-eur' already takes effect at 2026-10-01T00:00:00.000Z`,
    )
    const globex = await carewindow('rates', 'list', '--tenant', 'globex', '--config', config)
    expect(globex.stdout).toContain(
      "tenant globex has no rate cards of its own; its messages are priced from the config file's SAMPLE cards",
    )
  })
})
