import type { Logger } from 'pino'
import type { Platform, RateCard } from '../../domain/index.js'
import type { Clock } from '../../shared/clock.js'
import type { ChannelRecord, Store } from '../../store/store.js'
import { Directory } from '../directory.js'
import { Metrics } from '../metrics.js'
import { messengerNotificationHandler } from '../webhooks/messenger-inbox.js'
import { whatsappNotificationHandler } from '../webhooks/whatsapp-inbox.js'
import { applyHistoryBatch, type HistoryApplier } from './history-batch.js'
import { HistoryLanes } from './history-lanes.js'
import { readHistoryLine, type HistoryChannels } from './history-line.js'
import { readLines } from './line-reader.js'

/** Where an import stands: lines read and what came of them. */
export interface ImportCounts {
  /** Lines read (blank lines aside). */
  readonly lines: number
  /** Notifications stored and applied by this run. */
  readonly imported: number
  /** Notifications imported before (by an earlier run, or earlier in the file). */
  readonly duplicates: number
  /** Lines with nothing carewindow applies from history (template updates, fields it only relays). */
  readonly skipped: number
  /** Lines refused, each reported with its reason; nothing of them is written. */
  readonly bad: number
  /** Bytes of the file read so far. */
  readonly bytesRead: number
}

export interface ImportOptions {
  readonly store: Store
  readonly clock: Clock
  readonly logger: Logger
  /** The rate cards the channels' policies carry (the config's). */
  readonly rateCards: readonly RateCard[]
  /** The longest line taken: the webhook body limit (`server.body_limit_bytes`). */
  readonly maxLineBytes: number
  /** Notifications per transaction. */
  readonly batchSize?: number
  /** Called after each batch is committed (and once at the end). */
  readonly onProgress?: (counts: ImportCounts) => void
  /** Called for each bad line, in file order. */
  readonly onBadLine?: (line: number, reason: string) => void
}

/** Notifications per transaction by default: big enough to share the commit, small enough to lose little. */
export const IMPORT_BATCH = 200

/**
 * Batches applied side by side (history-lanes.ts): on PostgreSQL as many as the inbox's workers, each contact's in one
 * lane; SQLite has a single writer, where a second lane would only wait.
 */
const LANES: Readonly<Record<Store['dialect'], number>> = { sqlite: 1, postgres: 4 }

/**
 * `carewindow import FILE`: Meta webhook notifications as JSON lines — what an earlier gateway or a log archive
 * kept — taken in as if they had been received: each line is read as intake reads a notification
 * (history-line.ts), stored and applied by the inbox's own handlers in batches (history-batch.ts), so windows,
 * consent, messages and statuses come out as they would have live. Windows fold the messages in at their own
 * instants, so a window a 2025 message opened is closed today and schedules nothing.
 *
 * Importing is idempotent: a notification imported before (known by the SHA-256 of its JSON) is skipped, and what
 * it contains is deduplicated as live notifications are (message ids, statuses that never go back). So a run a
 * crash cut short is finished by running it again.
 */
export async function importHistory(path: string, options: ImportOptions): Promise<ImportCounts> {
  const { store, clock } = options
  const applier = historyApplier(options)
  const channels = historyChannels(await store.listChannels())
  const batchSize = options.batchSize ?? IMPORT_BATCH
  let counts: ImportCounts = { lines: 0, imported: 0, duplicates: 0, skipped: 0, bad: 0, bytesRead: 0 }
  let offset = 0
  const bad = (line: number, reason: string): void => {
    counts = { ...counts, bad: counts.bad + 1 }
    options.onBadLine?.(line, reason)
  }
  const lanes = new HistoryLanes(LANES[store.dialect], batchSize, async (batch) => {
    const result = await applyHistoryBatch(applier, batch)
    for (const { line, reason } of result.failed) bad(line, reason)
    counts = {
      ...counts,
      imported: counts.imported + result.imported,
      duplicates: counts.duplicates + result.duplicates,
      bytesRead: offset,
    }
    options.onProgress?.(counts)
  })
  try {
    for await (const line of readLines(path, options.maxLineBytes)) {
      offset = line.offset
      counts = { ...counts, lines: counts.lines + 1 }
      if (line.kind === 'too_long') {
        bad(
          line.number,
          `the line has ${line.length} bytes; at most ${options.maxLineBytes} are taken, as for a webhook body (server.body_limit_bytes)`,
        )
        continue
      }
      const read = readHistoryLine(line.bytes, line.number, channels, clock())
      if (read.kind === 'ready') await lanes.add(read.notification)
      else if (read.kind === 'bad') bad(line.number, read.reason)
      else counts = { ...counts, skipped: counts.skipped + 1 }
    }
    await lanes.finish()
  } finally {
    await lanes.settle()
  }
  counts = { ...counts, bytesRead: offset }
  options.onProgress?.(counts)
  return counts
}

/** The inbox's handlers over a directory of their own, with the config's rate cards. */
export function historyApplier(
  options: Pick<ImportOptions, 'store' | 'clock' | 'logger' | 'rateCards'>,
): HistoryApplier {
  const { store, clock, logger } = options
  const dependencies = {
    directory: new Directory(store, clock, options.rateCards),
    clock,
    metrics: new Metrics(store),
    logger,
  }
  return {
    store,
    clock,
    handlers: {
      whatsapp: whatsappNotificationHandler(dependencies),
      messenger: messengerNotificationHandler(dependencies),
    },
  }
}

function historyChannels(channels: readonly ChannelRecord[]): HistoryChannels {
  const byPlatform = (platform: Platform) =>
    new Map(
      channels
        .filter((channel) => channel.platform === platform)
        .map((channel) => [channel.externalId, channel]),
    )
  return { whatsapp: byPlatform('whatsapp'), messenger: byPlatform('messenger') }
}
