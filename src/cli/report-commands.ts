import type { Command } from 'commander'
import { costReport } from '../gateway/api/costs.js'
import { appliedFilters, costQuerySchema } from '../http/routes/v1/costs.js'
import { filterInputOf } from '../http/routes/v1/message-filters.js'
import { parseInput } from '../http/routes/v1/shared.js'
import { costReportCsv, costReportJson } from '../representations/cost-report-json.js'
import { GatewayError } from '../shared/errors.js'
import { configOption, withStore } from './admin-commands.js'
import { formatCostTable } from './format-costs.js'
import { formatStoredMessageText } from './format-decision.js'
import { InputError, type CliOutput } from './output.js'
import { registerWhatIfCommand } from './what-if-command.js'

interface CostOptions {
  readonly from: string
  readonly to: string
  readonly groupBy?: string
  readonly tenant?: string
  readonly channel?: string
  readonly direction?: string
  readonly allowed?: string
  readonly category?: string
  readonly csv?: boolean
  readonly json?: boolean
  readonly config?: string
}

/**
 * `carewindow report costs` and `carewindow explain MESSAGE_ID`: what the stored messages cost, and why one was
 * decided as it was, read straight from the configured database (no server needed). The report takes the same
 * parameters as `GET /v1/costs`, checked the same way, for one tenant or all.
 */
export function registerReportCommands(program: Command, output: CliOutput): void {
  const report = program.command('report').description('reports over the stored messages')
  report
    .command('costs')
    .description('what the messages of a period cost (UTC), per currency, grouped as asked')
    .requiredOption('--from <date>', 'start, included: 2026-03-01 or an ISO instant with offset')
    .requiredOption('--to <date>', 'end: a date includes that day (2026-03-31), an instant is excluded')
    .option(
      '--group-by <list>',
      'any of day|week|month, channel, market, category, pricing_model, billing_type',
    )
    .option('--tenant <id>', 'only this tenant’s messages (default: every tenant’s)')
    .option('--channel <id>', 'only this channel’s (phone_number_id or Page id)')
    .option('--direction <direction>', 'outbound (default) or inbound')
    .option('--allowed <boolean>', 'true (default for outbound) or false (the refused sends)')
    .option('--category <list>', 'only these pricing categories (marketing,utility,…)')
    .option('--csv', 'print RFC 4180 CSV')
    .option('--json', 'print JSON')
    .addOption(configOption())
    .action(async (options: CostOptions) => {
      if (options.csv === true && options.json === true)
        throw new InputError('give --csv or --json, not both')
      const query = checked(() =>
        parseInput(
          costQuerySchema,
          definedOnly({
            from: options.from,
            to: options.to,
            group_by: options.groupBy,
            channel: options.channel,
            direction: options.direction,
            allowed: options.allowed,
            category: options.category,
          }),
        ),
      )
      await withStore(options.config, async (store) => {
        const tenantId = options.tenant ?? null
        if (tenantId !== null && (await store.getTenant(tenantId)) === undefined)
          throw new InputError(`there is no tenant "${tenantId}" (carewindow tenant list shows them)`)
        const result = await checkedAsync(() =>
          costReport({ store }, tenantId, {
            ...filterInputOf(query),
            from: query.from,
            to: query.to,
            dimensions: query.group_by ?? [],
          }),
        )
        const filters = appliedFilters(query)
        output.out(
          options.csv === true
            ? costReportCsv(result)
            : options.json === true
              ? `${JSON.stringify(costReportJson(result, filters), null, 2)}\n`
              : `${formatCostTable(result, filters)}\n`,
        )
      })
    })

  registerWhatIfCommand(report, output)

  program
    .command('explain')
    .description('a stored message and the decision carewindow recorded for it, explained')
    .argument('<message-id>', 'the x-carewindow-message-id of the send')
    .option('--json', 'print the stored decision as JSON')
    .addOption(configOption())
    .action(async (messageId: string, options: { json?: boolean; config?: string }) => {
      await withStore(options.config, async (store) => {
        const message = await store.getMessage(messageId)
        if (message === undefined) throw new InputError(`there is no message "${messageId}"`)
        if (options.json === true) {
          output.out(`${message.decisionJson ?? 'null'}\n`)
          return
        }
        const channel = (await store.listChannels({ tenantId: message.tenantId })).find(
          (candidate) => candidate.id === message.channelId,
        )
        output.out(`${formatStoredMessageText(message, channel ?? null)}\n`)
      })
    })
}

/** Options given, as query parameters: the ones left out are absent, not undefined. */
function definedOnly(values: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

/** What the API answers 400 for is bad input at the command line too (exit 2), said the same way. */
function checked<T>(work: () => T): T {
  try {
    return work()
  } catch (error) {
    throw asInputError(error)
  }
}

async function checkedAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw asInputError(error)
  }
}

function asInputError(error: unknown): unknown {
  return error instanceof GatewayError && error.status === 400 ? new InputError(error.details) : error
}
