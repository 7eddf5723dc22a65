import { createRequire } from 'node:module'
import pino, { type BaseLogger, type Logger } from 'pino'

/** carewindow's own query parameters that carry credentials; their values never reach a log line. */
const SECRET_PARAMETERS = /([?&](?:access_token|appsecret_proof|hub\.verify_token)=)[^&]*/g

/** What stands in for a credential in a printed URL. */
export const REDACTED = '***'

/** A request's path and query for the log: the values of carewindow's credential parameters are left out. */
export function redactRequestUrl(url: string): string {
  return url.replace(SECRET_PARAMETERS, `$1${REDACTED}`)
}

// `scheme://` then userinfo up to the first `@` before the query: the user name has no `/` or `:`, the password may
// (pg takes an unescaped `/` in one).
const USER_AND_PASSWORD = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^:@/?#]*):[^@?#]*@/
// Userinfo without a password is often the credential itself (`https://<token>@hooks.example/…`).
const USER_ONLY = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^:@/?#]+@/

/**
 * A URL someone else gave carewindow (a tenant's webhook URL, the database URL), fit to print in a log line, an
 * error or a stored `last_error`: the password of its userinfo (the whole userinfo when it has no password), every
 * value of its query and its fragment become `***`. Which query parameters are secret is the URL owner's business (`?token=…`, pg's `?password=…`), so
 * none is kept; the names stay, so the URL can still be recognised.
 */
export function redactUrl(url: string): string {
  const withoutPassword = USER_AND_PASSWORD.test(url)
    ? url.replace(USER_AND_PASSWORD, `$1:${REDACTED}@`)
    : url.replace(USER_ONLY, `$1${REDACTED}@`)
  const queryAt = withoutPassword.search(/[?#]/)
  if (queryAt === -1) return withoutPassword
  const fragmentAt = withoutPassword.indexOf('#', queryAt)
  const query = withoutPassword.slice(queryAt + 1, fragmentAt === -1 ? undefined : fragmentAt)
  const head = withoutPassword.slice(0, queryAt)
  const redactedQuery =
    withoutPassword[queryAt] === '?'
      ? `?${query
          .split('&')
          .map((part) => {
            const equals = part.indexOf('=')
            if (equals === -1) return part === '' ? part : REDACTED
            return `${part.slice(0, equals + 1)}${equals === part.length - 1 ? '' : REDACTED}`
          })
          .join('&')}`
      : ''
  return `${head}${redactedQuery}${fragmentAt === -1 ? '' : `#${REDACTED}`}`
}

/** How long the repeats of one error are left out of the log before a line counts them. */
export const DEFAULT_REPEAT_INTERVAL_MS = 60_000

/** Error keys followed at most (each is a fixed message, so this is only a guard). */
const MAX_REPEAT_KEYS = 1_000

export type RepeatLevel = 'error' | 'warn' | 'info'

/** What the limiter logs through: any pino logger, Fastify's request loggers included. */
export type LevelLogger = Pick<BaseLogger, RepeatLevel>

interface Repeats {
  suppressed: number
  readonly logger: LevelLogger
  readonly level: RepeatLevel
  readonly message: string
  readonly timer: NodeJS.Timeout
}

/**
 * Keeps an error that happens again and again (a database outage: every request and every poll fails the same way)
 * from flooding the log. The first occurrence of a key is logged as it is; the ones within the next interval are
 * only counted, and at its end one line says how many there were. While they keep coming, one such line follows
 * per interval; after an interval without any, the next one is logged in full again.
 */
export class RepeatLimiter {
  private readonly keys = new Map<string, Repeats>()

  constructor(readonly intervalMs: number = DEFAULT_REPEAT_INTERVAL_MS) {}

  /** Logs `message` with `fields` at `level`, unless `key` (the message by default) was logged within the interval. */
  log(
    logger: LevelLogger,
    level: RepeatLevel,
    fields: Readonly<Record<string, unknown>>,
    message: string,
    key: string = message,
  ): void {
    const known = this.keys.get(key)
    if (known !== undefined) {
      known.suppressed++
      return
    }
    logger[level](fields, message)
    if (this.keys.size >= MAX_REPEAT_KEYS) this.flush()
    const timer = setInterval(() => {
      this.summarise(key)
    }, this.intervalMs)
    timer.unref()
    this.keys.set(key, { suppressed: 0, logger, level, message, timer })
  }

  /** How many occurrences of `key` were left out of the log since its last line. */
  suppressed(key: string): number {
    return this.keys.get(key)?.suppressed ?? 0
  }

  /** Writes the counts of what was left out so far (at shutdown; of one key, or all) and starts afresh. */
  flush(only?: string): void {
    for (const key of only === undefined ? [...this.keys.keys()] : [only]) {
      const repeats = this.keys.get(key)
      if (repeats === undefined) continue
      this.keys.delete(key)
      clearInterval(repeats.timer)
      this.writeSummary(repeats)
    }
  }

  private summarise(key: string): void {
    const repeats = this.keys.get(key)
    if (repeats === undefined) return
    if (repeats.suppressed === 0) {
      // A whole interval without it: the next one is news again.
      this.keys.delete(key)
      clearInterval(repeats.timer)
      return
    }
    this.writeSummary(repeats)
    repeats.suppressed = 0
  }

  private writeSummary(repeats: Repeats): void {
    if (repeats.suppressed === 0) return
    repeats.logger[repeats.level](
      { repeated: repeats.suppressed, intervalMs: this.intervalMs },
      `${repeats.message} (${repeats.suppressed} more times)`,
    )
  }
}

/** The limiter of a logger made by {@link createLogger}; child loggers (pino makes them with `Object.create`) share it. */
const LIMITER = Symbol('carewindow.repeatLimiter')

type WithLimiter = LevelLogger & { [LIMITER]?: RepeatLimiter }

/**
 * The {@link RepeatLimiter} that goes with `logger`: the one {@link createLogger} gave it (shared by its children),
 * or one made for it now. Background loops that log each failed poll use it as
 * `repeatLimiterOf(logger).log(logger, 'error', { err }, 'round failed; retrying')`.
 */
export function repeatLimiterOf(logger: LevelLogger): RepeatLimiter {
  const holder = logger as WithLimiter
  const limiter = holder[LIMITER]
  if (limiter !== undefined) return limiter
  const made = new RepeatLimiter()
  Object.defineProperty(holder, LIMITER, { value: made, enumerable: false })
  return made
}

export interface LoggerOptions {
  /** How often an error that keeps happening is logged again, with its count (default one minute). */
  readonly repeatIntervalMs?: number
  /**
   * `pretty`: lines for people, through pino-pretty in a pino transport, to stdout (see {@link chooseLogFormat});
   * `json` (the default): one JSON object a line, to `destination` or stdout.
   */
  readonly format?: LogFormat
}

/** How log lines are written: JSON for machines (log shippers), or pretty for a person at a terminal. */
export type LogFormat = 'json' | 'pretty'

/**
 * Where the pino-pretty package is installed, or `null`. It is a development dependency: a clone's `npm install`
 * has it, a production install (`--omit=dev`) does not, and then carewindow logs JSON.
 */
export function prettyPrinterPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty')
  } catch {
    return null
  }
}

/**
 * The format to log in: the one asked for (`CAREWINDOW_LOG_FORMAT`, `log_format`), else pretty when stdout is a
 * terminal, where a person reads it. Pretty needs pino-pretty; without it the log is JSON.
 */
export function chooseLogFormat(
  requested: LogFormat | null,
  isTerminal: boolean,
  isPrettyPrinterInstalled: boolean,
): LogFormat {
  const wanted = requested ?? (isTerminal ? 'pretty' : 'json')
  return wanted === 'pretty' && isPrettyPrinterInstalled ? 'pretty' : 'json'
}

function prettyTransport(): pino.DestinationStream {
  const target = prettyPrinterPath()
  if (target === null) throw new Error('the pino-pretty package is not installed; log in the json format')
  // The base `service` field and the process's pid and host say nothing to the person at the terminal.
  return pino.transport({
    target,
    options: { destination: 1, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' },
  }) as pino.DestinationStream
}

/**
 * Structured logs (pino) without secrets: authorization headers, tokens and secrets are redacted wherever they
 * appear, and request URLs lose credential query parameters. JSON lines to `destination` (stdout by default), or
 * pretty lines to stdout with `format: 'pretty'`.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  options: LoggerOptions = {},
): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'carewindow' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.access_token',
          '*.accessToken',
          '*.app_secret',
          '*.appSecret',
          '*.webhook_secret',
          '*.webhookSecret',
          '*.api_key',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: { method?: string; url?: string; id?: string }) => ({
          method: request.method,
          url: redactRequestUrl(request.url ?? ''),
          id: request.id,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination ?? (options.format === 'pretty' ? prettyTransport() : undefined),
  )
  Object.defineProperty(logger, LIMITER, {
    value: new RepeatLimiter(options.repeatIntervalMs),
    enumerable: false,
  })
  return logger
}
