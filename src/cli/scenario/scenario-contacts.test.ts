import { describe, expect, it } from 'vitest'
import { parseScenario, type Scenario } from './scenario.js'

const CONTACT = '31612345678'
const whatsappText = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'text',
  text: { body: 'Hi' },
})
const whatsapp = (events: unknown[]) => ({ channel: { platform: 'whatsapp', id: '106540352242922' }, events })
const messenger = (events: unknown[]) => ({
  channel: { platform: 'messenger', id: '682498302938465' },
  events,
})

function scenarioOf(input: unknown): Scenario {
  const parsed = parseScenario(input)
  if (!parsed.ok) throw new Error(`expected a valid scenario:\n${parsed.problems.join('\n')}`)
  return parsed.scenario
}

function problemsOf(input: unknown): string[] {
  const parsed = parseScenario(input)
  if (parsed.ok) throw new Error('expected the scenario to be rejected')
  return parsed.problems
}

describe('a scenario’s contacts', () => {
  it.each(['0031 6 1234 5678', '+31 06 12345678', '+31 (0)6-1234-5678', '31-6-1234-5678'])(
    'keys the WhatsApp contact %j by its wa_id, as the proxy keys "to"',
    (written) => {
      const scenario = scenarioOf(
        whatsapp([
          { at: '2024-03-01T10:00:00Z', type: 'inbound', contact: written },
          { at: '2024-03-01T10:05:00Z', type: 'send', contact: CONTACT, message: whatsappText(written) },
        ]),
      )
      expect(scenario.events.map((event) => event.contact)).toEqual([CONTACT, CONTACT])
    },
  )

  it('refuses a WhatsApp contact that cannot be a wa_id, saying why, with the rest of the file', () => {
    expect(
      problemsOf(
        whatsapp([
          { at: '2024-03-01T10:00:00Z', type: 'inbound', contact: '06 1234 5678' },
          { at: '2024-03-01T10:05:00Z', type: 'optin', contact: 'alice', scope: 'everything' },
          { at: '2024-03-01T10:06:00Z', type: 'send', contact: CONTACT, message: whatsappText('+31 6 12') },
        ]),
      ),
    ).toEqual([
      'events[0].contact: "06 1234 5678" is written nationally: write it with its country calling code (+31 6 1234 5678 or 0031 6 1234 5678, not 06 1234 5678)',
      'events[1].scope: Invalid option: expected one of "all"|"marketing"|"utility"|"authentication"',
      'events[1].contact: "alice" is neither a phone number (digits, with an optional leading + or 00) nor a business-scoped user id (US.13491208655302741918)',
      'events[2].message.to: "+31 6 12" is too short for a phone number in NL (+31)',
    ])
  })

  it('keeps a Messenger PSID as given, never reading it as a phone number', () => {
    const scenario = scenarioOf(
      messenger([{ at: '2024-03-01T10:00:00Z', type: 'inbound', contact: ' 0031612345678 ' }]),
    )
    expect(scenario.events[0]?.contact).toBe('0031612345678')
  })
})
