/**
 * `decide` over a synthetic trace of 1 M contacts: each contact has a short history (one to three user
 * messages, sometimes from an ad, sometimes a business reply), a consent ledger (a third opted in, some
 * opted out) and one intended message (session text, utility / marketing / Issue Resolution template, or a
 * Messenger message), judged at an instant spread over the last days so windows are open and closed.
 */
import {
  decide,
  foldHistory,
  HOUR_MS,
  DAY_MS,
  parseInstant,
  policySettings,
  SAMPLE_RATE_CARDS,
  templateCatalog,
  type ConsentEvent,
  type ContactEvent,
  type DecisionContext,
  type Instant,
  type Intent,
  type Template,
} from '../src/index.js'

export interface DecideBenchResult {
  readonly contacts: number
  readonly fromHistory: { readonly decisionsPerSecond: number; readonly allowedShare: number }
  readonly fromFoldedState: { readonly decisionsPerSecond: number; readonly allowedShare: number }
}

// A small deterministic PRNG so every run measures the same trace.
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const TEMPLATES: Template[] = [
  {
    name: 'ticket_update',
    language: 'en',
    category: 'UTILITY',
    status: 'APPROVED',
    issueResolution: true,
    body: 'We have updates regarding your ticket {{ticket_id}}.',
  },
  {
    name: 'delivery_update',
    language: 'en',
    category: 'UTILITY',
    status: 'APPROVED',
    issueResolution: false,
    body: 'Your order {{1}} ships on {{2}}.',
  },
  {
    name: 'autumn_sale',
    language: 'en',
    category: 'MARKETING',
    status: 'APPROVED',
    issueResolution: false,
    body: 'Autumn sale: 20% off.',
  },
]

const INTENTS: Intent[] = [
  { platform: 'whatsapp', kind: 'session', messageType: 'text' },
  { platform: 'whatsapp', kind: 'session', messageType: 'image' },
  {
    platform: 'whatsapp',
    kind: 'template',
    template: {
      name: 'ticket_update',
      language: { code: 'en' },
      components: [
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'ticket_id', text: 'T-1' }] },
      ],
    },
  },
  {
    platform: 'whatsapp',
    kind: 'template',
    template: {
      name: 'delivery_update',
      language: { code: 'en' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: '#1' },
            { type: 'text', text: 'today' },
          ],
        },
      ],
    },
  },
  { platform: 'whatsapp', kind: 'template', template: { name: 'autumn_sale', language: { code: 'en' } } },
  { platform: 'messenger', kind: 'message', messagingType: 'RESPONSE', tag: null, sender: 'bot' },
  {
    platform: 'messenger',
    kind: 'message',
    messagingType: 'MESSAGE_TAG',
    tag: 'HUMAN_AGENT',
    sender: 'agent',
  },
]

const COUNTRIES = ['NL', 'DE', 'GB', 'US', 'IN', 'BR']

interface Contact {
  readonly intent: Intent
  readonly history: ContactEvent[]
  readonly consent: ConsentEvent[]
  readonly country: string
  readonly at: Instant
}

function syntheticTrace(count: number, now: Instant): Contact[] {
  const random = mulberry32(42)
  const contacts: Contact[] = new Array<Contact>(count)
  for (let i = 0; i < count; i++) {
    const first = now - Math.floor(random() * 5 * DAY_MS)
    const history: ContactEvent[] = [{ kind: 'inbound', at: first, referral: random() < 0.1 ? 'ad' : null }]
    if (random() < 0.6) history.push({ kind: 'outbound', at: first + 10 * 60_000, sent: { type: 'session' } })
    if (random() < 0.5) history.push({ kind: 'inbound', at: first + Math.floor(random() * 30 * HOUR_MS) })
    const consent: ConsentEvent[] = []
    const draw = random()
    if (draw < 0.33)
      consent.push({ kind: 'opt_in', scope: 'all', source: 'website_form', at: first - DAY_MS })
    else if (draw < 0.4) consent.push({ kind: 'opt_out', scope: 'marketing', source: 'keyword', at: first })
    contacts[i] = {
      intent: INTENTS[Math.floor(random() * INTENTS.length)] as Intent,
      history,
      consent,
      country: COUNTRIES[i % COUNTRIES.length] as string,
      at: now - Math.floor(random() * 2 * HOUR_MS),
    }
  }
  return contacts
}

interface Case {
  readonly intent: Intent
  readonly context: DecisionContext
  readonly at: Instant
}

function measure(cases: readonly Case[]): { decisionsPerSecond: number; allowedShare: number } {
  // Warm up the JIT on a slice, then time one pass over every contact.
  for (let i = 0; i < Math.min(100_000, cases.length); i++) {
    const { intent, context, at } = cases[i] as Case
    decide(intent, context, at)
  }
  let allowed = 0
  const started = process.hrtime.bigint()
  for (const { intent, context, at } of cases) {
    if (decide(intent, context, at).allowed) allowed++
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { decisionsPerSecond: cases.length / seconds, allowedShare: allowed / cases.length }
}

export function benchDecide(count = 1_000_000): DecideBenchResult {
  const now = parseInstant('2025-09-15T12:00:00Z') as Instant
  const settings = policySettings()
  const templates = templateCatalog(TEMPLATES)
  const contacts = syntheticTrace(count, now)
  const shared = { templates, settings, rateCards: SAMPLE_RATE_CARDS }
  const fromHistory = measure(
    contacts.map((contact) => ({
      intent: contact.intent,
      at: contact.at,
      context: { ...shared, history: contact.history, consent: contact.consent, country: contact.country },
    })),
  )
  // The gateway keeps each contact's folded state, so it decides without re-reading the history.
  const fromFoldedState = measure(
    contacts.map((contact) => ({
      intent: contact.intent,
      at: contact.at,
      context: {
        ...shared,
        history: foldHistory(contact.intent.platform, contact.history, contact.at, settings),
        consent: contact.consent,
        country: contact.country,
      },
    })),
  )
  return { contacts: count, fromHistory, fromFoldedState }
}
