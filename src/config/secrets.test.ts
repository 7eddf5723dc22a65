import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, resolveConfig } from './config.js'

const TOKEN = 'EAAG-token-from-a-secret-file'
const APP_SECRET = 'app-secret-from-a-file'
const VERIFY_TOKEN = 'verify-token-from-the-environment'
const WEBHOOK_SECRET = 'webhook-secret-from-the-environment'

let directory: string
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'carewindow-secrets-'))
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** Writes a file in the suite's temporary directory; its path. */
async function secretFile(name: string, text: string): Promise<string> {
  const path = join(directory, name)
  await writeFile(path, text)
  return path
}

function tenantWith(channel: Record<string, unknown>, webhookSecret: unknown = 'a-literal-webhook-secret') {
  return {
    tenants: [
      {
        id: 'acme',
        webhook: { url: 'https://acme.example/hook', secret: webhookSecret },
        channels: [
          {
            platform: 'whatsapp',
            id: '106540352242922',
            upstream: { mode: 'cloud', access_token: 'EAAG-literal' },
            app_secret: 'literal-app-secret',
            verify_token: 'literal-verify',
            ...channel,
          },
        ],
      },
    ],
  }
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

describe('secret fields in the config file', () => {
  it('reads {"file": …} and {"env": …} references, a file without its trailing newline', async () => {
    const tokenPath = await secretFile('token', `${TOKEN}\n`)
    const appSecretPath = await secretFile('app-secret', `${APP_SECRET}\r\n`)
    const file = tenantWith(
      {
        upstream: { mode: 'cloud', access_token: { file: tokenPath } },
        app_secret: { file: appSecretPath },
        verify_token: { env: 'ACME_VERIFY_TOKEN' },
      },
      { env: 'ACME_WEBHOOK_SECRET' },
    )

    const config = resolveConfig(
      file,
      { ACME_VERIFY_TOKEN: VERIFY_TOKEN, ACME_WEBHOOK_SECRET: WEBHOOK_SECRET },
      null,
    )

    const [tenant] = config.tenants
    expect(tenant?.webhook?.secret).toBe(WEBHOOK_SECRET)
    expect(tenant?.channels[0]).toMatchObject({
      upstream: { mode: 'cloud', access_token: TOKEN },
      app_secret: APP_SECRET,
      verify_token: VERIFY_TOKEN,
    })
    // The caller's object keeps its references.
    expect(file.tenants[0]?.channels[0]?.app_secret).toEqual({ file: appSecretPath })
  })

  it('keeps literal secrets as they are', () => {
    const config = resolveConfig(tenantWith({}), {}, null)
    expect(config.tenants[0]?.channels[0]?.app_secret).toBe('literal-app-secret')
    expect(config.tenants[0]?.webhook?.secret).toBe('a-literal-webhook-secret')
  })

  it('names the field and the variable when the variable is missing or empty', () => {
    const problems = problemsOf(() =>
      resolveConfig(
        tenantWith({ app_secret: { env: 'ACME_APP_SECRET' } }, { env: 'ACME_WEBHOOK_SECRET' }),
        { ACME_WEBHOOK_SECRET: '  ' },
        'carewindow.json',
      ),
    )
    expect(problems).toEqual([
      'carewindow.json: tenants[0].webhook.secret: environment variable ACME_WEBHOOK_SECRET is empty',
      'carewindow.json: tenants[0].channels[0].app_secret: environment variable ACME_APP_SECRET is not set',
    ])
  })

  it('names the field and the file when the file is missing, unreadable or empty', async () => {
    const missing = join(directory, 'no-such-secret')
    const empty = await secretFile('empty', '\n')
    const folder = join(directory, 'a-directory')
    await mkdir(folder, { recursive: true })

    const problems = problemsOf(() =>
      resolveConfig(
        tenantWith({
          upstream: { mode: 'cloud', access_token: { file: missing } },
          app_secret: { file: empty },
          verify_token: { file: folder },
        }),
        {},
        null,
      ),
    )

    expect(problems).toEqual([
      `config: tenants[0].channels[0].app_secret: secret file ${empty} is empty`,
      `config: tenants[0].channels[0].verify_token: secret file ${folder} cannot be read: EISDIR`,
      `config: tenants[0].channels[0].upstream.access_token: secret file ${missing} cannot be read: ENOENT`,
    ])
  })

  it.each([
    ['a number', 42],
    ['both env and file', { env: 'A', file: '/run/secrets/a' }],
    ['an unknown key', { environment: 'A' }],
    ['an empty variable name', { env: '' }],
  ])('refuses %s as a secret with one problem saying what a secret may be', (_label, value) => {
    expect(problemsOf(() => resolveConfig(tenantWith({ app_secret: value }), {}, null))).toEqual([
      'config: tenants[0].channels[0].app_secret: a secret is a string, {"env": "NAME"} or {"file": "/path/to/file"}',
    ])
  })

  it('checks a secret it read like a literal one, naming where it came from and never the secret', async () => {
    const short = 'tiny-s3cr3t'
    const path = await secretFile('short-webhook-secret', `${short}\n`)

    const problems = problemsOf(() => resolveConfig(tenantWith({}, { file: path }), {}, null))

    expect(problems).toEqual([
      `config: tenants[0].webhook.secret: the webhook signing secret needs at least 16 characters (read from file ${path})`,
    ])
    expect(problems.join('\n')).not.toContain(short)
  })

  it('reports every problem at once: unreadable references, other fields and variables', () => {
    const problems = problemsOf(() =>
      resolveConfig(
        {
          ...tenantWith({ app_secret: { env: 'MISSING_ONE' }, verify_token: { env: 'MISSING_TWO' } }),
          server: { port: -1 },
        },
        { CAREWINDOW_LOG_LEVEL: 'loud' },
        null,
      ),
    )
    expect(problems).toHaveLength(4)
    expect(problems.join('\n')).toContain('MISSING_ONE')
    expect(problems.join('\n')).toContain('MISSING_TWO')
    expect(problems.join('\n')).toContain('server.port')
    expect(problems.join('\n')).toContain('CAREWINDOW_LOG_LEVEL')
  })
})

describe('CAREWINDOW_*_FILE variables', () => {
  it('reads a variable’s value from the file its _FILE form names, without the trailing newline', async () => {
    const url = await secretFile('database-url', 'postgres://carewindow:pa55@db:5432/carewindow\n')
    const port = await secretFile('port', '9090\n')

    const config = resolveConfig({}, { CAREWINDOW_DATABASE_URL_FILE: url, CAREWINDOW_PORT_FILE: port }, null)

    expect(config.databaseUrl).toBe('postgres://carewindow:pa55@db:5432/carewindow')
    expect(config.port).toBe(9090)
  })

  it('refuses a variable set both ways, and names the variable and file it cannot read', async () => {
    const url = await secretFile('another-database-url', 'postgres://db/x')
    const empty = await secretFile('empty-level', '')
    const missing = join(directory, 'missing-host')

    const problems = problemsOf(() =>
      resolveConfig(
        {},
        {
          CAREWINDOW_DATABASE_URL: 'postgres://db/y',
          CAREWINDOW_DATABASE_URL_FILE: url,
          CAREWINDOW_LOG_LEVEL_FILE: empty,
          CAREWINDOW_HOST_FILE: missing,
        },
        null,
      ),
    )

    expect(problems).toEqual([
      'CAREWINDOW_DATABASE_URL and CAREWINDOW_DATABASE_URL_FILE are both set; set only one of them',
      `CAREWINDOW_HOST_FILE: file ${missing} cannot be read: ENOENT`,
      `CAREWINDOW_LOG_LEVEL_FILE: file ${empty} is empty`,
    ])
    expect(problems.join('\n')).not.toContain('postgres://db/x')
  })

  it('refuses CAREWINDOW_CONFIG_FILE, since CAREWINDOW_CONFIG is already a path', () => {
    expect(
      problemsOf(() => resolveConfig({}, { CAREWINDOW_CONFIG_FILE: '/etc/carewindow.json' }, null)),
    ).toEqual([
      'CAREWINDOW_CONFIG_FILE: CAREWINDOW_CONFIG is itself the path of the config file; set CAREWINDOW_CONFIG=/etc/carewindow.json instead',
    ])
  })

  it('lets loadConfig read the database URL from a file, with the config file from CAREWINDOW_CONFIG', async () => {
    const configPath = await secretFile('carewindow.json', JSON.stringify({ server: { port: 8181 } }))
    const url = await secretFile('database-url-for-load', 'sqlite:./data/from-a-file.db\n')

    const config = await loadConfig({
      env: { CAREWINDOW_CONFIG: configPath, CAREWINDOW_DATABASE_URL_FILE: url },
    })

    expect(config).toMatchObject({
      port: 8181,
      databaseUrl: 'sqlite:./data/from-a-file.db',
      source: configPath,
    })
  })

  it('reports a _FILE problem found while loading with the file’s own problems', async () => {
    const configPath = await secretFile('wrong.json', JSON.stringify({ server: { port: 'x' } }))

    await expect(
      loadConfig({
        env: { CAREWINDOW_CONFIG: configPath, CAREWINDOW_PORT_FILE: join(directory, 'no-port') },
      }),
    ).rejects.toThrow(
      new ConfigError([
        `CAREWINDOW_PORT_FILE: file ${join(directory, 'no-port')} cannot be read: ENOENT`,
        `${configPath}: server.port: Invalid input: expected number, received string`,
      ]),
    )
  })
})
