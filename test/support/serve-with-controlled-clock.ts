import { parseArgs } from 'node:util'
import { ConfigError } from '../../src/config/config.js'
import { VERSION } from '../../src/cli/main.js'
import { EXIT } from '../../src/cli/output.js'
import { serve } from '../../src/cli/serve.js'
import { ControlledClock, isSetClockOffset, type ClockOffsetSet } from './controlled-clock.js'

/**
 * `carewindow serve --config <file> --port <port>` (the same {@link serve}) with one difference: the gateway reads the time from a
 * {@link ControlledClock} that the parent process moves over the IPC channel (`node --import tsx` this file from
 * a parent that spawned it with `stdio: [..., 'ipc']`; {@link GatewayProcess} does). It also shuts down when the
 * parent goes away, so a test run that dies leaves no gateway behind.
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
  await serve({
    configPath: values.config,
    port: values.port,
    version: VERSION,
    output: { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    clock: clock.now,
    stopOn: ['disconnect'],
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
