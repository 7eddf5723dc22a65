import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { EXAMPLE_LANGUAGES, ISSUE_RESOLUTION_EXAMPLES, RULE_IDS } from '../src/domain/index.js'
import { EXIT } from '../src/cli/main.js'
import { carewindow, type CliRun } from './support/run-cli.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const EXAMPLES = join(ROOT, 'examples')
const exampleFiles = (await readdir(EXAMPLES)).filter((name) => name.endsWith('.json')).sort()

const scratch = await mkdtemp(join(tmpdir(), 'carewindow-cli-'))
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

async function scratchFile(name: string, content: string): Promise<string> {
  const path = join(scratch, name)
  await writeFile(path, content)
  return path
}

/** The scenario the README documents under "Scenario files", as a reader would copy it into a file. */
async function readmeScenario(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Scenario files'))
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1]
  if (block === undefined) throw new Error('README.md has no JSON block under "Scenario files"')
  return scratchFile('readme-scenario.json', block)
}

/** Every scenario a newcomer meets: each file in examples/ and the README's. */
const SCENARIOS: readonly (readonly [string, string])[] = [
  ...exampleFiles.map((name) => [`examples/${name}`, join(EXAMPLES, name)] as const),
  ['the README\'s "Scenario files" example', await readmeScenario()],
]

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value

interface DecisionLine {
  readonly at: string
  readonly contact: string
  readonly allowed: boolean
  readonly reason: string
  readonly rules: string[]
  readonly window: { state: string; type: string; expires_at: string | null }
  readonly billing: Record<string, unknown> | null
  readonly error?: { code: number; error_subcode?: number }
  readonly explanation: string
}

async function decisionsOf(example: string): Promise<DecisionLine[]> {
  const run = await carewindow('decide', '--scenario', join(EXAMPLES, example), '--json')
  return decisionLines(run)
}

function decisionLines(run: CliRun): DecisionLine[] {
  expect(run.code).toBe(EXIT.ok)
  return run.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as DecisionLine)
}

const INVALID_SCENARIO = JSON.stringify({
  channel: { platform: 'whatsapp', id: '106540352242922' },
  events: [
    { at: '2024-03-01 10:00', type: 'inbound', contact: '31612345678' },
    {
      at: '2024-03-01T10:05:00Z',
      type: 'send',
      contact: '31612345678',
      message: { messaging_product: 'whatsapp', to: '31612345678', type: 'image' },
    },
  ],
})

describe('carewindow decide', () => {
  it('finds the example scenarios', () => {
    expect(exampleFiles).toContain('brief-walkthrough.json')
    expect(exampleFiles.length).toBeGreaterThanOrEqual(5)
  })

  it.each(SCENARIOS)('prints one text block per decision for %s', async (_name, file) => {
    const [text, json] = await Promise.all([
      carewindow('decide', '--scenario', file),
      carewindow('decide', '--scenario', file, '--json'),
    ])
    expect(text).toMatchObject({ code: EXIT.ok, stderr: '' })
    const blocks = text.stdout.trimEnd().split('\n\n')
    expect(blocks).toHaveLength(json.stdout.trimEnd().split('\n').length)
    for (const block of blocks) {
      expect(block).toMatch(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC {2}\S+ {2}(ALLOWED|REFUSED) {2}[A-Z_]+ {2}\[[A-Z0-9 -]+\]\n/,
      )
      expect(block).toMatch(/\n {2}(Allowed|Refused): /)
    }
  })

  it.each(SCENARIOS)('prints one complete JSON line per decision for %s', async (_name, file) => {
    const lines = decisionLines(await carewindow('decide', '--scenario', file, '--json'))
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      expect(line.explanation).toMatch(/^(Allowed|Refused): /)
      expect({
        contact: typeOf(line.contact),
        allowed: typeOf(line.allowed),
        reason: typeOf(line.reason),
        rules: typeOf(line.rules),
        window: typeOf(line.window),
        state: typeOf(line.window.state),
        type: typeOf(line.window.type),
        expires_at: typeOf(line.window.expires_at),
      }).toEqual({
        contact: 'string',
        allowed: 'boolean',
        reason: 'string',
        rules: 'array',
        window: 'object',
        state: 'string',
        type: 'string',
        expires_at: line.window.expires_at === null ? 'null' : 'string',
      })
      expect(line.rules.length).toBeGreaterThan(0)
      if (line.allowed) {
        expect(typeOf(line.billing)).toBe('object')
        expect(line.billing).toHaveProperty('pricing_model')
        expect(line.billing).toHaveProperty('billable')
        expect(line).not.toHaveProperty('error')
      } else {
        expect(line.billing).toBeNull()
        expect(typeOf(line.error?.code)).toBe('number')
      }
    }
  })

  it("walks through the brief's conversation (examples/brief-walkthrough.json)", async () => {
    const decisions = await decisionsOf('brief-walkthrough.json')
    const at = (iso: string) => {
      const decision = decisions.find((line) => line.at === iso)
      if (decision === undefined) throw new Error(`no decision at ${iso}`)
      return decision
    }
    expect(at('2025-09-02T10:30:00.000Z')).toMatchObject({
      allowed: false,
      reason: 'WINDOW_CLOSED',
      error: { code: 131047 },
    })
    expect(at('2025-09-02T10:31:00.000Z')).toMatchObject({ allowed: false, reason: 'NO_OPT_IN' })
    expect(at('2025-09-02T10:32:00.000Z')).toMatchObject({
      allowed: true,
      reason: 'ISSUE_RESOLUTION_TEMPLATE',
    })
    expect(at('2025-09-02T10:32:00.000Z').rules).toContain('CCW-7')
    expect(at('2025-09-02T14:05:00.000Z')).toMatchObject({ allowed: true, reason: 'IN_CARE_WINDOW' })
    expect(at('2025-09-02T14:05:00.000Z').rules).toContain('CCW-8')
    expect(at('2025-09-02T14:11:00.000Z')).toMatchObject({
      allowed: false,
      reason: 'OPTED_OUT',
      error: { code: 131050 },
    })
    expect(at('2025-09-04T09:00:00.000Z')).toMatchObject({ allowed: true, reason: 'OPTED_IN_TEMPLATE' })
  })

  it('prints the same walkthrough as text, citing rules and Graph errors', async () => {
    const run = await carewindow('decide', '--scenario', join(EXAMPLES, 'brief-walkthrough.json'))
    expect(run.stdout).toContain('2025-09-02 10:30 UTC  31612345678  REFUSED  WINDOW_CLOSED  [CCW-4 CCW-6]')
    expect(run.stdout).toContain('Graph error 131047')
    expect(run.stdout).toMatch(
      /2025-09-02 14:05 UTC {2}31612345678 {2}ALLOWED {2}IN_CARE_WINDOW {2}\[[^\]]*CCW-8/,
    )
  })

  it('answers the 2019 Messenger conversation under 24+1 (examples/messenger-2019-plus-one.json)', async () => {
    const decisions = await decisionsOf('messenger-2019-plus-one.json')
    expect(decisions.map((line) => line.reason)).toEqual([
      'IN_STANDARD_WINDOW',
      'PLUS_ONE',
      'PLUS_ONE_USED',
      'MESSAGE_TAG',
      'HUMAN_AGENT',
    ])
    expect(decisions[2]?.error).toEqual(expect.objectContaining({ code: 10, error_subcode: 2018278 }))
    expect(decisions[4]).toMatchObject({ allowed: true, window: { type: 'human_agent' } })
  })

  it('refuses the same conversation in 2021 except for the human agent (examples/messenger-2021-same-conversation.json)', async () => {
    const decisions = await decisionsOf('messenger-2021-same-conversation.json')
    expect(decisions.map((line) => [line.reason, line.allowed])).toEqual([
      ['IN_STANDARD_WINDOW', true],
      ['OUTSIDE_MESSENGER_WINDOW', false],
      ['OUTSIDE_MESSENGER_WINDOW', false],
      ['TAG_NOT_ALLOWED', false],
      ['HUMAN_AGENT', true],
    ])
  })

  it('fails with exit 2 and names the file when it cannot be read, printing nothing on stdout', async () => {
    const missing = join(scratch, 'missing.json')
    const run = await carewindow('decide', '--scenario', missing)
    expect(run).toEqual({
      code: EXIT.usage,
      stdout: '',
      stderr: `carewindow: cannot read scenario ${missing}: ENOENT\n`,
    })
  })

  it('fails with exit 2 on a file that is not JSON', async () => {
    const file = await scratchFile('broken.json', '{"channel": ')
    const run = await carewindow('decide', '--scenario', file)
    expect(run.code).toBe(EXIT.usage)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      new RegExp(`^carewindow: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: `),
    )
  })

  it('fails with exit 2 on an invalid scenario, listing every problem with its path and evaluating nothing', async () => {
    const file = await scratchFile('invalid.json', INVALID_SCENARIO)
    const run = await carewindow('decide', '--scenario', file, '--json')
    expect(run.code).toBe(EXIT.usage)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `carewindow: ${file} is not a valid scenario:\n` +
        '  events[0].at: "2024-03-01 10:00" is not an ISO 8601 instant with offset, e.g. 2024-03-01T10:00:00Z\n' +
        '  events[1].message: a image message needs a "image" object\n',
    )
  })

  it('lists schema and send body problems of every event at once, with their paths', async () => {
    const file = await scratchFile(
      'many-problems.json',
      JSON.stringify({
        channel: { platform: 'whatsapp', id: '106540352242922' },
        events: [
          { at: '2024-03-01 10:00', type: 'inbound', contact: '31612345678' },
          { at: '2024-03-01T10:01:00Z', type: 'send', contact: '31612345678', message: { type: 'image' } },
          {
            at: '2024-03-01T10:02:00Z',
            type: 'send',
            contact: '31612345678',
            message: { messaging_product: 'whatsapp', to: '31699999999', type: 'text', text: { body: 'Hi' } },
          },
          {
            at: '2024-03-01T10:03:00Z',
            type: 'send',
            contact: '31612345678',
            sender: 'human',
            message: { messaging_product: 'sms', type: 'text', text: { body: 'Hi' } },
          },
        ],
      }),
    )
    const run = await carewindow('decide', '--scenario', file)
    expect(run).toMatchObject({ code: EXIT.usage, stdout: '' })
    expect(run.stderr.split('\n')).toEqual([
      `carewindow: ${file} is not a valid scenario:`,
      '  events[0].at: "2024-03-01 10:00" is not an ISO 8601 instant with offset, e.g. 2024-03-01T10:00:00Z',
      '  events[1].message: a image message needs a "image" object',
      '  events[2].message.to: "31699999999" is not the event\'s contact (31612345678); leave "to" out to send to the contact',
      expect.stringMatching(/^ {2}events\[3\]\.sender: /),
      '  events[3].message.messaging_product: "sms" is not "whatsapp"; leave it out and the scenario fills it in',
      '',
    ])
  })

  it('decides the README\'s scenario, written without messaging_product and "to"', async () => {
    const file = await readmeScenario()
    expect(await readFile(file, 'utf8')).not.toContain('"to"')
    const decisions = decisionLines(await carewindow('decide', '--scenario', file, '--json'))
    expect(decisions.map((line) => [line.contact, line.reason])).toEqual([
      ['31612345678', 'IN_CARE_WINDOW'],
      ['31612345678', 'ISSUE_RESOLUTION_TEMPLATE'],
    ])
  })

  it('decides a Messenger scenario whose sends leave out the recipient', async () => {
    const file = await scratchFile(
      'messenger-minimal.json',
      JSON.stringify({
        channel: { platform: 'messenger', id: '682498302938465' },
        events: [
          {
            at: '2024-03-01T10:00:00Z',
            type: 'inbound',
            contact: '2487329847239847',
            message: { text: 'hi' },
          },
          {
            at: '2024-03-01T10:05:00Z',
            type: 'send',
            contact: '2487329847239847',
            message: { messaging_type: 'RESPONSE', message: { text: 'Hello!' } },
          },
        ],
      }),
    )
    const decisions = decisionLines(await carewindow('decide', '--scenario', file, '--json'))
    expect(decisions).toMatchObject([{ contact: '2487329847239847', allowed: true }])
  })

  it('requires --scenario (exit 2)', async () => {
    const run = await carewindow('decide')
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr).toContain("required option '--scenario <file>' not specified")
  })
})

describe('carewindow demo', () => {
  it("walks through the brief's example and points to the next scenario", async () => {
    const [demo, decide] = await Promise.all([
      carewindow('demo'),
      carewindow('decide', '--scenario', join(EXAMPLES, 'brief-walkthrough.json')),
    ])
    expect(demo.code).toBe(EXIT.ok)
    expect(demo.stdout.startsWith(decide.stdout)).toBe(true)
    expect(demo.stdout).toContain('This was examples/brief-walkthrough.json.')
  })

  it('prints only JSON lines with --json', async () => {
    const run = await carewindow('demo', '--json')
    expect(run.code).toBe(EXIT.ok)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines.map((line) => (JSON.parse(line) as DecisionLine).contact)).toEqual(
      lines.map(() => '31612345678'),
    )
  })
})

describe('carewindow rules', () => {
  it('prints every rule id with its text', async () => {
    const run = await carewindow('rules')
    expect(run.code).toBe(EXIT.ok)
    const ids = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s+/)[0])
    expect(ids).toEqual([...RULE_IDS])
    expect(run.stdout).toMatch(/^CCW-1 +A customer care window opens when the end-user sends a message/)
  })
})

describe('carewindow templates', () => {
  it('prints every Issue Resolution example in every language', async () => {
    const run = await carewindow('templates')
    expect(run.code).toBe(EXIT.ok)
    for (const example of ISSUE_RESOLUTION_EXAMPLES) {
      expect(run.stdout).toContain(`${example.key} — ${example.purpose}\n`)
      for (const language of EXAMPLE_LANGUAGES)
        expect(run.stdout).toContain(
          `  ${language}: ${example.translations[language].body} [${example.translations[language].button}]\n`,
        )
    }
  })

  it('prints one language with --language', async () => {
    const run = await carewindow('templates', '--language', 'nl')
    expect(run.code).toBe(EXIT.ok)
    const translations = run.stdout.split('\n').filter((line) => line.startsWith('  '))
    expect(translations).toHaveLength(ISSUE_RESOLUTION_EXAMPLES.length)
    expect(translations.every((line) => line.startsWith('  nl: '))).toBe(true)
  })

  it('prints the examples as JSON, narrowed to the language asked for', async () => {
    const all = await carewindow('templates', '--json')
    expect(JSON.parse(all.stdout)).toEqual(ISSUE_RESOLUTION_EXAMPLES)
    const dutch = JSON.parse((await carewindow('templates', '--json', '--language', 'nl')).stdout) as {
      key: string
      translations: Record<string, unknown>
    }[]
    expect(dutch.map((example) => Object.keys(example.translations))).toEqual(
      ISSUE_RESOLUTION_EXAMPLES.map(() => ['nl']),
    )
  })

  it('refuses an unknown language with exit 2, listing the languages it has', async () => {
    const run = await carewindow('templates', '--language', 'pt')
    expect(run).toEqual({
      code: EXIT.usage,
      stdout: '',
      stderr: `carewindow: unknown language "pt"; use one of ${EXAMPLE_LANGUAGES.join(', ')}\n`,
    })
  })
})

describe('carewindow migrate', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it.each(['mysql://x', 'postgress://db/carewindow'])(
    'refuses CAREWINDOW_DATABASE_URL=%s with exit 2, naming the supported forms and creating nothing',
    async (url) => {
      vi.stubEnv('CAREWINDOW_DATABASE_URL', url)
      const run = await carewindow('migrate')
      expect(run).toEqual({
        code: EXIT.usage,
        stdout: '',
        stderr:
          'carewindow: invalid configuration:\n' +
          `  CAREWINDOW_DATABASE_URL: "${url}" is not a database URL carewindow supports; use postgres://… (or postgresql://…) for PostgreSQL, or sqlite:PATH (or a plain file path, no scheme) for SQLite\n`,
      })
      expect(existsSync(join(ROOT, url.slice(0, url.indexOf(':') + 1)))).toBe(false)
    },
  )
})

describe('carewindow usage', () => {
  it('refuses an unknown command with exit 2', async () => {
    const run = await carewindow('decied')
    expect(run.code).toBe(EXIT.usage)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain("unknown command 'decied'")
  })

  it('refuses an unknown option with exit 2', async () => {
    const run = await carewindow('rules', '--verbose')
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr).toContain("unknown option '--verbose'")
  })

  it('prints help listing the commands with --help and exits 0', async () => {
    const run = await carewindow('--help')
    expect(run.code).toBe(EXIT.ok)
    for (const command of ['decide', 'demo', 'rules', 'templates']) expect(run.stdout).toContain(command)
    expect(run.stderr).toBe('')
  })

  it.each(['--version', '-V'])('prints the package version with %s and exits 0', async (flag) => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(await carewindow(flag)).toEqual({ code: EXIT.ok, stdout: `${version}\n`, stderr: '' })
  })

  it("prints a command's options with decide --help", async () => {
    const run = await carewindow('decide', '--help')
    expect(run.code).toBe(EXIT.ok)
    expect(run.stdout).toContain('--scenario <file>')
    expect(run.stdout).toContain('--json')
  })
})

// Starting Node with tsx takes a few seconds on a busy machine; these limits only stop a hung process.
describe('the carewindow process', { timeout: 60_000 }, () => {
  const execFileAsync = promisify(execFile)
  const bin = (...args: string[]) =>
    execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: ROOT })

  it('exits 2 with the problems on stderr for an invalid scenario', async () => {
    const file = await scratchFile('process-invalid.json', INVALID_SCENARIO)
    const failure = await bin('decide', '--scenario', file).then(
      () => {
        throw new Error('expected the process to fail')
      },
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    )
    expect(failure.code).toBe(2)
    expect(failure.stdout).toBe('')
    expect(failure.stderr).toContain(`carewindow: ${file} is not a valid scenario:\n  events[0].at: `)
  })

  it.each([['rules'], ['demo'], ['decide', '--scenario', 'examples/brief-walkthrough.json']])(
    'ends %s quietly with exit 0 when its reader has gone (as `| head -1` does)',
    async (...args) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      // Closed before the command writes its first line: every write meets a broken pipe (EPIPE).
      child.stdout.destroy()
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
      })
      const [code] = (await once(child, 'close')) as [number | null]
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    },
  )

  it('exits 0 for demo and prints the walkthrough', async () => {
    const { stdout } = await bin('demo')
    expect(stdout).toContain('ISSUE_RESOLUTION_TEMPLATE')
    expect(stdout).toContain('This was examples/brief-walkthrough.json.')
  })
})
