import { readFile, stat } from 'node:fs/promises'
import type { Command } from 'commander'
import type { GatewayConfig } from '../config/config.js'
import { toRateCards } from '../config/rate-cards.js'
import { formatInstant, ownCardsFrom, rateCardAt, rateCardsForTenant } from '../domain/index.js'
import { listTenantRateCards, saveTenantRateCard } from '../gateway/api/rate-cards.js'
import { rateCardFromCsv } from '../config/rate-card-csv.js'
import { Directory } from '../gateway/directory.js'
import { systemClock } from '../shared/clock.js'
import { GatewayError } from '../shared/errors.js'
import type { Store, StoredRateCard } from '../store/store.js'
import { configOption, withStore } from './admin-commands.js'
import { InputError, type CliOutput } from './output.js'

/** The largest file `rates import` reads: Meta's cards are a few KB; the API takes what its body limit allows. */
const MAX_FILE_BYTES = 1024 * 1024

interface ImportOptions {
  readonly id: string
  readonly label: string
  readonly currency?: string
  readonly effectiveFrom: string
  readonly tenant?: string
  readonly config?: string
}

/**
 * `carewindow rates import FILE` and `rates list`: a tenant's own rate cards, in the configured database — the same
 * cards `/v1/rate-cards` manages. A running server prices with a card imported here within DIRECTORY_TTL_MS (5 s).
 */
export function registerRatesCommands(program: Command, output: CliOutput): void {
  const rates = program.command('rates').description('manage tenants’ rate cards (what messages cost)')
  rates
    .command('import')
    .description('import a rate card from a CSV file in the shape Meta publishes its rate cards')
    .argument('<file>', 'the CSV file: a header Market,Currency,Marketing,Utility,… and a line per market')
    .requiredOption('--id <id>', 'the card’s id, such as meta-2026-10-eur (importing it again replaces it)')
    .requiredOption('--label <label>', 'what the card is, such as "Meta rate card, October 2026 (EUR)"')
    .option('--currency <code>', 'the card’s currency, such as EUR (default: the file’s Currency column)')
    .requiredOption(
      '--effective-from <date>',
      'when the card takes effect: 2026-10-01 (midnight UTC) or an instant',
    )
    .option('--tenant <id>', 'the tenant whose card it is (default: the only tenant)')
    .addOption(configOption())
    .action(async (file: string, options: ImportOptions) => {
      const text = await readCsv(file)
      await withStore(options.config, async (store, config) => {
        const tenantId = await tenantOf(store, options.tenant)
        const deps = { store, directory: directoryOf(store, config), clock: systemClock }
        const fields = {
          id: options.id,
          label: options.label,
          currency: options.currency,
          effective_from: options.effectiveFrom,
        }
        const parsed = rateCardFromCsv(text, fields)
        if (!parsed.ok) throw new InputError(`${file} was not imported:\n  ${parsed.problems.join('\n  ')}`)
        let result: Awaited<ReturnType<typeof saveTenantRateCard>>
        try {
          result = await saveTenantRateCard(deps, tenantId, parsed.card, 'csv')
        } catch (error) {
          if (!(error instanceof GatewayError)) throw error
          throw new InputError(`${file} was not imported: ${error.details}`)
        }
        const { card } = result.stored
        output.out(
          `rate card ${card.id} ${result.isNew ? 'imported' : 'replaced'} for tenant ${tenantId}: ` +
            `${Object.keys(card.rates).length} markets in ${card.currency}, in force from ${dateOf(card.effectiveFrom)}\n`,
        )
        const grouped = Object.keys(card.countries ?? {}).length
        if (grouped > 0)
          output.out(`${grouped} countries priced by Meta's groups (Rest of …, North America)\n`)
      })
    })

  rates
    .command('list')
    .description('list a tenant’s rate cards and which card prices messages now')
    .option('--tenant <id>', 'the tenant (default: the only tenant)')
    .option('--json', 'print JSON')
    .addOption(configOption())
    .action(async (options: { tenant?: string; json?: boolean; config?: string }) => {
      await withStore(options.config, async (store, config) => {
        const tenantId = await tenantOf(store, options.tenant)
        const own = await store.listRateCards(tenantId)
        const configured = configuredCards(config)
        if (options.json === true) {
          // What GET /v1/rate-cards answers.
          const deps = { store, directory: directoryOf(store, config), clock: systemClock }
          output.out(`${JSON.stringify(await listTenantRateCards(deps, tenantId), null, 2)}\n`)
          return
        }
        output.out(describeCards(tenantId, own, configured))
      })
    })
}

async function readCsv(file: string): Promise<string> {
  try {
    const { size } = await stat(file)
    if (size > MAX_FILE_BYTES)
      throw new InputError(`${file} is ${size} bytes; a rate card file is at most ${MAX_FILE_BYTES} (1 MiB)`)
    return await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

/** The tenant named, or the only one there is. */
export async function tenantOf(store: Store, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    if ((await store.getTenant(given)) === undefined)
      throw new InputError(`there is no tenant "${given}"; see carewindow tenant list`)
    return given
  }
  const tenants = await store.listTenants()
  const [only] = tenants
  if (only !== undefined && tenants.length === 1) return only.id
  throw new InputError(
    tenants.length === 0
      ? 'there is no tenant yet; create one with carewindow tenant add'
      : `give --tenant: there are ${tenants.length} tenants (${tenants.map((tenant) => tenant.id).join(', ')})`,
  )
}

function configuredCards(config: GatewayConfig) {
  return config.rateCards === undefined ? [] : toRateCards(config.rateCards)
}

/** The directory a command prices with: the config file's cards, and each tenant's own in the database. */
export function directoryOf(store: Store, config: GatewayConfig): Directory {
  return new Directory(store, systemClock, configuredCards(config))
}

function describeCards(
  tenantId: string,
  own: readonly StoredRateCard[],
  configured: ReturnType<typeof configuredCards>,
): string {
  const cards = own.map((stored) => stored.card)
  const from = ownCardsFrom(cards)
  const samples = configured.length > 0 && configured.every((card) => card.isSample)
  const configuredText =
    configured.length === 0
      ? 'no cards in the config file'
      : `the config file's ${samples ? 'SAMPLE cards (illustrative figures, not Meta’s)' : 'cards'}`
  const lines =
    from === undefined
      ? [`tenant ${tenantId} has no rate cards of its own; its messages are priced from ${configuredText}`]
      : [`tenant ${tenantId}'s rate cards, in force from ${dateOf(from)} on (before that: ${configuredText})`]
  for (const stored of own) {
    const { card } = stored
    lines.push(
      `  ${card.id}\t${dateOf(card.effectiveFrom)}\t${card.currency}\t${Object.keys(card.rates).length} markets\t${stored.source}\t${card.label}`,
    )
  }
  const now = systemClock()
  const inForce = rateCardAt(rateCardsForTenant(configured, cards), now)
  lines.push(
    inForce === undefined
      ? 'no card prices messages now: their prices are left out'
      : `in force now: ${inForce.id} (${from !== undefined && now >= from ? 'the tenant’s own' : 'from the config file'}${inForce.isSample ? ', sample figures' : ''})`,
  )
  return `${lines.join('\n')}\n`
}

/** `2026-10-01` for midnight UTC, the instant otherwise. */
function dateOf(at: number): string {
  return formatInstant(at).replace('T00:00:00.000Z', '')
}
