import { Option, type Command } from 'commander'
import { importCommand, type ImportCommandOptions } from './import-command.js'
import type { CliOutput } from './output.js'

const configOption = () =>
  new Option('--config <file>', 'JSON config file (the database and the channels)').env('CAREWINDOW_CONFIG')

/** `carewindow import FILE`: history from Meta webhook notifications (docs/import.md). */
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
}
