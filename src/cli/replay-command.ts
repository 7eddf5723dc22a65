import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { loadConfig, type GatewayConfig } from '../config/config.js'
import { parseDatabaseUrl } from '../config/database-url.js'
import { rateCardsSchema, toRateCards } from '../config/rate-cards.js'
import { isEmptyWhatIf, toWhatIf, whatIfSchema, type WhatIf, type WhatIfInput } from '../config/what-if.js'
import type { RateCard } from '../domain/index.js'
import { applyConfig } from '../gateway/bootstrap.js'
import { replayHistory } from '../gateway/history/replay.js'
import { systemClock } from '../shared/clock.js'
import { createLogger } from '../shared/logging.js'
import { describeIssues } from '../shared/validation.js'
import { DEFAULT_SQLITE_PATH } from '../store/sqlite/sqlite-store.js'
import { openConfiguredStore, redactDatabaseUrl } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { importProgress } from './import-progress.js'
import { FailureError, IncompleteError, InputError, type CliOutput } from './output.js'
import { replayReport } from './replay-report.js'

export interface ReplayCommandOptions {
  readonly config?: string
  readonly whatIf?: string
  readonly pricingModel?: string
  /** `true` (the flag alone) or the date the change takes effect. */
  readonly pricing2026?: string | boolean
  readonly rateCards?: string
  readonly strictConsent?: boolean
  readonly json?: boolean
}

/**
 * `carewindow replay FILE`: the file decided again under the channels' own settings and under a what-if's (see
 * gateway/history/replay.ts), the totals side by side on stdout; progress and bad lines on stderr. The configured
 * database is only read (its tenants and channels); nothing is written to it.
 */
export async function replayCommand(file: string, options: ReplayCommandOptions, output: CliOutput) {
  const totalBytes = await sizeOf(file)
  const config = await loadConfig(options.config === undefined ? {} : { path: options.config })
  const input = await whatIfInput(options)
  const parsed = whatIfSchema.safeParse(input)
  if (!parsed.success)
    throw new InputError(`the what-if is not valid:\n  ${describeIssues(parsed.error).join('\n  ')}`)
  const given = toWhatIf(parsed.data)
  // "config": the config file's cards, whatever --rate-cards gives the baseline.
  const whatIf: WhatIf =
    given.rateCards === 'config' ? { ...given, rateCards: configuredCards(config) } : given
  if (isEmptyWhatIf(whatIf))
    throw new InputError(
      'nothing to compare: give --what-if FILE, --pricing-model, --pricing-2026 or what-if rate cards in the file',
    )
  const rateCards =
    options.rateCards === undefined ? configuredCards(config) : await rateCardsFrom(options.rateCards)
  const progress = importProgress({
    totalBytes,
    write: output.err,
    isTerminal: output.isErrTerminal === true,
    everyLines: 10_000,
    everyMs: 5_000,
  })
  let bad = 0
  // Without --rate-cards, each tenant's own cards in the configured database price its channels, as in a send.
  const ownRateCards = new Map<string, readonly RateCard[]>()
  const result = await replayHistory(file, {
    setUp: (store) => channelsInto(store, config, options.rateCards === undefined ? ownRateCards : null),
    rateCards,
    ownRateCards,
    whatIf,
    strictConsent: options.strictConsent === true,
    clock: systemClock,
    logger: createLogger('warn', {
      write: (line: string) => {
        progress.note(line)
      },
    }),
    maxLineBytes: config.bodyLimitBytes,
    onProgress: (counts) => {
      progress.update(counts)
    },
    onBadLine: (line, reason) => {
      if (++bad <= 1_000) progress.note(`${file}:${line}: ${reason}`)
    },
  }).finally(() => {
    progress.stop()
  })
  output.out(
    options.json === true
      ? `${JSON.stringify({ import: result.import, baseline: result.baseline, what_if: result.whatIf }, null, 2)}\n`
      : replayReport(file, describeWhatIf(input, whatIf), result),
  )
  if (bad > 0)
    throw new IncompleteError(
      `${bad.toLocaleString('en-US')} bad line${bad === 1 ? ' was' : 's were'} left out of the replay (listed above)`,
    )
}

/** The what-if the options give: the file's (`--what-if FILE`), with `--pricing-2026` and `--pricing-model` laid over it. */
export async function whatIfInput(
  options: Pick<ReplayCommandOptions, 'whatIf' | 'pricing2026' | 'pricingModel'>,
): Promise<Record<string, unknown>> {
  const input: unknown = options.whatIf === undefined ? {} : await jsonFile(options.whatIf, 'what-if')
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InputError(
      `${options.whatIf ?? ''} is not a what-if: a JSON object with settings, rate_cards, pricing_model`,
    )
  const given = input as Record<string, unknown>
  const settings = { ...((given.settings as Record<string, unknown> | undefined) ?? {}) }
  if (options.pricing2026 !== undefined) {
    settings.pricing_2026 = true
    if (typeof options.pricing2026 === 'string') settings.pricing_2026_at = options.pricing2026
  }
  return {
    ...given,
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
    ...(options.pricingModel === undefined ? {} : { pricing_model: options.pricingModel }),
  } satisfies WhatIfInput | Record<string, unknown>
}

function describeWhatIf(input: Record<string, unknown>, whatIf: WhatIf): string {
  const parts: string[] = []
  if (whatIf.pricingEra !== null) parts.push(`every WhatsApp message priced as ${whatIf.pricingEra.id}`)
  const settings = input.settings as Record<string, unknown> | undefined
  if (settings !== undefined)
    parts.push(
      `settings ${Object.entries(settings)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(', ')}`,
    )
  const cards = whatIf.rateCards
  if (cards !== undefined && cards !== 'config')
    parts.push(`rate cards ${cards.map((card) => card.id).join(', ')}`)
  return parts.join('; ')
}

/**
 * The throwaway store gets the tenants and channels of the configured database — read, never written (a SQLite file
 * that does not exist is not created) — and then the config file's, as `serve` would apply them. The tenants' own
 * rate cards are read with them, into `ownRateCards` when given.
 */
async function channelsInto(
  store: Store,
  config: GatewayConfig,
  ownRateCards: Map<string, readonly RateCard[]> | null,
): Promise<void> {
  const location = config.databaseUrl === undefined ? null : parseDatabaseUrl(config.databaseUrl)
  const sqlitePath =
    location === null ? DEFAULT_SQLITE_PATH : location.kind === 'sqlite' ? location.path : null
  if (sqlitePath === null || (sqlitePath !== ':memory:' && existsSync(sqlitePath))) {
    const { tenants, channels, cards } = await readChannels(config)
    if (ownRateCards !== null) for (const [tenantId, own] of cards) ownRateCards.set(tenantId, own)
    await store.transaction(async (tx) => {
      for (const tenant of tenants) await tx.upsertTenant(tenant)
      for (const channel of channels) await tx.upsertChannel(channel)
    })
  }
  await applyConfig(store, config, systemClock)
}

async function readChannels(config: GatewayConfig) {
  try {
    const configured = await openConfiguredStore(config, false)
    try {
      const tenants = await configured.listTenants()
      const cards = new Map<string, readonly RateCard[]>()
      for (const tenant of tenants)
        cards.set(
          tenant.id,
          (await configured.listRateCards(tenant.id)).map((stored) => stored.card),
        )
      return { tenants, channels: await configured.listChannels(), cards }
    } finally {
      await configured.close()
    }
  } catch (error) {
    throw new FailureError(
      `cannot read the channels from ${redactDatabaseUrl(config.databaseUrl)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
}

function configuredCards(config: GatewayConfig): readonly RateCard[] {
  return config.rateCards === undefined ? [] : toRateCards(config.rateCards)
}

/** `sample`, or a JSON file holding rate cards as the config file's `rate_cards` does. */
async function rateCardsFrom(file: string): Promise<readonly RateCard[]> {
  const input = file === 'sample' ? 'sample' : await jsonFile(file, 'rate cards')
  const parsed = rateCardsSchema.safeParse(input)
  if (!parsed.success)
    throw new InputError(
      `${file} is not a list of rate cards:\n  ${describeIssues(parsed.error).join('\n  ')}`,
    )
  return toRateCards(parsed.data)
}

async function jsonFile(file: string, what: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(
      `cannot read the ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`)
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}
