import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  chooseLogFormat,
  createLogger,
  prettyPrinterPath,
  redactRequestUrl,
  redactUrl,
  repeatLimiterOf,
  RepeatLimiter,
} from './logging.js'

describe('redactUrl', () => {
  it.each([
    ['https://hooks:s3cret@acme.example/carewindow', 'https://hooks:***@acme.example/carewindow'],
    ['https://acme.example/hook?token=t0ken&v=2', 'https://acme.example/hook?token=***&v=***'],
    ['https://acme.example/hook?t0ken', 'https://acme.example/hook?***'],
    ['https://acme.example/hook?flag=&x=1', 'https://acme.example/hook?flag=&x=***'],
    ['https://acme.example/hook#t0ken', 'https://acme.example/hook#***'],
    ['https://u:p@acme.example:8443/a/b?k=v#f', 'https://u:***@acme.example:8443/a/b?k=***#***'],
    ['https://sk_live_t0ken@acme.example/hook', 'https://***@acme.example/hook'],
  ])('hides the credentials in %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted)
  })

  it.each([
    'https://acme.example/carewindow-hook',
    'http://127.0.0.1:9000/hooks/carewindow',
    'sqlite:./x.db',
  ])('leaves %s, which has none, as it is', (url) => {
    expect(redactUrl(url)).toBe(url)
  })

  it('does not take an @ in the query for userinfo', () => {
    expect(redactUrl('https://acme.example:8443/hook?email=a@b.example')).toBe(
      'https://acme.example:8443/hook?email=***',
    )
  })
})

describe('redactRequestUrl', () => {
  it('hides the values of carewindow’s credential parameters and keeps the others', () => {
    expect(
      redactRequestUrl('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42'),
    ).toBe('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=***&hub.challenge=42')
    expect(redactRequestUrl('/v6.0/me/messages?access_token=cw_key&appsecret_proof=abc')).toBe(
      '/v6.0/me/messages?access_token=***&appsecret_proof=***',
    )
  })
})

interface LogLine {
  readonly level: number
  readonly msg: string
  readonly repeated?: number
  readonly n?: number
}

function capturedLogger(options: { readonly repeatIntervalMs?: number } = {}) {
  const lines: LogLine[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as LogLine)
      done()
    },
  })
  return { lines, logger: createLogger('info', destination, options) }
}

describe('RepeatLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('logs the first of a storm of identical errors, then one line with the count per interval', async () => {
    const { lines, logger } = capturedLogger()
    const limiter = new RepeatLimiter(1_000)

    for (let n = 0; n < 500; n++) limiter.log(logger, 'error', { n }, 'database unavailable')
    await vi.advanceTimersByTimeAsync(1_000)
    for (let n = 0; n < 20; n++) limiter.log(logger, 'error', { n }, 'database unavailable')
    await vi.advanceTimersByTimeAsync(1_000)

    expect(lines.map((line) => [line.msg, line.repeated])).toEqual([
      ['database unavailable', undefined],
      ['database unavailable (499 more times)', 499],
      ['database unavailable (20 more times)', 20],
    ])
    expect(lines[0]?.n).toBe(0)
  })

  it('logs an error in full again after an interval without it', async () => {
    const { lines, logger } = capturedLogger()
    const limiter = new RepeatLimiter(1_000)

    limiter.log(logger, 'warn', {}, 'outbox round failed')
    await vi.advanceTimersByTimeAsync(1_000)
    limiter.log(logger, 'warn', {}, 'outbox round failed')

    expect(lines.map((line) => line.msg)).toEqual(['outbox round failed', 'outbox round failed'])
  })

  it('counts each key on its own', async () => {
    const { lines, logger } = capturedLogger()
    const limiter = new RepeatLimiter(1_000)

    for (let n = 0; n < 3; n++) {
      limiter.log(logger, 'error', {}, 'unhandled error', 'unhandled error: a')
      limiter.log(logger, 'error', {}, 'unhandled error', 'unhandled error: b')
    }
    await vi.advanceTimersByTimeAsync(1_000)

    expect(lines.map((line) => [line.msg, line.repeated])).toEqual([
      ['unhandled error', undefined],
      ['unhandled error', undefined],
      ['unhandled error (2 more times)', 2],
      ['unhandled error (2 more times)', 2],
    ])
  })

  it('writes what it left out when flushed', () => {
    const { lines, logger } = capturedLogger()
    const limiter = new RepeatLimiter(60_000)

    for (let n = 0; n < 4; n++) limiter.log(logger, 'error', {}, 'scheduler round failed')
    limiter.flush()

    expect(lines.map((line) => line.repeated)).toEqual([undefined, 3])
  })

  it('is shared by a logger and its children, with the interval the logger was made with', async () => {
    const { lines, logger } = capturedLogger({ repeatIntervalMs: 250 })
    const child = logger.child({ request: 'req_1' })

    expect(repeatLimiterOf(child)).toBe(repeatLimiterOf(logger))
    repeatLimiterOf(child).log(child, 'error', {}, 'database unavailable')
    repeatLimiterOf(logger).log(logger, 'error', {}, 'database unavailable')
    await vi.advanceTimersByTimeAsync(250)

    expect(repeatLimiterOf(logger).intervalMs).toBe(250)
    expect(lines.map((line) => line.repeated)).toEqual([undefined, 1])
  })
})

describe('chooseLogFormat', () => {
  it.each([
    [null, true, true, 'pretty'],
    [null, false, true, 'json'],
    [null, true, false, 'json'],
    ['json', true, true, 'json'],
    ['pretty', false, true, 'pretty'],
    ['pretty', true, false, 'json'],
  ] as const)(
    'asked for %s, on a terminal: %s, pino-pretty installed: %s — logs %s',
    (requested, isTerminal, isInstalled, format) => {
      expect(chooseLogFormat(requested, isTerminal, isInstalled)).toBe(format)
    },
  )
})

// A pino transport runs in a worker thread and writes to the process's stdout, so it is watched from outside.
describe('the pretty format', { timeout: 60_000 }, () => {
  it('finds pino-pretty, a development dependency', () => {
    expect(prettyPrinterPath()).toMatch(/pino-pretty/)
  })

  it('writes lines for people through pino-pretty, still without secrets', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-pretty-'))
    const script = join(directory, 'log.mts')
    await writeFile(
      script,
      [
        `import { createLogger } from ${JSON.stringify(new URL('./logging.ts', import.meta.url).href)}`,
        "const logger = createLogger('info', undefined, { format: 'pretty' })",
        "logger.info({ sandbox: { apiKey: 'cw_secret_key' } }, 'carewindow is listening')",
      ].join('\n'),
    )
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, NO_COLOR: '1' },
    }).finally(() => rm(directory, { recursive: true, force: true }))
    expect(stdout).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: carewindow is listening\n/)
    expect(stdout).toContain('"apiKey": "[redacted]"')
    expect(stdout).not.toContain('cw_secret_key')
    expect(stdout).not.toContain('{"level"')
  })
})
