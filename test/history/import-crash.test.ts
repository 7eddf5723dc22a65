import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/main.js'
import { writeHistoryFile } from '../support/history-generator.js'
import { historyState, importedSoFar } from '../support/history-state.js'
import {
  createE2eDatabase,
  PHONE_NUMBER_ID,
  type Dialect,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { carewindow, historyConfig, PAGE_ID, scratchDirectory } from './history-setup.js'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const NOTIFICATIONS = 3_000
/** Notifications committed after which the first run is killed: a few batches in, far from the end. */
const KILL_AFTER = 600
const BATCH = 100

describe.each<Dialect>(['sqlite', 'postgres'])(
  'an import killed with SIGKILL halfway, on %s',
  { timeout: 300_000 },
  (dialect) => {
    let scratch: Awaited<ReturnType<typeof scratchDirectory>>
    let killed: E2eDatabase
    let clean: E2eDatabase
    let file: string

    beforeAll(async () => {
      scratch = await scratchDirectory()
      killed = await createE2eDatabase(dialect)
      clean = await createE2eDatabase(dialect)
      file = join(scratch.path, 'history.jsonl')
      await writeHistoryFile(file, {
        notifications: NOTIFICATIONS,
        phoneNumberId: PHONE_NUMBER_ID,
        pageId: PAGE_ID,
        contacts: 300,
        startAt: Date.UTC(2025, 9, 1),
      })
    })

    afterAll(async () => {
      await killed.destroy()
      await clean.destroy()
      await scratch.remove()
    })

    async function configFor(database: E2eDatabase, name: string): Promise<string> {
      return scratch.file(name, JSON.stringify(historyConfig(database.url)))
    }

    it('is completed by running it again, leaving the state of one clean import, without duplicates', async () => {
      const config = await configFor(killed, 'killed.json')
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/bin.ts',
          'import',
          file,
          '--config',
          config,
          '--batch-size',
          String(BATCH),
        ],
        {
          cwd: REPO_ROOT,
          env: Object.fromEntries(
            Object.entries(process.env).filter(([name]) => !name.startsWith('CAREWINDOW_')),
          ),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const exited = once(child, 'exit')
      while ((await importedSoFar(killed.url)) < KILL_AFTER) {
        if (child.exitCode !== null) throw new Error(`the import ended before it was killed:\n${output}`)
        await sleep(10)
      }
      child.kill('SIGKILL')
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null]
      expect(signal).toBe('SIGKILL')
      const cut = await historyState(killed.url)
      const imported = cut.counts.imported ?? 0
      // Killed between batches or inside one: what is there is whole batches, and not all of them.
      expect(imported).toBeGreaterThanOrEqual(KILL_AFTER)
      expect(imported).toBeLessThan(NOTIFICATIONS)
      expect(imported % BATCH).toBe(0)
      expect(cut.counts.notifications).toBe(imported)

      const again = await carewindow('import', file, '--config', config)
      expect(again.code).toBe(EXIT.ok)
      expect(again.stdout).toContain(
        `${(NOTIFICATIONS - imported).toLocaleString('en-US')} notifications imported, ${imported.toLocaleString('en-US')} duplicates`,
      )

      const once_ = await carewindow('import', file, '--config', await configFor(clean, 'clean.json'))
      expect(once_.code).toBe(EXIT.ok)
      const expected = await historyState(clean.url)
      expect(expected.counts.imported).toBe(NOTIFICATIONS)
      expect(await historyState(killed.url)).toEqual(expected)
    })
  },
)
