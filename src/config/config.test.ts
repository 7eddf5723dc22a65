import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, DEFAULTS, loadConfig, longestUpstreamWaitMs, resolveConfig } from './config.js'

const channel = {
  platform: 'whatsapp',
  id: '106540352242922',
  upstream: { mode: 'cloud', access_token: 'EAAG-test-token' },
  app_secret: 'app-secret-123',
  verify_token: 'verify-me',
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run()
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('resolveConfig', () => {
  it('runs on the embedded defaults with no file and no environment', () => {
    const config = resolveConfig({}, {}, null)
    expect(config).toMatchObject({
      host: DEFAULTS.host,
      port: DEFAULTS.port,
      databaseUrl: undefined,
      migrateOnStart: true,
      databasePoolSize: 10,
      databasePreparedStatements: true,
      logLevel: 'info',
      bodyLimitBytes: 1024 * 1024,
      inboxMaxLagMs: 30_000,
      tenants: [],
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('bounds every request in time and size by default, the connection outlasting a send waiting for Graph', () => {
    const config = resolveConfig({}, {}, null)
    expect(config).toMatchObject({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      connectionTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      maxHeaderBytes: 16 * 1024,
    })
    expect(config.connectionTimeoutMs).toBeGreaterThan(
      DEFAULTS.inboxDecisionWaitMs +
        longestUpstreamWaitMs(DEFAULTS.upstreamTimeoutMs, DEFAULTS.upstreamRetries),
    )
  })

  it('takes the server’s time bounds and header limit from the file', () => {
    const config = resolveConfig(
      {
        server: {
          request_timeout_ms: 5_000,
          headers_timeout_ms: 2_000,
          connection_timeout_ms: 45_000,
          keep_alive_timeout_ms: 5_000,
          max_header_bytes: 8_192,
        },
      },
      {},
      null,
    )
    expect(config).toMatchObject({
      requestTimeoutMs: 5_000,
      headersTimeoutMs: 2_000,
      connectionTimeoutMs: 45_000,
      keepAliveTimeoutMs: 5_000,
      maxHeaderBytes: 8_192,
    })
  })

  it('keeps the headers’ timeout within a shorter request timeout when only that one is set', () => {
    expect(resolveConfig({ server: { request_timeout_ms: 4_000 } }, {}, null).headersTimeoutMs).toBe(4_000)
  })

  it('lets an unset connection timeout grow with longer upstream waits', () => {
    const config = resolveConfig({ upstream: { timeout_ms: 30_000, retries: 2 } }, {}, null)
    expect(config.connectionTimeoutMs).toBe(
      DEFAULTS.inboxDecisionWaitMs + longestUpstreamWaitMs(30_000, 2) + 10_000,
    )
  })

  it('takes how far the inbox may fall behind, 0 included (never behind)', () => {
    expect(resolveConfig({ inbox: { max_lag_ms: 5_000 } }, {}, null).inboxMaxLagMs).toBe(5_000)
    expect(resolveConfig({ inbox: { max_lag_ms: 0 } }, {}, null).inboxMaxLagMs).toBe(0)
  })

  it('syncs templates with Meta at start and every 6 h by default, as the file says otherwise', () => {
    expect(resolveConfig({}, {}, null)).toMatchObject({
      templateSyncOnStart: true,
      templateSyncIntervalMs: 6 * 3_600_000,
    })
    const file = { template_sync: { on_start: false, interval_ms: 0 } }
    expect(resolveConfig(file, {}, null)).toMatchObject({
      templateSyncOnStart: false,
      templateSyncIntervalMs: 0,
    })
  })

  it('refuses a template sync interval under a minute, naming what it may be', () => {
    const problems = problemsOf(() => resolveConfig({ template_sync: { interval_ms: 1_000 } }, {}, null))
    expect(problems.join('\n')).toContain(
      'template_sync.interval_ms: use 0 (no scheduled sync) or from 60000 (1 min)',
    )
  })

  it('reads the PostgreSQL pool size and the prepared statements switch from the file, and bounds the pool', () => {
    expect(
      resolveConfig({ database: { pool_size: 25, prepared_statements: false } }, {}, 'carewindow.json'),
    ).toMatchObject({ databasePoolSize: 25, databasePreparedStatements: false })
    for (const poolSize of [0, 101, 2.5])
      expect(problemsOf(() => resolveConfig({ database: { pool_size: poolSize } }, {}, null))).toEqual([
        expect.stringContaining('database.pool_size'),
      ])
  })

  it('lets CAREWINDOW_* variables win over the file', () => {
    const config = resolveConfig(
      { server: { port: 9000, host: '0.0.0.0' }, database: { url: 'sqlite:./a.db' }, log_level: 'warn' },
      {
        CAREWINDOW_PORT: '9100',
        CAREWINDOW_DATABASE_URL: 'postgres://db/x',
        CAREWINDOW_LOG_LEVEL: 'debug',
        CAREWINDOW_MIGRATE_ON_START: 'false',
      },
      'carewindow.json',
    )
    expect(config).toMatchObject({
      port: 9100,
      host: '0.0.0.0',
      databaseUrl: 'postgres://db/x',
      logLevel: 'debug',
      migrateOnStart: false,
    })
  })

  it.each([
    ['the default', {}, {}, DEFAULTS.port],
    ['the file', { server: { port: 9000 } }, {}, 9000],
    ['PORT over the file', { server: { port: 9000 } }, { PORT: '9200' }, 9200],
    [
      'CAREWINDOW_PORT over PORT',
      { server: { port: 9000 } },
      { PORT: '9200', CAREWINDOW_PORT: '9100' },
      9100,
    ],
  ])('listens on the port of %s', (_name, file, env, port) => {
    expect(resolveConfig(file, env, null).port).toBe(port)
  })

  it('refuses a PORT that is not a port number, unless CAREWINDOW_PORT is set and PORT is not used', () => {
    expect(problemsOf(() => resolveConfig({}, { PORT: 'http' }, null))).toEqual([
      'PORT: "http" is not a port number (0–65535)',
    ])
    expect(resolveConfig({}, { PORT: 'http', CAREWINDOW_PORT: '9100' }, null).port).toBe(9100)
  })

  it('fills a cloud upstream’s base URL with Graph’s and keeps the channel’s settings and templates', () => {
    const config = resolveConfig(
      {
        tenants: [
          {
            id: 'acme',
            api_keys: [{ key: 'cw_0123456789abcdefghijkl' }],
            channels: [
              {
                ...channel,
                settings: { messenger_plus_one_cutoff: 'meta' },
                templates: [{ name: 'hello', language: 'en', category: 'utility', body: 'Hi {{1}}' }],
              },
            ],
          },
        ],
      },
      {},
      null,
    )
    const configured = config.tenants[0]?.channels[0]
    expect(configured?.upstream).toEqual({
      mode: 'cloud',
      base_url: 'https://graph.facebook.com',
      access_token: 'EAAG-test-token',
    })
    expect(configured?.templates[0]).toMatchObject({ category: 'UTILITY', status: 'APPROVED' })
    expect(config.tenants[0]?.api_keys[0]).toEqual({
      name: 'config',
      key: 'cw_0123456789abcdefghijkl',
      role: 'admin',
    })
  })

  it('gives a declared API key the role it names, and refuses a role carewindow does not know', () => {
    const withRole = (role: string) => ({
      tenants: [{ id: 'acme', api_keys: [{ key: 'cw_0123456789abcdefghijkl', role }] }],
    })
    expect(resolveConfig(withRole('read'), {}, null).tenants[0]?.api_keys[0]).toMatchObject({ role: 'read' })
    expect(() => resolveConfig(withRole('owner'), {}, null)).toThrow(
      'tenants[0].api_keys[0]: an API key is {"key": …} or {"key_sha256": …}, with an optional "name" and "role" ("admin", the default, or "read")',
    )
  })

  it.each([
    ['an unknown key', { servr: {} }, 'config: Unrecognized key: "servr"'],
    ['a port out of range', { server: { port: 70000 } }, 'config: server.port'],
    [
      'a channel without an app secret',
      { tenants: [{ id: 'acme', channels: [{ ...channel, app_secret: undefined }] }] },
      'config: tenants[0].channels[0].app_secret',
    ],
    [
      'a bad tenant id',
      { tenants: [{ id: 'Acme Corp' }] },
      'config: tenants[0].id: a tenant id is lowercase letters, digits, "-" and "_"',
    ],
    [
      'a webhook secret that is too short',
      { tenants: [{ id: 'acme', webhook: { url: 'https://acme.example/hook', secret: 'short' } }] },
      'config: tenants[0].webhook.secret: the webhook signing secret needs at least 16 characters',
    ],
    [
      'a channel declared twice',
      {
        tenants: [
          { id: 'a', channels: [channel] },
          { id: 'b', channels: [channel] },
        ],
      },
      'tenants[1].channels[0].id: whatsapp channel 106540352242922 is declared twice',
    ],
    ['a negative inbox lag', { inbox: { max_lag_ms: -1 } }, 'config: inbox.max_lag_ms'],
    [
      'a request timeout of 0 (none)',
      { server: { request_timeout_ms: 0 } },
      'config: server.request_timeout_ms',
    ],
    ['a header limit under 1 KiB', { server: { max_header_bytes: 100 } }, 'config: server.max_header_bytes'],
    [
      'a headers timeout longer than the request timeout',
      { server: { request_timeout_ms: 1_000, headers_timeout_ms: 2_000 } },
      'server.headers_timeout_ms: 2000 ms is longer than server.request_timeout_ms (1000 ms)',
    ],
    [
      'a connection timeout a send waiting for Graph would outlast',
      { server: { connection_timeout_ms: 20_000 } },
      'server.connection_timeout_ms: 20000 ms is not longer than a send may wait (35600 ms: inbox.decision_wait_ms, then',
    ],
    [
      'a tenant declared twice',
      { tenants: [{ id: 'a' }, { id: 'a' }] },
      'tenants[1].id: tenant "a" is declared twice',
    ],
  ])('refuses %s, saying where', (_label, file, expected) => {
    expect(problemsOf(() => resolveConfig(file, {}, null)).join('\n')).toContain(expected)
  })

  it.each([
    ['CAREWINDOW_PORT', 'eighty', 'CAREWINDOW_PORT: "eighty" is not a port number (0–65535)'],
    ['CAREWINDOW_MIGRATE_ON_START', 'maybe', 'CAREWINDOW_MIGRATE_ON_START: "maybe" is not true or false'],
    ['CAREWINDOW_LOG_LEVEL', 'loud', 'CAREWINDOW_LOG_LEVEL: "loud" is not one of'],
  ])('refuses %s=%s', (name, value, expected) => {
    expect(problemsOf(() => resolveConfig({}, { [name]: value }, null)).join('\n')).toContain(expected)
  })

  it.each(['mysql://x', 'postgress://db/carewindow', 'http://db.example/carewindow'])(
    'refuses CAREWINDOW_DATABASE_URL=%s, naming the two forms it supports',
    (url) => {
      expect(problemsOf(() => resolveConfig({}, { CAREWINDOW_DATABASE_URL: url }, null))).toEqual([
        `CAREWINDOW_DATABASE_URL: "${url}" is not a database URL carewindow supports; use postgres://… (or postgresql://…) for PostgreSQL, or sqlite:PATH (or a plain file path, no scheme) for SQLite`,
      ])
    },
  )

  it('refuses a database.url with an unknown scheme in the file, with the password hidden, among its other problems', () => {
    expect(
      problemsOf(() =>
        resolveConfig(
          { database: { url: 'mysql://carewindow:s3cret@db/carewindow' }, log_level: 'loud' },
          {},
          'carewindow.json',
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^carewindow\.json: log_level: /),
      expect.stringMatching(
        /^carewindow\.json: database\.url: "mysql:\/\/carewindow:\*\*\*@db\/carewindow" is not a database URL carewindow supports; use postgres:/,
      ),
    ])
  })

  it('checks only the database URL in effect: the environment’s wins over the file’s', () => {
    expect(
      resolveConfig({ database: { url: 'mysql://x' } }, { CAREWINDOW_DATABASE_URL: 'sqlite:./x.db' }, null)
        .databaseUrl,
    ).toBe('sqlite:./x.db')
  })

  it('leaves the access log off and the log format to the terminal by default', () => {
    expect(resolveConfig({}, {}, null)).toMatchObject({ logRequests: false, logFormat: null })
  })

  it('takes the access log and the log format from the file, and CAREWINDOW_LOG_* over it', () => {
    const file = { log_requests: true, log_format: 'pretty' }
    expect(resolveConfig(file, {}, null)).toMatchObject({ logRequests: true, logFormat: 'pretty' })
    expect(
      resolveConfig(file, { CAREWINDOW_LOG_REQUESTS: 'false', CAREWINDOW_LOG_FORMAT: 'JSON' }, null),
    ).toMatchObject({ logRequests: false, logFormat: 'json' })
  })

  it.each([
    ['CAREWINDOW_LOG_REQUESTS', 'always', 'CAREWINDOW_LOG_REQUESTS: "always" is not true or false'],
    ['CAREWINDOW_LOG_FORMAT', 'xml', 'CAREWINDOW_LOG_FORMAT: "xml" is not json or pretty'],
  ])('refuses %s=%s', (name, value, expected) => {
    expect(problemsOf(() => resolveConfig({}, { [name]: value }, null))).toEqual([expected])
  })

  it('lists every problem at once rather than the first', () => {
    expect(
      problemsOf(() => resolveConfig({ server: { port: -1 }, log_level: 'loud' }, {}, null)),
    ).toHaveLength(2)
  })
})

describe('loadConfig', () => {
  let directory: string
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-config-'))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it('reads the file CAREWINDOW_CONFIG names', async () => {
    const path = join(directory, 'carewindow.json')
    await writeFile(path, JSON.stringify({ server: { port: 8181 } }))
    const config = await loadConfig({ env: { CAREWINDOW_CONFIG: path } })
    expect(config.port).toBe(8181)
    expect(config.source).toBe(path)
  })

  it('says when the file cannot be read', async () => {
    await expect(loadConfig({ path: join(directory, 'missing.json'), env: {} })).rejects.toThrow(
      /cannot read .*missing\.json: ENOENT/,
    )
  })

  it('says when the file is not JSON', async () => {
    const path = join(directory, 'broken.json')
    await writeFile(path, '{ "server": ')
    await expect(loadConfig({ path, env: {} })).rejects.toThrow(/broken\.json is not valid JSON/)
  })

  it('prefixes problems with the file name', async () => {
    const path = join(directory, 'wrong.json')
    await writeFile(path, JSON.stringify({ server: { port: 'x' } }))
    await expect(loadConfig({ path, env: {} })).rejects.toThrow(`${path}: server.port`)
  })
})
