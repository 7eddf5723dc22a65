import { parseScenario, type Scenario } from '../scenario.js'

// Scenario files as the parser's tests write them, and what the parser makes of them.

export const CONTACT = '31612345678'
export const PSID = '2487329847239847'
export const at = (iso: string) => Date.parse(iso)

export const whatsappText = (to = CONTACT) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'text',
  text: { body: 'Hello!' },
})
export const whatsapp = (events: unknown[], extra: Record<string, unknown> = {}) => ({
  channel: { platform: 'whatsapp', id: '106540352242922' },
  events,
  ...extra,
})
export const messenger = (events: unknown[]) => ({
  channel: { platform: 'messenger', id: '682498302938465', settings: { messenger_plus_one_cutoff: 'meta' } },
  events,
})

export function scenarioOf(input: unknown): Scenario {
  const parsed = parseScenario(input)
  if (!parsed.ok) throw new Error(`expected a valid scenario:\n${parsed.problems.join('\n')}`)
  return parsed.scenario
}

export function problemsOf(input: unknown): string[] {
  const parsed = parseScenario(input)
  if (parsed.ok) throw new Error('expected the scenario to be rejected')
  return parsed.problems
}
