import { Writable } from 'node:stream'
import type { Logger } from 'pino'
import { createLogger } from '../../src/shared/logging.js'

/** One line of carewindow's JSON log, as far as the tests read it. */
export interface LogLine {
  readonly level: number
  readonly msg: string
  /** Set on a line that counts repeats the limiter left out. */
  readonly repeated?: number
  readonly [field: string]: unknown
}

/** A logger whose lines are kept, parsed and as text, for a test to read. */
export interface CapturedLog {
  readonly logger: Logger
  readonly lines: LogLine[]
  /** Everything written, as it would appear in a log file. */
  text(): string
  /** The lines with this message (the limiter's counting lines carry it followed by the count). */
  about(message: string): LogLine[]
}

export function captureLog(
  options: { readonly level?: string; readonly repeatIntervalMs?: number } = {},
): CapturedLog {
  const lines: LogLine[] = []
  const raw: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8')
      raw.push(text)
      for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as LogLine)
      done()
    },
  })
  const logger = createLogger(
    options.level ?? 'info',
    destination,
    options.repeatIntervalMs === undefined ? {} : { repeatIntervalMs: options.repeatIntervalMs },
  )
  return {
    logger,
    lines,
    text: () => raw.join(''),
    about: (message) => lines.filter((line) => line.msg === message || line.msg.startsWith(`${message} (`)),
  }
}
