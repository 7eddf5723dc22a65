import { stat } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { loadConfig, type GatewayConfig } from '../config/config.js'
import { toRateCards } from '../config/rate-cards.js'
import { applyConfig } from '../gateway/bootstrap.js'
import { importHistory, IMPORT_BATCH, type ImportCounts } from '../gateway/history/import-history.js'
import { systemClock } from '../shared/clock.js'
import { createLogger } from '../shared/logging.js'
import { openConfiguredStore, redactDatabaseUrl } from '../store/open-store.js'
import { isStoreUnavailable } from '../store/store-errors.js'
import type { Store } from '../store/store.js'
import { importProgress, notificationsPerSecond } from './import-progress.js'
import { FailureError, IncompleteError, InputError, type CliOutput } from './output.js'

export interface ImportCommandOptions {
  readonly config?: string
  readonly batchSize?: string
  readonly progressEvery?: string
}

/** Bad lines reported one by one; past this many only their count (a file of another account's traffic). */
const REPORTED_BAD_LINES = 1_000

/** Plain progress lines: every 10,000 lines or every 5 s. */
const PROGRESS_EVERY_LINES = 10_000
const PROGRESS_EVERY_MS = 5_000

/**
 * `carewindow import FILE`: loads the config, opens (and migrates) its database and applies the config's channels,
 * as `serve` does at start, then imports the file (gateway/history/import-history.ts), with progress and bad lines
 * on stderr and the summary on stdout. Exit code 3 when some lines were bad.
 */
export async function importCommand(file: string, options: ImportCommandOptions, output: CliOutput) {
  const totalBytes = await fileSize(file)
  const batchSize = positive(options.batchSize, '--batch-size', IMPORT_BATCH)
  const everyLines = positive(options.progressEvery, '--progress-every', PROGRESS_EVERY_LINES)
  const config = await loadConfig(options.config === undefined ? {} : { path: options.config })
  const store = await openConfiguredStore(config, true).catch((error: unknown) => {
    throw isStoreUnavailable(error) ? unavailable(config, error) : error
  })
  try {
    await applyConfig(store, config, systemClock)
    const counts = await importWithProgress(store, config, file, totalBytes, {
      batchSize,
      everyLines,
      output,
    })
    if (counts.bad > 0)
      throw new IncompleteError(
        `${counts.bad.toLocaleString('en-US')} bad line${counts.bad === 1 ? ' was' : 's were'} left out (listed above); fix them and import the file again: what is imported already is skipped`,
      )
  } finally {
    await store.close()
  }
}

async function importWithProgress(
  store: Store,
  config: GatewayConfig,
  file: string,
  totalBytes: number,
  settings: { readonly batchSize: number; readonly everyLines: number; readonly output: CliOutput },
): Promise<ImportCounts> {
  const { output } = settings
  const progress = importProgress({
    totalBytes,
    write: output.err,
    isTerminal: output.isErrTerminal === true,
    everyLines: settings.everyLines,
    everyMs: PROGRESS_EVERY_MS,
  })
  const startedAt = performance.now()
  let counts: ImportCounts
  let reported = 0
  try {
    counts = await importHistory(file, {
      store,
      clock: systemClock,
      logger: createLogger('warn', {
        write: (line: string) => {
          progress.note(line)
        },
      }),
      rateCards: config.rateCards === undefined ? [] : toRateCards(config.rateCards),
      maxLineBytes: config.bodyLimitBytes,
      batchSize: settings.batchSize,
      onProgress: (current) => {
        progress.update(current)
      },
      onBadLine: (line, reason) => {
        if (++reported <= REPORTED_BAD_LINES) progress.note(`${file}:${line}: ${reason}`)
      },
    })
  } catch (error) {
    progress.stop()
    throw isStoreUnavailable(error) ? unavailable(config, error) : error
  }
  progress.stop()
  if (reported > REPORTED_BAD_LINES)
    output.err(
      `… and ${(reported - REPORTED_BAD_LINES).toLocaleString('en-US')} more bad lines, not listed\n`,
    )
  output.out(summary(file, counts, performance.now() - startedAt))
  return counts
}

function summary(file: string, counts: ImportCounts, elapsedMs: number): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US')
  return (
    `imported ${file}: ${n(counts.lines)} lines in ${(elapsedMs / 1000).toFixed(1)} s\n` +
    `  ${n(counts.imported)} notifications imported, ${n(counts.duplicates)} duplicates (imported before), ` +
    `${n(counts.skipped)} skipped (nothing to apply), ${n(counts.bad)} bad\n` +
    `  ${n(notificationsPerSecond(counts, elapsedMs))} notifications/s\n`
  )
}

function unavailable(config: GatewayConfig, error: unknown): FailureError {
  return new FailureError(
    `the database (${redactDatabaseUrl(config.databaseUrl)}) does not answer: ${error instanceof Error ? error.message : String(error)}. Run the import again once it answers; what was imported is skipped`,
    { cause: error },
  )
}

async function fileSize(file: string): Promise<number> {
  try {
    const stats = await stat(file)
    if (!stats.isFile()) throw new InputError(`${file} is not a file`)
    return stats.size
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

function positive(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1 || number > 100_000)
    throw new InputError(`${option} takes a whole number from 1 to 100000, not "${value}"`)
  return number
}
