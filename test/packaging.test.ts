import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PACKAGE = join(ROOT, 'packages/policy')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
/** npm may have to fetch libphonenumber-js on a machine whose cache lacks it. */
const STEP_TIMEOUT_MS = 120_000

/**
 * The policy core as a user gets it: `@carewindow/policy` built from today's src/domain, packed as npm would publish
 * it, and installed into an empty project. Nothing of the server (Fastify, pg, better-sqlite3 …) may come along.
 */
describe('the @carewindow/policy package', () => {
  let work: string
  let project: string
  let packedFiles: string[]

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'carewindow-policy-'))
    const staged = join(work, 'package')
    await mkdir(staged)
    for (const file of ['package.json', 'README.md']) await copyFile(join(PACKAGE, file), join(staged, file))
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(PACKAGE, 'tsconfig.json'),
        '--outDir',
        join(staged, 'dist'),
      ],
      { timeout: STEP_TIMEOUT_MS },
    )
    const packed = await run(NPM, ['pack', '--json', '--pack-destination', work], {
      cwd: staged,
      timeout: STEP_TIMEOUT_MS,
    })
    const [tarball] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
    if (tarball === undefined) throw new Error(`npm pack printed no tarball: ${packed.stdout}`)
    packedFiles = tarball.files.map((file) => file.path)

    project = join(work, 'project')
    await mkdir(project)
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'policy-user', private: true, type: 'module' }),
    )
    await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball.filename)], {
      cwd: project,
      timeout: STEP_TIMEOUT_MS,
    })
  }, 4 * STEP_TIMEOUT_MS)

  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  it('ships the compiled core with its types, and neither tests nor test builders', () => {
    expect(packedFiles).toContain('dist/index.js')
    expect(packedFiles).toContain('dist/index.d.ts')
    expect(packedFiles).toContain('dist/decisions/decide.js')
    expect(packedFiles.filter((path) => /\.test\.|testing\//.test(path))).toEqual([])
    expect(
      packedFiles.every((path) => path.startsWith('dist/') || /^(package\.json|README\.md)$/.test(path)),
    ).toBe(true)
  })

  it('installs with its own dependency only: none of the server’s', async () => {
    const installed = await readdir(join(project, 'node_modules'))
    const scoped = await readdir(join(project, 'node_modules/@carewindow'))
    expect(installed.filter((name) => !name.startsWith('.')).sort()).toEqual([
      '@carewindow',
      'libphonenumber-js',
    ])
    expect(scoped).toEqual(['policy'])
  })

  it('runs the README’s library example, printing what its comments say', async () => {
    // examples/library.ts verbatim, its types stripped, in the fresh project.
    const source = await readFile(join(ROOT, 'examples/library.ts'), 'utf8')
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    await writeFile(join(project, 'example.mjs'), outputText)
    const { stdout } = await run(process.execPath, ['example.mjs'], {
      cwd: project,
      timeout: STEP_TIMEOUT_MS,
    })
    const expected = [...source.matchAll(/^console\.log\(.*\) \/\/ (.*)$/gm)].map((match) => match[1] ?? '')
    const printed = stdout.trimEnd().split('\n')
    expect(expected).toHaveLength(3)
    expect(printed).toHaveLength(expected.length)
    for (const [index, line] of printed.entries()) {
      const comment = expected[index] ?? ''
      // A comment ending in "…" shows the start of a longer line.
      if (comment.endsWith(' …')) expect(line.startsWith(comment.slice(0, -2))).toBe(true)
      else expect(line).toBe(comment)
    }
  })
})
