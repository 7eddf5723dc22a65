import { z } from 'zod'
import type { Instant, Intent, PolicySettings, RateCard, Template } from '../../domain/index.js'
import { parseInstant } from '../../domain/index.js'
import { messengerIntent, parseMessengerSend } from '../../channels/messenger/send-body.js'
import { normalizeRecipient, parseWhatsAppSend } from '../../channels/whatsapp/send-body.js'
import {
  templateDefinitionSchema,
  templateFromDefinition,
} from '../../channels/whatsapp/template-definition.js'
import { policySettingsSchema, toPolicySettings } from '../../config/policy-settings.js'
import { rateCardsSchema, toRateCards } from '../../config/rate-cards.js'
import { describeIssues } from '../../validation.js'

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

const contact = z
  .string()
  .min(1, 'contact is the wa_id (phone number) or Messenger PSID')
  .transform(normalizeRecipient)

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
    /** The Graph send body (WhatsApp) or Send API body (Messenger). */
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

/** Validates a scenario (already parsed from JSON). Every problem is reported with its path; nothing runs on a bad file. */
export function parseScenario(input: unknown): ScenarioParse {
  const parsed = scenarioSchema.safeParse(input)
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) }
  const { channel, templates, rate_cards: rateCards, events, description } = parsed.data
  const problems: string[] = []
  const validated = events.map((event, index): ScenarioEvent => {
    if (event.type !== 'send') return { ...event, index }
    const { intent, problem } = sendIntent(channel.platform, event)
    if (problem !== null) problems.push(`events[${index}].message: ${problem}`)
    return { ...event, index, intent }
  })
  if (problems.length > 0) return { ok: false, problems }
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

function sendIntent(
  platform: 'whatsapp' | 'messenger',
  event: Extract<EventInput, { type: 'send' }>,
): { intent: Intent | null; problem: string | null } {
  if (platform === 'whatsapp') {
    const parsed = parseWhatsAppSend(event.message)
    if (!parsed.ok) return { intent: null, problem: parsed.problem.details }
    if (parsed.value.kind === 'mark_read') return { intent: null, problem: null }
    if (parsed.value.to !== event.contact)
      return {
        intent: null,
        problem: `"to" (${parsed.value.to}) is not the event's contact (${event.contact})`,
      }
    return { intent: parsed.value.intent, problem: null }
  }
  const parsed = parseMessengerSend(event.message)
  if (!parsed.ok) return { intent: null, problem: parsed.problem.details }
  if (parsed.value.recipientId !== event.contact)
    return {
      intent: null,
      problem: `recipient.id (${parsed.value.recipientId}) is not the event's contact (${event.contact})`,
    }
  if (parsed.value.kind === 'sender_action') return { intent: null, problem: null }
  return { intent: messengerIntent(parsed.value, event.sender), problem: null }
}
