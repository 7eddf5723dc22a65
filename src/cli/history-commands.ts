import { Option, type Command } from 'commander'
import { importCommand, type ImportCommandOptions } from './import-command.js'
import { replayCommand, type ReplayCommandOptions } from './replay-command.js'
import type { CliOutput } from './output.js'

const configOption = () =>
  new Option('--config <file>', 'JSON config file (the database and the channels)').env('CAREWINDOW_CONFIG')

/** `carewindow import FILE` and `carewindow replay FILE`: history from Meta webhook notifications (docs/import.md). */
export function registerHistoryCommands(program: Command, output: CliOutput): void {
  program
    .command('import')
    .description(
      'take in Meta webhook notifications kept elsewhere (JSON lines, one POST body a line): windows, consent, messages and statuses, as if received; importing again changes nothing',
    )
    .argument('<file>', 'JSON lines: one WhatsApp or Messenger webhook body per line')
    .addOption(configOption())
    .option('--batch-size <n>', 'notifications per transaction (default 200)')
    .option(
      '--progress-every <lines>',
      'without a terminal: a progress line every this many lines (default 10000)',
    )
    .action(async (file: string, options: ImportCommandOptions) => {
      await importCommand(file, options, output)
    })

  program
    .command('replay')
    .description(
      "decide the traffic of a file of Meta webhook notifications again, offline, under the channels' settings and under a what-if, and print both totals side by side (writes nothing to the database)",
    )
    .argument('<file>', 'JSON lines: one WhatsApp or Messenger webhook body per line')
    .addOption(configOption())
    .option(
      '--what-if <file>',
      'JSON: {"settings": {…}, "rate_cards": "sample" | […], "pricing_model": "PMP"}',
    )
    .option(
      '--pricing-model <model>',
      'price every WhatsApp message as NBP, CBP or PMP (or one era: CBP_2022 … PMP_2026)',
    )
    .option(
      '--pricing-2026 [date]',
      'switch on the reported 2026-10-01 pricing change (optionally at another date)',
    )
    .option(
      '--rate-cards <file>',
      'rate cards for both sides instead of the config\'s ("sample" for the shipped ones)',
    )
    .option(
      '--strict-consent',
      'decide templates on the consent the file shows only (default: opted in before it)',
    )
    .option('--json', 'print the totals as JSON')
    .action(async (file: string, options: ReplayCommandOptions) => {
      await replayCommand(file, options, output)
    })
}
