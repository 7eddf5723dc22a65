import { isatty } from 'node:tty'
import type { Clock } from '../shared/clock.js'
import { loadConfig } from '../config/config.js'
import { chooseLogFormat, createLogger, prettyPrinterPath } from '../shared/logging.js'
import { startServer, type RunningServer } from '../server.js'
import { startupBanner, startupFacts } from './banner.js'
import { listenProblem } from './listen-problem.js'
import { FailureError, type CliOutput } from './output.js'

export interface ServeOptions {
  /** The JSON config file, if any (`--config` or `CAREWINDOW_CONFIG`). */
  readonly configPath: string | undefined
  /** `--port`, which wins over `CAREWINDOW_PORT`, `PORT` and the config file. */
  readonly port: string | undefined
  readonly version: string
  readonly output: CliOutput
  /** The gateway's clock; the system clock unless a test moves it (test/support/serve-with-controlled-clock.ts). */
  readonly clock?: Clock
  /** Process events that shut the gateway down gracefully besides SIGINT and SIGTERM (`disconnect`, say). */
  readonly stopOn?: readonly string[]
}

/**
 * `carewindow serve`: loads the config, starts the gateway, prints its banner, and runs until SIGINT or SIGTERM
 * (or another of `stopOn`), then shuts down gracefully. Resolves once it has; throws a `ConfigError` for a config
 * it cannot use and a `FailureError` saying what to do when it cannot listen (a port in use, say).
 */
export async function serve(options: ServeOptions): Promise<void> {
  // --port stands in for CAREWINDOW_PORT, and so for a CAREWINDOW_PORT_FILE too.
  const env =
    options.port === undefined
      ? process.env
      : { ...process.env, CAREWINDOW_PORT: options.port, CAREWINDOW_PORT_FILE: undefined }
  const config = await loadConfig({
    ...(options.configPath === undefined ? {} : { path: options.configPath }),
    env,
  })
  const isPrettyPrinterInstalled = prettyPrinterPath() !== null
  const format = chooseLogFormat(config.logFormat, isatty(1), isPrettyPrinterInstalled)
  const logger = createLogger(config.logLevel, undefined, { format })
  if (config.logFormat === 'pretty' && format !== 'pretty')
    logger.warn(
      'log_format is pretty, but the pino-pretty package (a development dependency) is not installed; logging JSON',
    )
  let server: RunningServer
  try {
    server = await startServer({
      config,
      logger,
      version: options.version,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    })
  } catch (error) {
    const problem = listenProblem(error, config.host, config.port)
    if (problem === null) throw error
    throw new FailureError(problem)
  }
  // stdout is the JSON log, for a log shipper to parse; the banner is for the person who started the process.
  options.output.err(`${startupBanner(server, options.version)}\n`)
  // Nobody may be watching stderr (a container, a service manager): the log says the same, without the API key.
  if (!isatty(2)) logger.info(startupFacts(server, options.version), 'carewindow is listening')
  await new Promise<void>((resolve) => {
    let isShuttingDown = false
    const shutdown = (signal: string) => {
      if (isShuttingDown) return
      isShuttingDown = true
      logger.info({ signal }, 'shutting down')
      server.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down')
        resolve()
      })
    }
    for (const event of ['SIGINT', 'SIGTERM', ...(options.stopOn ?? [])])
      process.once(event, () => {
        shutdown(event)
      })
  })
}
