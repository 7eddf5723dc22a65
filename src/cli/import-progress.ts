import { MultiBar, type SingleBar } from 'cli-progress'
import type { ImportCounts } from '../gateway/history/import-history.js'

/** How an import shows where it stands: a bar on a terminal, plain lines in a log. */
export interface ImportProgress {
  update(counts: ImportCounts): void
  /** A line that must not be lost under the bar (a bad line's report). */
  note(text: string): void
  stop(): void
}

export interface ProgressOptions {
  /** The file's size: the bar and the ETA go by bytes read. */
  readonly totalBytes: number
  /** Where plain lines (and notes) go. */
  readonly write: (text: string) => void
  /** A terminal gets the bar (written to stderr); anything else plain lines. */
  readonly isTerminal: boolean
  /** Plain lines: one every this many lines read … */
  readonly everyLines: number
  /** … or after this long, whichever comes first. */
  readonly everyMs: number
  readonly now?: () => number
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US')

/** Notifications (imported or found imported before) per second since `startedAt`. */
export function notificationsPerSecond(counts: ImportCounts, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : ((counts.imported + counts.duplicates) * 1000) / elapsedMs
}

export function importProgress(options: ProgressOptions): ImportProgress {
  return options.isTerminal ? terminalProgress(options) : plainProgress(options)
}

/** A bar with the rate and the ETA (cli-progress), redrawn at most ten times a second, notes printed above it. */
function terminalProgress(options: ProgressOptions): ImportProgress {
  const now = options.now ?? Date.now
  const startedAt = now()
  const bars = new MultiBar({
    // Short enough for an 80-column terminal: cli-progress cuts what is wider.
    format: '{bar} {percentage}% | {lines} lines | {rate}/s | ETA {eta_formatted} | {bad} bad',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  })
  const payload = (counts: ImportCounts) => ({
    lines: format(counts.lines),
    rate: format(notificationsPerSecond(counts, now() - startedAt)),
    bad: format(counts.bad),
  })
  const bar: SingleBar = bars.create(Math.max(1, options.totalBytes), 0, payload(EMPTY))
  return {
    update(counts) {
      bar.update(Math.min(counts.bytesRead, options.totalBytes), payload(counts))
    },
    note(text) {
      bars.log(text.endsWith('\n') ? text : `${text}\n`)
    },
    stop() {
      bars.stop()
    },
  }
}

/** A line every `everyLines` lines or `everyMs`, whichever comes first: for logs, CI and pipes. */
function plainProgress(options: ProgressOptions): ImportProgress {
  const now = options.now ?? Date.now
  const startedAt = now()
  let lastAt = startedAt
  let lastLines = 0
  return {
    update(counts) {
      const at = now()
      // Every so many lines (at their multiples, so logs line up), and between them every so often.
      const isLineDue =
        Math.floor(counts.lines / options.everyLines) > Math.floor(lastLines / options.everyLines)
      if (!isLineDue && at - lastAt < options.everyMs) return
      lastAt = at
      lastLines = counts.lines
      const share = options.totalBytes === 0 ? 1 : Math.min(1, counts.bytesRead / options.totalBytes)
      const rate = notificationsPerSecond(counts, at - startedAt)
      const bytesPerMs = counts.bytesRead / Math.max(1, at - startedAt)
      const etaSeconds = bytesPerMs <= 0 ? null : (options.totalBytes - counts.bytesRead) / bytesPerMs / 1000
      options.write(
        `import: ${format(counts.lines)} lines (${Math.floor(share * 100)} %), ${format(counts.imported)} imported, ` +
          `${format(counts.duplicates)} duplicates, ${format(counts.skipped)} skipped, ${format(counts.bad)} bad; ` +
          `${format(rate)} notifications/s; ETA ${etaSeconds === null ? '?' : `${format(Math.max(0, etaSeconds))} s`}\n`,
      )
    },
    note(text) {
      options.write(text.endsWith('\n') ? text : `${text}\n`)
    },
    stop() {
      // Plain lines need no closing: the summary follows.
    },
  }
}

const EMPTY: ImportCounts = { lines: 0, imported: 0, duplicates: 0, skipped: 0, bad: 0, bytesRead: 0 }
