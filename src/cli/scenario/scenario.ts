import { z } from 'zod'
import type { Instant, Intent, PolicySettings, RateCard, Template, WaIdParse } from '../../domain/index.js'
import { parseInstant, parseWhatsAppContactId } from '../../domain/index.js'
import {
  templateDefinitionSchema,
  templateFromDefinition,
} from '../../channels/whatsapp/template-definition.js'
import { policySettingsSchema, toPolicySettings } from '../../config/policy-settings.js'
import { rateCardsSchema, toRateCards } from '../../config/rate-cards.js'
import { describeIssues } from '../../shared/validation.js'
import { checkScenarioSend, type SendCheck } from './scenario-send.js'

const instant = z.string().transform((text, context): Instant => {
  const at = parseInstant(text)
  if (at === undefined) {
    context.addIssue({
      code: 'custom',
      message: `"${text}" is not an ISO 8601 instant with offset, e.g. 2024-03-01T10:00:00Z`,
    })
    return z.NEVER
  }
  return at
})

// Keyed per platform once the file is read (see contactsOf): a phone number as its wa_id, a PSID as given.
const contact = z.string().min(1, 'contact is the wa_id (phone number) or Messenger PSID')

const consentFields = {
  at: instant,
  contact,
  scope: z.enum(['all', 'marketing', 'utility', 'authentication']).default('all'),
  source: z.string().min(1).default('api'),
  evidence: z.string().optional(),
  actor: z.string().optional(),
}

const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('inbound'),
    at: instant,
    contact,
    /** The inbound message in the platform's webhook shape (`{"type": "text", "text": {"body": "Hi"}}`). */
    message: z.looseObject({}).optional(),
    /** The referral of an ad / call-to-action message, in the platform's webhook shape. */
    referral: z.looseObject({}).optional(),
  }),
  z.strictObject({
    type: z.literal('send'),
    at: instant,
    contact,
    /**
     * The Graph send body (WhatsApp) or Send API body (Messenger); the recipient (`to`, `recipient.id`) and
     * WhatsApp's `messaging_product` may be left out (see scenario-send.ts).
     */
    message: z.looseObject({}),
    sender: z.enum(['agent', 'bot']).default('bot'),
  }),
  z.strictObject({ type: z.literal('optin'), ...consentFields }),
  z.strictObject({ type: z.literal('optout'), ...consentFields }),
])

const scenarioSchema = z.strictObject({
  description: z.string().optional(),
  channel: z.strictObject({
    platform: z.enum(['whatsapp', 'messenger']),
    id: z.string().min(1),
    settings: policySettingsSchema.default({}),
  }),
  templates: z.array(templateDefinitionSchema).default([]),
  rate_cards: rateCardsSchema.optional(),
  events: z.array(eventSchema).min(1, 'a scenario needs at least one event'),
})

type EventInput = z.output<typeof eventSchema>

/** A scenario event, validated; sends carry the intent their body was parsed into. */
export type ScenarioEvent =
  | (Extract<EventInput, { type: 'inbound' | 'optin' | 'optout' }> & { readonly index: number })
  | (Extract<EventInput, { type: 'send' }> & { readonly index: number; readonly intent: Intent | null })

/** A scenario file, validated: the channel, its settings, templates, rate cards and the events in time order. */
export interface Scenario {
  readonly description: string | null
  readonly platform: 'whatsapp' | 'messenger'
  readonly channelId: string
  readonly settings: PolicySettings
  readonly templates: readonly Template[]
  readonly rateCards: readonly RateCard[]
  readonly events: readonly ScenarioEvent[]
}

export type ScenarioParse =
  { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly problems: string[] }

/**
 * Validates a scenario (already parsed from JSON). Every problem of the file is reported at once, each with its
 * path (`events[3].message.to: …`); nothing runs on a bad file.
 */
export function parseScenario(input: unknown): ScenarioParse {
  const parsed = scenarioSchema.safeParse(input)
  // Contacts and send bodies are checked even when the rest of the file is wrong, so that one run lists every
  // problem.
  const contacts = contactsOf(input)
  const sends = checkSends(input, contacts)
  const problems = [
    ...(parsed.success ? [] : describeIssues(parsed.error)),
    ...[...contacts.entries()].flatMap(([index, contact]) =>
      contact.ok ? [] : [`events[${index}].contact: ${contact.problem}`],
    ),
    ...[...sends.entries()].flatMap(([index, check]) =>
      check.ok
        ? []
        : check.problems.map(
            ({ path, message }) => `events[${index}].message${path === '' ? '' : `.${path}`}: ${message}`,
          ),
    ),
  ]
  if (!parsed.success || problems.length > 0) return { ok: false, problems: inFileOrder(problems) }
  const { channel, templates, rate_cards: rateCards, events, description } = parsed.data
  const validated = events.map((given, index): ScenarioEvent => {
    const keyed = contacts.get(index)
    const event = { ...given, contact: keyed?.ok === true ? keyed.id : given.contact }
    if (event.type !== 'send') return { ...event, index }
    const check = sends.get(index)
    return { ...event, index, intent: check?.ok === true ? check.intent : null }
  })
  return {
    ok: true,
    scenario: {
      description: description ?? null,
      platform: channel.platform,
      channelId: channel.id,
      settings: toPolicySettings(channel.settings),
      templates: templates.map(templateFromDefinition),
      rateCards: rateCards === undefined ? [] : toRateCards(rateCards),
      // A stable sort: events at the same instant keep their order in the file.
      events: [...validated].sort((a, b) => a.at - b.at),
    },
  }
}

/**
 * The events' contacts as carewindow keys them, by event index: on WhatsApp a phone number's wa_id (written in any
 * form `parseWaId` reads, or a problem) or a business-scoped user id; on Messenger the PSID as given. Events
 * whose contact is not a string are left to the schema's problems.
 */
function contactsOf(input: unknown): Map<number, WaIdParse> {
  const contacts = new Map<number, WaIdParse>()
  if (!isRecord(input) || !isRecord(input.channel) || !Array.isArray(input.events)) return contacts
  const platform = input.channel.platform
  if (platform !== 'whatsapp' && platform !== 'messenger') return contacts
  for (const [index, event] of (input.events as unknown[]).entries()) {
    if (!isRecord(event) || typeof event.contact !== 'string' || event.contact === '') continue
    contacts.set(
      index,
      platform === 'whatsapp'
        ? parseWhatsAppContactId(event.contact)
        : { ok: true, id: event.contact.trim() },
    )
  }
  return contacts
}

/** The send events' bodies, checked against the channel's platform and each event's contact, by event index. */
function checkSends(input: unknown, contacts: ReadonlyMap<number, WaIdParse>): Map<number, SendCheck> {
  const checks = new Map<number, SendCheck>()
  if (!isRecord(input) || !isRecord(input.channel) || !Array.isArray(input.events)) return checks
  const platform = input.channel.platform
  if (platform !== 'whatsapp' && platform !== 'messenger') return checks
  for (const [index, event] of (input.events as unknown[]).entries()) {
    if (!isRecord(event) || event.type !== 'send' || !isRecord(event.message)) continue
    const keyed = contacts.get(index)
    const contact = keyed?.ok === true && keyed.id !== '' ? keyed.id : null
    const sender = event.sender === 'agent' ? 'agent' : 'bot'
    checks.set(index, checkScenarioSend(platform, event.message, contact, sender))
  }
  return checks
}

/**
 * Problems in the order of the file: the channel, templates and rate cards, then each event's (its schema problems
 * before its body's), then what is wrong with the file as a whole.
 */
function inFileOrder(problems: readonly string[]): string[] {
  const rank = (problem: string): number => {
    const event = /^events\[(\d+)\]/.exec(problem)
    if (event !== null) return Number(event[1])
    return /^(description|channel|templates|rate_cards|events)\b/.test(problem) ? -1 : Number.MAX_SAFE_INTEGER
  }
  // Array.prototype.sort is stable: problems of the same rank keep their order.
  return [...problems].sort((a, b) => rank(a) - rank(b))
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
