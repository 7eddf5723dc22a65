import {
  applyEvent,
  decide,
  formatInstant,
  NEW_CONTACT,
  stopKeywordOptOut,
  templateCatalog,
  type ConsentEvent,
  type ContactState,
  type Decision,
} from '../../domain/index.js'
import { messengerInbound } from '../../channels/messenger/inbound-event.js'
import { whatsappInbound } from '../../channels/whatsapp/inbound-message.js'
import type { Scenario } from './scenario.js'

/** One decision of a scenario run: the send event it answers and the decision. */
export interface ScenarioDecision {
  readonly eventIndex: number
  readonly contact: string
  readonly decision: Decision
}

interface ContactRecord {
  state: ContactState
  readonly consent: ConsentEvent[]
}

/**
 * Replays a scenario through the policy engine: inbound messages open windows (and stop keywords opt out),
 * consent events fill the ledger, and every send is decided at its instant; allowed sends enter the history.
 * Pure: the same scenario always yields the same decisions.
 */
export function runScenario(scenario: Scenario): ScenarioDecision[] {
  const templates = templateCatalog(scenario.templates)
  const contacts = new Map<string, ContactRecord>()
  const recordOf = (contact: string): ContactRecord => {
    let record = contacts.get(contact)
    if (record === undefined) {
      record = { state: NEW_CONTACT, consent: [] }
      contacts.set(contact, record)
    }
    return record
  }
  // CBP's free tier counts a channel's conversations per calendar month (UTC here; Meta uses the account's zone).
  const freeTierUsedByMonth = new Map<string, number>()
  const decisions: ScenarioDecision[] = []
  for (const event of scenario.events) {
    const record = recordOf(event.contact)
    switch (event.type) {
      case 'inbound': {
        const inbound =
          scenario.platform === 'whatsapp'
            ? whatsappInbound(
                {
                  ...(event.message ?? {}),
                  ...(event.referral ? { referral: event.referral } : {}),
                },
                event.at,
              )
            : messengerInbound(event.message ?? {}, event.at, event.referral)
        if (inbound === null) break
        record.state = applyEvent(record.state, scenario.platform, inbound.event, scenario.settings)
        const optOut =
          inbound.text === null ? null : stopKeywordOptOut(inbound.text, event.at, scenario.settings)
        if (optOut !== null) record.consent.push(optOut)
        break
      }
      case 'optin':
      case 'optout':
        record.consent.push({
          kind: event.type === 'optin' ? 'opt_in' : 'opt_out',
          scope: event.scope,
          source: event.source,
          at: event.at,
          ...(event.evidence === undefined ? {} : { evidence: event.evidence }),
          ...(event.actor === undefined ? {} : { actor: event.actor }),
        })
        break
      case 'send': {
        if (event.intent === null) break
        const decision = decide(
          event.intent,
          {
            history: record.state,
            consent: record.consent,
            templates,
            settings: scenario.settings,
            contact: event.contact,
            rateCards: scenario.rateCards,
            freeTierConversationsUsed: freeTierUsedByMonth.get(monthOf(event.at)) ?? 0,
          },
          event.at,
        )
        if (decision.allowed && decision.billing.type === 'free_tier') {
          const month = monthOf(event.at)
          freeTierUsedByMonth.set(month, (freeTierUsedByMonth.get(month) ?? 0) + 1)
        }
        decisions.push({ eventIndex: event.index, contact: event.contact, decision })
        if (decision.allowed)
          record.state = applyEvent(
            record.state,
            scenario.platform,
            { kind: 'outbound', at: event.at, sent: decision.sent },
            scenario.settings,
          )
        break
      }
    }
  }
  return decisions
}

function monthOf(at: number): string {
  return formatInstant(at).slice(0, 7)
}
