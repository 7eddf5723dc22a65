import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError, Option } from 'commander'
import { ConfigError, ENVIRONMENT_VARIABLES } from '../config/config.js'
import { serve } from './serve.js'
import { registerAdminCommands } from './admin-commands.js'
import { registerTemplateSyncCommand } from './template-commands.js'
import { EXIT, FailureError, IncompleteError, InputError, type CliOutput } from './output.js'
import { registerHistoryCommands } from './history-commands.js'
import { registerRatesCommands } from './rates-commands.js'
import { registerReportCommands } from './report-commands.js'

export { EXIT, FailureError, IncompleteError, InputError, type CliOutput } from './output.js'
import {
  EXAMPLE_LANGUAGES,
  ISSUE_RESOLUTION_EXAMPLES,
  RULES,
  type ExampleLanguage,
  type RuleId,
} from '../domain/index.js'
import { decisionJson } from '../representations/decision-json.js'
import { formatDecisionText } from './format-decision.js'
import { parseScenario } from './scenario/scenario.js'
import { runScenario } from './scenario/run-scenario.js'

const STANDARD_OUTPUT: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isErrTerminal: process.stderr.isTTY,
}

/** The scenario `carewindow demo` (and `npm start`, until the gateway runs) walks through. */
export const DEMO_SCENARIO = fileURLToPath(new URL('../../examples/brief-walkthrough.json', import.meta.url))

/** The package version, for banners and the User-Agent. */
export const VERSION = await readVersion()

async function readVersion(): Promise<string> {
  try {
    const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8')
    return (JSON.parse(text) as { version?: string }).version ?? 'dev'
  } catch {
    return 'dev'
  }
}

/** Runs the `carewindow` command line and resolves to its exit code. */
export async function runCli(argv: readonly string[], output: CliOutput = STANDARD_OUTPUT): Promise<number> {
  const program = new Command()
    .name('carewindow')
    .description('Customer Care Window gateway for WhatsApp Business and Facebook Messenger')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })

  program
    .command('serve')
    .description('run the gateway: the Graph-compatible proxy, webhooks and the /v1 API')
    .addOption(new Option('--config <file>', 'JSON config file').env('CAREWINDOW_CONFIG'))
    .option('--port <port>', 'port to listen on (wins over CAREWINDOW_PORT, PORT and the config file)')
    .addHelpText('after', `\nEnvironment: ${ENVIRONMENT_VARIABLES.join(', ')}`)
    .action((options: { config?: string; port?: string }) =>
      serve({ configPath: options.config, port: options.port, version: VERSION, output }),
    )

  registerAdminCommands(program, output)
  registerHistoryCommands(program, output)
  registerRatesCommands(program, output)
  registerReportCommands(program, output)

  program
    .command('decide')
    .description('evaluate a scenario file and print one decision per intended message')
    .requiredOption('--scenario <file>', 'scenario JSON file (see README, "Scenario files")')
    .option('--json', 'print JSON lines instead of text')
    .action(async (options: { scenario: string; json?: boolean }) => {
      await decideScenario(options.scenario, options.json === true, output)
    })

  program
    .command('demo')
    .description(
      'walk through the brief\'s example: a customer\'s "Hi", a reply, a closed window, an Issue Resolution template',
    )
    .option('--json', 'print JSON lines instead of text')
    .action(async (options: { json?: boolean }) => {
      await decideScenario(DEMO_SCENARIO, options.json === true, output)
      if (options.json !== true)
        output.out(
          '\nThis was examples/brief-walkthrough.json. Try `carewindow decide --scenario examples/messenger-2019-plus-one.json`,\n' +
            'or write your own scenario (README, "Scenario files").\n',
        )
    })

  program
    .command('rules')
    .description('list the rules decisions cite')
    .action(() => {
      for (const [id, text] of Object.entries(RULES) as [RuleId, string][])
        output.out(`${id.padEnd(17)} ${text}\n`)
    })

  const templates = program
    .command('templates')
    .description('the example Issue Resolution templates carewindow ships (TPL-1)')
    .option('--language <code>', `one of ${EXAMPLE_LANGUAGES.join(', ')}`)
    .option('--json', 'print JSON')
    .action((options: { language?: string; json?: boolean }) => {
      const languages = options.language === undefined ? EXAMPLE_LANGUAGES : [options.language]
      if (!languages.every((language) => (EXAMPLE_LANGUAGES as readonly string[]).includes(language)))
        throw new InputError(
          `unknown language "${options.language ?? ''}"; use one of ${EXAMPLE_LANGUAGES.join(', ')}`,
        )
      if (options.json === true) {
        // --language narrows the JSON to that translation, as it does the text.
        const examples = ISSUE_RESOLUTION_EXAMPLES.map((example) => ({
          ...example,
          translations: Object.fromEntries(
            (languages as ExampleLanguage[]).map((language) => [language, example.translations[language]]),
          ),
        }))
        output.out(`${JSON.stringify(examples, null, 2)}\n`)
        return
      }
      for (const example of ISSUE_RESOLUTION_EXAMPLES) {
        output.out(`${example.key} — ${example.purpose}\n`)
        for (const language of languages as ExampleLanguage[]) {
          const text = example.translations[language]
          output.out(`  ${language}: ${text.body} [${text.button}]\n`)
        }
      }
    })
  registerTemplateSyncCommand(templates, output)

  try {
    await program.parseAsync([...argv], { from: 'node' })
    return EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    if (error instanceof InputError || error instanceof ConfigError) {
      output.err(`carewindow: ${error.message}\n`)
      return EXIT.usage
    }
    if (error instanceof FailureError) {
      output.err(`carewindow: ${error.message}\n`)
      return EXIT.failure
    }
    if (error instanceof IncompleteError) {
      output.err(`carewindow: ${error.message}\n`)
      return EXIT.incomplete
    }
    throw error
  }
}

async function decideScenario(file: string, asJson: boolean, output: CliOutput): Promise<void> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(
      `cannot read scenario ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = parseScenario(json)
  if (!parsed.ok) throw new InputError(`${file} is not a valid scenario:\n  ${parsed.problems.join('\n  ')}`)
  const { scenario } = parsed
  for (const { contact, decision } of runScenario(scenario)) {
    output.out(
      asJson
        ? `${JSON.stringify(decisionJson(decision, { contact, settings: scenario.settings }))}\n`
        : `${formatDecisionText(decision, contact, scenario.settings)}\n\n`,
    )
  }
}
