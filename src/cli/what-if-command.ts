import type { Command } from 'commander'
import { toWhatIf } from '../config/what-if.js'
import { formatHuman, formatMicros } from '../domain/index.js'
import { whatIfReport, type CostChange, type WhatIfReport } from '../gateway/costs/what-if.js'
import { whatIfBodySchema } from '../http/routes/v1/cost-what-if.js'
import { parseInput } from '../http/routes/v1/shared.js'
import { whatIfReportCsv, whatIfReportJson } from '../representations/what-if-json.js'
import { GatewayError } from '../shared/errors.js'
import { configOption, withStore } from './admin-commands.js'
import { InputError, type CliOutput } from './output.js'
import { directoryOf, tenantOf } from './rates-commands.js'
import { whatIfInput } from './replay-command.js'

interface WhatIfOptions {
  readonly from: string
  readonly to: string
  readonly channel?: string
  readonly tenant?: string
  readonly whatIf?: string
  readonly pricingModel?: string
  readonly pricing2026?: string | boolean
  readonly csv?: boolean
  readonly json?: boolean
  readonly config?: string
}

/**
 * `carewindow report what-if`: `POST /v1/costs/what-if` from the command line, on the configured database — a
 * tenant's sends of a period priced under its current settings and under a what-if (the file `carewindow replay
 * --what-if` reads, with `--pricing-2026` and `--pricing-model` laid over it), both totals and the differences.
 */
export function registerWhatIfCommand(report: Command, output: CliOutput): void {
  report
    .command('what-if')
    .description(
      'what a tenant’s sends of a period (UTC) would have cost under other settings, rate cards or pricing model',
    )
    .requiredOption('--from <date>', 'start, included: 2026-03-01 or an ISO instant with offset')
    .requiredOption('--to <date>', 'end: a date includes that day (2026-03-31), an instant is excluded')
    .option('--channel <id>', 'only this channel’s (phone_number_id or Page id)')
    .option('--tenant <id>', 'the tenant (default: the only tenant)')
    .option(
      '--what-if <file>',
      'JSON: {"settings": {…}, "rate_cards": "config" | "sample" | […], "pricing_model": "PMP"}',
    )
    .option(
      '--pricing-model <model>',
      'price every WhatsApp message as NBP, CBP or PMP (or one era: CBP_2022 … PMP_2026)',
    )
    .option(
      '--pricing-2026 [date]',
      'switch on the reported 2026-10-01 pricing change (optionally at another date)',
    )
    .option('--csv', 'print the differences as RFC 4180 CSV')
    .option('--json', 'print JSON (as the API answers)')
    .addOption(configOption())
    .action(async (options: WhatIfOptions) => {
      if (options.csv === true && options.json === true)
        throw new InputError('give --csv or --json, not both')
      const asked = await whatIfInput(options)
      const body = checked(() =>
        parseInput(whatIfBodySchema, {
          ...asked,
          from: options.from,
          to: options.to,
          ...(options.channel === undefined ? {} : { channel: options.channel }),
        }),
      )
      const { from, to, channel, format: _format, ...alternative } = body
      await withStore(options.config, async (store, config) => {
        const tenantId = await tenantOf(store, options.tenant)
        const result = await checked(() =>
          whatIfReport({ store, directory: directoryOf(store, config) }, tenantId, {
            from,
            to,
            ...(channel === undefined ? {} : { channel }),
            whatIf: toWhatIf(alternative),
          }),
        )
        output.out(
          options.csv === true
            ? whatIfReportCsv(result)
            : options.json === true
              ? `${JSON.stringify(whatIfReportJson(result, asked), null, 2)}\n`
              : formatWhatIf(tenantId, asked, result),
        )
      })
    })
}

/** The two sides for people at a terminal: per currency the totals, then by category and by channel. */
export function formatWhatIf(
  tenantId: string,
  asked: Readonly<Record<string, unknown>>,
  report: WhatIfReport,
): string {
  const rows: (readonly [string, string, string, string])[] = []
  const cell = (messages: number, amountMicros: number, currency: string | null) =>
    currency === null ? `- (${String(messages)})` : `${formatMicros(amountMicros)} (${String(messages)})`
  const add = (label: string, change: CostChange) => {
    const sign = change.differenceMicros > 0 ? '+' : ''
    rows.push([
      `${label} ${change.currency ?? 'no price'}`,
      cell(change.current.messages, change.current.amountMicros, change.currency),
      cell(change.whatIf.messages, change.whatIf.amountMicros, change.currency),
      change.currency === null ? '' : `${sign}${formatMicros(change.differenceMicros)}`,
    ])
  }
  for (const change of report.differences.totals) add('total', change)
  for (const change of report.differences.byCategory) add(`  ${change.values[0] ?? '-'}`, change)
  for (const change of report.differences.byChannel) add(`  channel ${change.values[0] ?? '-'}`, change)
  const header = ['', 'current', 'what-if', 'difference'] as const
  const lines = [header, ...rows]
  const widths = header.map((_, column) => Math.max(...lines.map((line) => line[column]?.length ?? 0)))
  const table = lines.map((line) =>
    line
      .map((text, column) =>
        column === 0 ? text.padEnd(widths[0] ?? 0) : text.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  )
  return (
    `what-if for tenant ${tenantId}, ${formatHuman(report.from)} to ${formatHuman(report.to)}` +
    `${report.channel === null ? '' : `, channel ${report.channel}`}: ${JSON.stringify(asked)}\n` +
    `${String(report.messages)} sends, ${String(report.repriced)} priced again ` +
    '(the others, without a carewindow decision or on Messenger, keep their recorded price)\n\n' +
    `${table.join('\n')}\n` +
    '(amount (messages) per currency: in all, by Meta pricing category of each side, by channel)\n'
  )
}

/** What the API answers 400 for is bad input at the command line too (exit 2), said the same way. */
function checked<T>(work: () => T): T {
  try {
    const result = work()
    if (result instanceof Promise)
      return result.catch((error: unknown) => {
        throw asInputError(error)
      }) as T
    return result
  } catch (error) {
    throw asInputError(error)
  }
}

function asInputError(error: unknown): unknown {
  return error instanceof GatewayError && error.status === 400 ? new InputError(error.details) : error
}
