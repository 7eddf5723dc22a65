import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { runCli } from '../src/cli/main.js'
import { DEFAULTS, ENVIRONMENT_VARIABLES } from '../src/config/config.js'
import { openFixture, type NativeApiFixture } from './http/native-api-fixture.js'
import { freePort } from './support/local-server.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8')

/** One instruction of a Dockerfile: its keyword (upper case) and the rest of it, continuation lines joined. */
interface Instruction {
  readonly keyword: string
  readonly argument: string
}

/** The instructions of a Dockerfile, comments and line continuations resolved. */
function instructionsOf(dockerfile: string): Instruction[] {
  const logical: string[] = []
  let current = ''
  for (const line of dockerfile.split('\n')) {
    if (/^\s*#/.test(line)) continue
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `
      continue
    }
    current += line
    if (current.trim() !== '') logical.push(current.trim())
    current = ''
  }
  return logical.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/)
    return { keyword: keyword.toUpperCase(), argument: rest.join(' ') }
  })
}

/** The instructions of the last stage (`FROM … AS runtime` on): what the image runs with. */
function finalStage(instructions: readonly Instruction[]): Instruction[] {
  const start = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM')
  return instructions.slice(start)
}

/** An exec-form argument (`["node", "bin/carewindow.js"]`) as its words. */
function execForm(argument: string): string[] {
  const words: unknown = JSON.parse(argument)
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string'))
    throw new Error(`not an exec-form list: ${argument}`)
  return words
}

function only(instructions: readonly Instruction[], keyword: string): Instruction {
  const found = instructions.filter((instruction) => instruction.keyword === keyword)
  expect(found, `exactly one ${keyword}`).toHaveLength(1)
  return found[0] as Instruction
}

/** Runs `carewindow …` in-process; its exit code and what it printed. */
async function carewindow(args: readonly string[]): Promise<{ readonly code: number; readonly out: string }> {
  let out = ''
  const code = await runCli(['node', 'carewindow', ...args], {
    out: (text) => {
      out += text
    },
    err: (text) => {
      out += text
    },
  })
  return { code, out }
}

describe('the Dockerfile', () => {
  let instructions: Instruction[]
  let runtime: Instruction[]
  beforeAll(async () => {
    instructions = instructionsOf(await read('Dockerfile'))
    runtime = finalStage(instructions)
  })

  it('starts `node bin/carewindow.js serve`, a command the CLI has', async () => {
    const command = [
      ...execForm(only(runtime, 'ENTRYPOINT').argument),
      ...execForm(only(runtime, 'CMD').argument),
    ]
    expect(command.slice(0, 2)).toEqual(['node', 'bin/carewindow.js'])
    expect(existsSync(`${ROOT}/${command[1] ?? ''}`)).toBe(true)

    const help = await carewindow([...command.slice(2), '--help'])

    expect(help.code).toBe(0)
    expect(help.out).toContain(`Usage: carewindow ${command.slice(2).join(' ')} [options]`)
  })

  it('refuses a command the CLI does not have, so the check above can fail', async () => {
    const help = await carewindow(['srve', '--help'])
    expect(help.out).not.toContain('Usage: carewindow srve')
  })

  it('runs as an unprivileged user, listening on every interface on the port it exposes', () => {
    const user = only(runtime, 'USER').argument
    expect(user).not.toMatch(/^(root|0)(:|$)/)
    expect(
      runtime.filter((instruction) => instruction.keyword === 'ENV').map((env) => env.argument),
    ).toContain('CAREWINDOW_HOST=0.0.0.0')
    expect(only(runtime, 'EXPOSE').argument).toBe(String(DEFAULTS.port))
  })

  it('keeps the embedded database in a volume the unprivileged user may write', () => {
    const user = only(runtime, 'USER').argument
    expect(execForm(only(runtime, 'VOLUME').argument)).toEqual(['/app/data'])
    expect(only(runtime, 'WORKDIR').argument).toBe('/app')
    expect(
      runtime.some(
        (instruction) =>
          instruction.keyword === 'RUN' && instruction.argument.includes(`chown ${user}:${user} /app/data`),
      ),
    ).toBe(true)
    // Set here, the database URL would clash with CAREWINDOW_DATABASE_URL_FILE.
    expect(instructions.some((instruction) => instruction.argument.includes('CAREWINDOW_DATABASE_URL'))).toBe(
      false,
    )
  })

  it('installs the production dependencies without running the build, on the Node major package.json supports', async () => {
    const packageJson = JSON.parse(await read('package.json')) as { engines: { node: string } }
    const major = /(\d+)/.exec(packageJson.engines.node)?.[1]
    expect(instructions[0]).toEqual({ keyword: 'ARG', argument: `NODE_IMAGE=node:${major}-bookworm-slim` })
    const runs = instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((run) => run.argument)
    expect(runs.some((run) => run.includes('npm ci --omit=dev --ignore-scripts'))).toBe(true)
    expect(runs.some((run) => run.includes('npm rebuild better-sqlite3'))).toBe(true)
    expect(runtime.some((instruction) => instruction.argument.includes('npm'))).toBe(false)
  })

  it('copies from the build context only files that exist and .dockerignore lets through', async () => {
    const ignored = (await read('.dockerignore'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
    const sources = instructions
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.argument.startsWith('--from'))
      .flatMap((copy) => copy.argument.split(/\s+/).slice(0, -1))
    expect(sources).toContain('src')
    for (const source of sources) {
      expect(existsSync(`${ROOT}/${source}`), source).toBe(true)
      expect(ignored, source).not.toContain(source)
    }
  })

  describe('its health check', () => {
    let fixture: NativeApiFixture
    let port: number
    let healthcheck: string[]
    beforeAll(async () => {
      fixture = await openFixture('sqlite')
      await fixture.app.listen({ host: '127.0.0.1', port: 0 })
      const address = fixture.app.server.address()
      port = typeof address === 'object' && address !== null ? address.port : 0
      const instruction = only(runtime, 'HEALTHCHECK').argument
      healthcheck = execForm(instruction.slice(instruction.indexOf('CMD') + 'CMD'.length).trim())
    })
    afterAll(async () => {
      await fixture.close()
    })

    /** Runs the health check's command as Docker would, against the test app's port; its exit code. */
    const check = async (env: NodeJS.ProcessEnv): Promise<number> => {
      const [program, ...args] = healthcheck
      try {
        await promisify(execFile)(program === 'node' ? process.execPath : (program ?? ''), args, {
          env: { PATH: process.env.PATH, ...env },
          timeout: 20_000,
        })
        return 0
      } catch (error) {
        return (error as { code?: number }).code ?? -1
      }
    }

    it('asks /readyz with Node (slim images have no curl), at sensible intervals', () => {
      const instruction = only(runtime, 'HEALTHCHECK').argument
      expect(healthcheck[0]).toBe('node')
      expect(healthcheck.join(' ')).toMatch(/'\/readyz'/)
      for (const option of ['--interval=', '--timeout=', '--start-period=', '--retries='])
        expect(instruction).toContain(option)
    })

    it('passes against a carewindow whose database answers', async () => {
      const ready = await fixture.app.inject({ method: 'GET', url: '/readyz' })
      expect(ready.statusCode).toBe(200)
      expect(await check({ CAREWINDOW_PORT: String(port) })).toBe(0)
    })

    it('fails where nothing answers', async () => {
      expect(await check({ CAREWINDOW_PORT: String(await freePort()) })).toBe(1)
    })
  })
})

describe('compose.yaml', () => {
  interface Service {
    readonly image?: string
    readonly build?: unknown
    readonly environment?: Record<string, string>
    readonly secrets?: string[]
    readonly volumes?: string[]
    readonly healthcheck?: { readonly test: unknown }
    readonly depends_on?: Record<string, { readonly condition: string }>
  }
  let compose: { services: Record<string, Service>; secrets: Record<string, { file: string }> }
  beforeAll(async () => {
    compose = parseYaml(await read('compose.yaml')) as typeof compose
  })

  it('gives carewindow only variables it reads, plain or as _FILE', () => {
    const names = Object.keys(compose.services.carewindow?.environment ?? {})
    expect(names.length).toBeGreaterThan(0)
    const known = new Set(ENVIRONMENT_VARIABLES.flatMap((name) => [name, `${name}_FILE`]))
    for (const name of names) expect(known, name).toContain(name)
  })

  it('reads the database URL from a compose secret that exists, and keeps data in a volume', () => {
    const carewindow = compose.services.carewindow
    const path = carewindow?.environment?.CAREWINDOW_DATABASE_URL_FILE
    expect(path).toMatch(/^\/run\/secrets\//)
    const secret = path?.slice('/run/secrets/'.length) ?? ''
    expect(carewindow?.secrets).toContain(secret)
    expect(Object.keys(compose.secrets)).toContain(secret)
    expect(carewindow?.build).toBe('.')
    expect(carewindow?.volumes?.some((volume) => volume.endsWith(':/app/data'))).toBe(true)
  })

  it('starts carewindow once PostgreSQL is healthy', () => {
    const postgres = compose.services.postgres
    expect(postgres?.image).toMatch(/^postgres:\d+/)
    expect(postgres?.healthcheck?.test).toEqual(
      expect.arrayContaining([expect.stringContaining('pg_isready')]),
    )
    expect(compose.services.carewindow?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
  })
})
