import { dirname } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { GraphClientKind } from './channels/graph-client.js'
import type { Logger } from 'pino'
import type { GatewayConfig } from './config/config.js'
import { parseDatabaseUrl } from './config/database-url.js'
import { applyConfig, ensureSandbox, type SandboxSetup } from './gateway/bootstrap.js'
import { systemClock, type Clock } from './shared/clock.js'
import { Gateway } from './gateway/gateway.js'
import { buildApp } from './http/app.js'
import { repeatLimiterOf } from './shared/logging.js'
import { openConfiguredStore, redactDatabaseUrl } from './store/open-store.js'
import { DEFAULT_SQLITE_PATH } from './store/sqlite/sqlite-store.js'
import { costDaysScheduleOf, scheduleCostDayFills } from './gateway/costs/cost-days-jobs.js'
import { scheduleClosePrunes } from './gateway/contacts/close-pruning.js'

export interface RunningServer {
  readonly app: FastifyInstance
  readonly gateway: Gateway
  /** `http://host:port` it listens on. */
  readonly url: string
  readonly sandbox: SandboxSetup | null
  readonly store: string
  close(): Promise<void>
}

/** Where the sandbox's API key is kept: next to the SQLite database, or in ./data. */
export function sandboxKeyFile(config: GatewayConfig): string {
  const url = config.databaseUrl
  const location = url === undefined || url === '' ? null : parseDatabaseUrl(url)
  const sqlitePath = location?.kind === 'sqlite' ? location.path : DEFAULT_SQLITE_PATH
  return `${sqlitePath === ':memory:' ? dirname(DEFAULT_SQLITE_PATH) : dirname(sqlitePath)}/sandbox.json`
}

/**
 * Opens the store (migrating unless told not to), applies the config, starts the gateway's background work and
 * listens; then shows (and on a first start without tenants creates) the sandbox, and schedules the channels'
 * template syncs with Meta (they run in the background: readiness does not wait for Meta). Listening comes first so
 * that a port in use stops the start before a sandbox key is made that nobody would see. `close()` undoes it all in
 * reverse.
 */
export async function startServer(options: {
  readonly config: GatewayConfig
  readonly logger: Logger
  readonly clock?: Clock
  readonly version?: string
  readonly fetch?: typeof fetch
  /** How Graph is reached: keep-alive pools (the default) or `fetch` (the benchmark compares them). */
  readonly graphClient?: GraphClientKind
}): Promise<RunningServer> {
  const { config, logger } = options
  const clock = options.clock ?? systemClock
  const store = await openConfiguredStore(config, config.migrateOnStart)
  let gateway: Gateway | undefined
  let app: FastifyInstance | undefined
  try {
    await applyConfig(store, config, clock)
    gateway = new Gateway({
      store,
      config,
      logger,
      clock,
      processMetrics: true,
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.graphClient === undefined ? {} : { graphClient: options.graphClient }),
    })
    gateway.start()
    app = await buildApp({
      gateway,
      logRequests: config.logRequests,
      ...(options.version === undefined ? {} : { version: options.version }),
    })
    const address = await app.listen({ host: config.host, port: config.port })
    const sandbox = await ensureSandbox(store, clock, sandboxKeyFile(config), {
      mayCreate: config.tenants.length === 0,
    })
    // After the sandbox, whose simulated account is synced too.
    await gateway.scheduleTemplateSyncs()
    // Each tenant's daily cost totals of the days that are over, at start and nightly (cost_days).
    await scheduleCostDayFills(gateway, costDaysScheduleOf(config))
    // Each channel's spent records of announced window closes, at start and daily.
    await scheduleClosePrunes(gateway)
    gateway.scheduler.kick()
    const running = gateway
    const listening = app
    return {
      app: listening,
      gateway: running,
      url: address.replace('[::1]', 'localhost'),
      sandbox,
      store: redactDatabaseUrl(config.databaseUrl),
      async close() {
        await listening.close()
        await running.stop()
        // Repeated errors counted since their last line are not lost with the process.
        repeatLimiterOf(logger).flush()
      },
    }
  } catch (error) {
    await app?.close()
    if (gateway !== undefined) await gateway.stop()
    else await store.close()
    throw error
  }
}
