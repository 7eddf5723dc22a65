import { parseArgs } from 'node:util'
import { ConfigError } from '../../src/config/config.js'
import { startupBanner } from '../../src/cli/banner.js'
import { loadInputConfig, VERSION } from '../../src/cli/main.js'
import { EXIT } from '../../src/cli/output.js'
import { createLogger } from '../../src/logging.js'
import { startServer } from '../../src/server.js'
import { ControlledClock, isSetClockOffset, type ClockOffsetSet } from './controlled-clock.js'

/**
 * `carewindow serve --config <file> --port <port>` with one difference: the gateway reads the time from a
 * {@link ControlledClock} that the parent process moves over the IPC channel (`node --import tsx` this file from
 * a parent that spawned it with `stdio: [..., 'ipc']`; {@link GatewayProcess} does). Everything else is what
 * `serve` in src/cli/main.ts does — the config file and the environment read the same way, JSON logs at the
 * config's level, the banner, a graceful shutdown on SIGTERM or SIGINT — so the process behaves like the real
 * command, except in what time it thinks it is. It also shuts down when the parent goes away, so a test run that
 * dies leaves no gateway behind.
 */

const { values } = parseArgs({
  options: { config: { type: 'string' }, port: { type: 'string' } },
  strict: true,
})
if (process.send === undefined) throw new Error('run me from a parent process with an IPC channel')
const toParent = process.send.bind(process)

const clock = new ControlledClock()
process.on('message', (message: unknown) => {
  if (!isSetClockOffset(message)) return
  let answer: ClockOffsetSet
  try {
    clock.setOffset(message.offsetMs)
    answer = { type: 'clock-offset-set', offsetMs: message.offsetMs }
  } catch (error) {
    answer = { type: 'clock-offset-set', offsetMs: message.offsetMs, problem: String(error) }
  }
  toParent(answer)
})

try {
  const env = values.port === undefined ? process.env : { ...process.env, CAREWINDOW_PORT: values.port }
  const config = await loadInputConfig(values.config, env)
  const logger = createLogger(config.logLevel)
  const server = await startServer({ config, logger, clock: clock.now, version: VERSION })
  process.stdout.write(`${startupBanner(server, VERSION)}\n`)
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
    process.once('SIGINT', shutdown)
    process.once('SIGTERM', shutdown)
    process.once('disconnect', () => {
      shutdown('disconnect')
    })
  })
  // The open IPC channel would keep the process alive after the server has closed.
  if (process.connected) process.disconnect()
  process.exitCode = EXIT.ok
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`carewindow: ${error.message}\n`)
  process.exitCode = EXIT.usage
  if (process.connected) process.disconnect()
}
