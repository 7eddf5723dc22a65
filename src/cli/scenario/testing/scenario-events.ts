import { runScenario } from '../run-scenario.js'
import { parseScenario, type Scenario } from '../scenario.js'

// Events and scenarios the scenario runner's tests replay: a WhatsApp channel with two templates, a Messenger Page.

export const CONTACT = '31612345678'
export const PSID = '2487329847239847'

export function scenarioOf(input: unknown): Scenario {
  const parsed = parseScenario(input)
  if (!parsed.ok) throw new Error(`expected a valid scenario:\n${parsed.problems.join('\n')}`)
  return parsed.scenario
}

export const TEMPLATES = [
  { name: 'autumn_sale', language: 'en', category: 'MARKETING', body: 'Our autumn sale starts today.' },
  { name: 'delivery_update', language: 'en', category: 'UTILITY', body: 'Your order ships today.' },
]

export function whatsapp(events: unknown[], settings: Record<string, unknown> = {}) {
  return scenarioOf({
    channel: { platform: 'whatsapp', id: '106540352242922', settings },
    templates: TEMPLATES,
    events,
  })
}

export function messenger(events: unknown[]) {
  return scenarioOf({ channel: { platform: 'messenger', id: '682498302938465', settings: {} }, events })
}

export const inbound = (at: string, message?: unknown, extra: Record<string, unknown> = {}) => ({
  at,
  type: 'inbound',
  contact: CONTACT,
  ...(message === undefined ? {} : { message }),
  ...extra,
})
export const sendText = (at: string, contact = CONTACT) => ({
  at,
  type: 'send',
  contact,
  message: { messaging_product: 'whatsapp', to: contact, type: 'text', text: { body: 'Hello' } },
})
export const sendTemplate = (at: string, name: string) => ({
  at,
  type: 'send',
  contact: CONTACT,
  message: {
    messaging_product: 'whatsapp',
    to: CONTACT,
    type: 'template',
    template: { name, language: { code: 'en' } },
  },
})
export const messengerInbound = (
  at: string,
  message: unknown = { text: 'Is my table confirmed?' },
  extra = {},
) => ({
  at,
  type: 'inbound',
  contact: PSID,
  message,
  ...extra,
})
export const messengerSend = (at: string, messagingType: string, tag?: string) => ({
  at,
  type: 'send',
  contact: PSID,
  message: {
    recipient: { id: PSID },
    messaging_type: messagingType,
    ...(tag === undefined ? {} : { tag }),
    message: { text: 'Hello' },
  },
})

export const reasons = (scenario: Scenario) => runScenario(scenario).map(({ decision }) => decision.reason)
