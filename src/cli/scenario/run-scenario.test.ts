import { describe, expect, it } from 'vitest'
import { runScenario } from './run-scenario.js'
import {
  CONTACT,
  inbound,
  messenger,
  messengerInbound,
  messengerSend,
  reasons,
  sendTemplate,
  sendText,
  whatsapp,
} from './testing/scenario-events.js'

describe('runScenario', () => {
  it('decides every send at its instant and names the event and contact it answers', () => {
    const decisions = runScenario(
      whatsapp([
        inbound('2025-09-01T09:00:00Z'),
        sendText('2025-09-01T09:05:00Z'),
        sendText('2025-09-02T09:00:00Z'),
      ]),
    )
    expect(
      decisions.map(({ eventIndex, contact, decision }) => [eventIndex, contact, decision.reason]),
    ).toEqual([
      [1, CONTACT, 'IN_CARE_WINDOW'],
      [2, CONTACT, 'WINDOW_CLOSED'],
    ])
    expect(decisions[0]?.decision.at).toBe(Date.parse('2025-09-01T09:05:00Z'))
  })

  it('keeps each contact to its own window', () => {
    const other = '4915112345678'
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z'),
          sendText('2025-09-01T09:05:00Z', other),
          sendText('2025-09-01T09:06:00Z'),
        ]),
      ),
    ).toEqual(['WINDOW_CLOSED', 'IN_CARE_WINDOW'])
  })

  it('replays events in time order, whatever their order in the file', () => {
    expect(reasons(whatsapp([sendText('2025-09-01T09:05:00Z'), inbound('2025-09-01T09:00:00Z')]))).toEqual([
      'IN_CARE_WINDOW',
    ])
  })

  it('opts the contact out of marketing when an inbound message is a stop keyword', () => {
    const decisions = runScenario(
      whatsapp([
        inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: 'Stop!' } }),
        sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        sendTemplate('2025-09-01T09:02:00Z', 'delivery_update'),
        sendText('2025-09-01T09:03:00Z'),
      ]),
    )
    expect(decisions.map(({ decision }) => decision.reason)).toEqual([
      'OPTED_OUT',
      'IN_CARE_WINDOW',
      'IN_CARE_WINDOW',
    ])
    expect(decisions[0]?.decision.consent.marketing).toEqual({
      state: 'opted_out',
      since: Date.parse('2025-09-01T09:00:00Z'),
      scope: 'marketing',
      source: 'keyword',
    })
  })

  it('reads stop keywords from button taps too', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'button', button: { text: 'STOP', payload: 'stop' } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        ]),
      ),
    ).toEqual(['OPTED_OUT'])
  })

  it("uses the channel's own stop keywords and scope", () => {
    const settings = { stop_keywords: ['HALT'], stop_keyword_scope: 'all' }
    const decisions = runScenario(
      whatsapp(
        [
          inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: 'STOP' } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
          inbound('2025-09-01T09:02:00Z', { type: 'text', text: { body: 'halt' } }),
          sendTemplate('2025-09-01T09:03:00Z', 'delivery_update'),
        ],
        settings,
      ),
    )
    expect(decisions[0]?.decision.allowed).toBe(true)
    expect(decisions[1]?.decision).toMatchObject({ allowed: false, error: { code: 131050 } })
    expect(decisions[1]?.decision.consent.revokedAllAt).toBe(Date.parse('2025-09-01T09:02:00Z'))
  })

  it('does not read a longer message that mentions stop as an opt-out', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: "Please don't stop the delivery" } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        ]),
      ),
    ).toEqual(['IN_CARE_WINDOW'])
  })

  it('fills the consent ledger from optin and optout events', () => {
    const scenario = whatsapp([
      inbound('2025-09-01T09:00:00Z'),
      {
        at: '2025-09-01T10:00:00Z',
        type: 'optin',
        contact: CONTACT,
        scope: 'marketing',
        source: 'website_form',
        evidence: 'form v3',
        actor: 'shop',
      },
      sendTemplate('2025-09-03T09:00:00Z', 'autumn_sale'),
      sendTemplate('2025-09-03T09:01:00Z', 'delivery_update'),
      { at: '2025-09-03T10:00:00Z', type: 'optout', contact: CONTACT, scope: 'marketing' },
      sendTemplate('2025-09-03T10:01:00Z', 'autumn_sale'),
    ])
    const decisions = runScenario(scenario)
    expect(decisions.map(({ decision }) => decision.reason)).toEqual([
      'OPTED_IN_TEMPLATE',
      'NO_OPT_IN',
      'OPTED_OUT',
    ])
    expect(decisions[0]?.decision.consent.marketing).toEqual({
      state: 'opted_in',
      since: Date.parse('2025-09-01T10:00:00Z'),
      scope: 'marketing',
      source: 'website_form',
    })
    expect(decisions[2]?.decision.consent.marketing).toMatchObject({ state: 'opted_out', source: 'api' })
  })

  it('applies an opt-in only from its instant on', () => {
    expect(
      reasons(
        whatsapp([
          sendTemplate('2025-09-01T09:00:00Z', 'delivery_update'),
          { at: '2025-09-01T09:00:00.001Z', type: 'optin', contact: CONTACT, scope: 'utility' },
          sendTemplate('2025-09-01T09:00:00.001Z', 'delivery_update'),
        ]),
      ),
    ).toEqual(['NO_OPT_IN', 'OPTED_IN_TEMPLATE'])
  })

  it('produces no decision for a mark-as-read body, and it does not open the window', () => {
    const decisions = runScenario(
      whatsapp([
        {
          at: '2025-09-01T09:00:00Z',
          type: 'send',
          contact: CONTACT,
          message: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' },
        },
        sendText('2025-09-01T09:01:00Z'),
      ]),
    )
    expect(decisions.map(({ eventIndex, decision }) => [eventIndex, decision.reason])).toEqual([
      [1, 'WINDOW_CLOSED'],
    ])
  })

  it('opens a free entry point for a customer who came from a click-to-WhatsApp ad', () => {
    const decisions = runScenario(
      whatsapp([
        inbound(
          '2025-10-06T08:00:00Z',
          { type: 'text', text: { body: 'More info?' } },
          { referral: { source_type: 'ad' } },
        ),
        sendText('2025-10-06T09:00:00Z'),
        sendText('2025-10-06T09:01:00Z'),
      ]),
    )
    expect(decisions.map(({ decision }) => decision.window.type)).toEqual([
      'free_entry_point',
      'free_entry_point',
    ])
    expect(decisions[1]?.decision.window.freeEntryPointExpiresAt).toBe(Date.parse('2025-10-09T09:00:00Z'))
  })

  it('replays an inbound message whose text is not a string without failing, and scans nothing', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'text', text: { body: 42 } }),
          sendTemplate('2025-09-01T09:01:00Z', 'autumn_sale'),
        ]),
      ),
    ).toEqual(['IN_CARE_WINDOW'])
    expect(
      reasons(
        messenger([
          messengerInbound('2021-11-04T09:00:00Z', { text: ['STOP'] }),
          messengerSend('2021-11-04T09:01:00Z', 'RESPONSE'),
        ]),
      ),
    ).toEqual(['IN_STANDARD_WINDOW'])
  })

  it('never opens a window for a system message', () => {
    expect(
      reasons(
        whatsapp([
          inbound('2025-09-01T09:00:00Z', { type: 'system', system: { body: 'Number changed' } }),
          sendText('2025-09-01T09:01:00Z'),
        ]),
      ),
    ).toEqual(['WINDOW_CLOSED'])
  })
  it('gives the same decisions every time it runs', () => {
    const scenario = whatsapp([inbound('2025-09-01T09:00:00Z'), sendText('2025-09-01T09:05:00Z')])
    expect(runScenario(scenario)).toEqual(runScenario(scenario))
  })
})
