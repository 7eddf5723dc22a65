/**
 * `decide` over a synthetic trace of 1 M contacts: each contact has a short history (one to three user
 * messages, sometimes from an ad, sometimes a business reply), a consent ledger (a third opted in, some
 * opted out) and one intended message (session text, utility / marketing / Issue Resolution template, or a
 * Messenger message), judged at an instant spread over the last days so windows are open and closed.
 * Contacts stream through in chunks of 10,000, as requests reach a gateway; only `decide` is timed, and
 * the best and the median of five passes over the whole trace are reported.
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

/** Decisions per second over each pass of the trace (the warm-up pass excluded), best and median. */
export interface DecideFigures {
  readonly bestPerSecond: number
  readonly medianPerSecond: number
  readonly allowedShare: number
}

export interface DecideBenchResult {
  readonly contacts: number
  readonly passes: number
  readonly fromHistory: DecideFigures
  readonly fromFoldedState: DecideFigures
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

/** The trace is produced in chunks, as traffic reaches a gateway: each contact's data is fresh when it is decided. */
function* syntheticTrace(count: number, now: Instant, chunkSize: number): Generator<Contact[]> {
  const random = mulberry32(42)
  for (let start = 0; start < count; start += chunkSize) {
    const chunk: Contact[] = []
    for (let i = start; i < Math.min(count, start + chunkSize); i++) {
      const first = now - Math.floor(random() * 5 * DAY_MS)
      const history: ContactEvent[] = [{ kind: 'inbound', at: first, referral: random() < 0.1 ? 'ad' : null }]
      if (random() < 0.6)
        history.push({ kind: 'outbound', at: first + 10 * 60_000, sent: { type: 'session' } })
      if (random() < 0.5) history.push({ kind: 'inbound', at: first + Math.floor(random() * 30 * HOUR_MS) })
      const consent: ConsentEvent[] = []
      const draw = random()
      if (draw < 0.33)
        consent.push({ kind: 'opt_in', scope: 'all', source: 'website_form', at: first - DAY_MS })
      else if (draw < 0.4) consent.push({ kind: 'opt_out', scope: 'marketing', source: 'keyword', at: first })
      chunk.push({
        intent: INTENTS[Math.floor(random() * INTENTS.length)] as Intent,
        history,
        consent,
        country: COUNTRIES[i % COUNTRIES.length] as string,
        at: now - Math.floor(random() * 2 * HOUR_MS),
      })
    }
    yield chunk
  }
}

interface Case {
  readonly intent: Intent
  readonly context: DecisionContext
  readonly at: Instant
}

interface Tally {
  nanoseconds: bigint
  decisions: number
  allowed: number
}

function timeDecisions(cases: readonly Case[], tally: Tally): void {
  const started = process.hrtime.bigint()
  let allowed = 0
  for (const { intent, context, at } of cases) {
    if (decide(intent, context, at).allowed) allowed++
  }
  tally.nanoseconds += process.hrtime.bigint() - started
  tally.decisions += cases.length
  tally.allowed += allowed
}

const CHUNK_SIZE = 10_000
/** Whole passes over the trace; the best and the median are reported (a shared machine slows some passes). */
const PASSES = 5

export function benchDecide(count = 1_000_000): DecideBenchResult {
  const now = parseInstant('2025-09-15T12:00:00Z') as Instant
  const settings = policySettings()
  const templates = templateCatalog(TEMPLATES)
  const newTally = (): Tally => ({ nanoseconds: 0n, decisions: 0, allowed: 0 })
  const historyPasses: Tally[] = []
  const statePasses: Tally[] = []
  for (let pass = 0; pass <= PASSES; pass++) {
    const history = newTally()
    const state = newTally()
    // Pass 0 warms the JIT up on a slice of the trace and is not counted.
    for (const chunk of syntheticTrace(pass === 0 ? 100_000 : count, now, CHUNK_SIZE)) {
      // A literal per context, not a spread of shared fields: that is how a caller should build it.
      const caseOf = (contact: Contact, history: DecisionContext['history']): Case => ({
        intent: contact.intent,
        at: contact.at,
        context: {
          templates,
          settings,
          rateCards: SAMPLE_RATE_CARDS,
          history,
          consent: contact.consent,
          country: contact.country,
        },
      })
      const withHistory = chunk.map((contact) => caseOf(contact, contact.history))
      // The gateway keeps each contact's folded state, so it decides without re-reading the history.
      const withState = chunk.map((contact) =>
        caseOf(contact, foldHistory(contact.intent.platform, contact.history, contact.at, settings)),
      )
      timeDecisions(withHistory, history)
      timeDecisions(withState, state)
    }
    if (pass === 0) continue
    historyPasses.push(history)
    statePasses.push(state)
  }
  return {
    contacts: count,
    passes: PASSES,
    fromHistory: figuresOf(historyPasses),
    fromFoldedState: figuresOf(statePasses),
  }
}

function figuresOf(passes: readonly Tally[]): DecideFigures {
  const rates = passes
    .map((tally) => tally.decisions / (Number(tally.nanoseconds) / 1e9))
    .sort((a, b) => a - b)
  const first = passes[0] as Tally
  return {
    bestPerSecond: rates[rates.length - 1] as number,
    medianPerSecond: rates[Math.floor(rates.length / 2)] as number,
    allowedShare: first.allowed / first.decisions,
  }
}
