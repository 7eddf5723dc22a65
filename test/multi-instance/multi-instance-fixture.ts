import type { ReceivedDelivery } from '../support/webhook-receiver.js'
import type { GraphRequest } from '../support/fake-graph.js'
import {
  API_KEY,
  APP_SECRET,
  CHANNEL_ACCESS_TOKEN,
  PHONE_NUMBER_ID,
  TEMPLATES,
  TENANT,
  VERIFY_TOKEN,
  WEBHOOK_SECRET,
} from '../support/test-gateway.js'

/**
 * The pieces of the multi-instance test: the one config every process runs with, the contacts and the inbound
 * notifications that open their windows, and tallies of what the webhook receiver and the fake Graph were given.
 */

export const DAY_MS = 24 * 3_600_000

/** One tenant whose webhook is the receiver; one WhatsApp number on the fake Graph with re-engagement on. */
export function multiInstanceConfig(options: {
  readonly databaseUrl: string
  readonly graphUrl: string
  readonly webhookUrl: string
  readonly expiringLeadMinutes: number
}): Record<string, unknown> {
  // The approved Issue Resolution template with a named {{ticket_id}} parameter (CCW-7, TPL-1).
  const ticketUpdate = TEMPLATES.find((template) => template.name === 'ticket_update')
  return {
    log_level: 'warn',
    database: { url: options.databaseUrl },
    upstream: { timeout_ms: 10_000, retries: 2 },
    outbox: { poll_interval_ms: 100, backoff_base_ms: 200 },
    tenants: [
      {
        id: TENANT,
        name: 'Acme',
        webhook: { url: options.webhookUrl, secret: WEBHOOK_SECRET },
        api_keys: [{ name: 'test', key: API_KEY }],
        channels: [
          {
            platform: 'whatsapp',
            id: PHONE_NUMBER_ID,
            upstream: { mode: 'cloud', base_url: options.graphUrl, access_token: CHANNEL_ACCESS_TOKEN },
            app_secret: APP_SECRET,
            verify_token: VERIFY_TOKEN,
            templates: [ticketUpdate],
            automations: {
              window_expiring_lead_minutes: options.expiringLeadMinutes,
              reengagement: {
                enabled: true,
                template: { name: 'ticket_update', language: 'en' },
                delay_minutes: 0,
                min_interval_hours: 24,
              },
            },
          },
        ],
      },
    ],
  }
}

/** The `wa_id` of the `index`th contact: Dutch mobile numbers, 3161 and seven digits. */
export function contactOf(index: number): string {
  return `3161${String(index).padStart(7, '0')}`
}

/** A customer's inbound text message; its timestamp (seconds) decides when the window it opens closes. */
export interface PlannedMessage {
  readonly contact: string
  readonly messageId: string
  readonly timestampSeconds: number
}

/** The instant the window a message opens closes at (CCW-4): its own timestamp plus 24 h. */
export function expiryOf(message: PlannedMessage): number {
  return message.timestampSeconds * 1_000 + DAY_MS
}

/**
 * One notification carrying several customers' messages, as Meta batches them: one entry, one `messages` change
 * with every sender in `contacts` and every message in `messages`.
 */
export function inboundNotification(messages: readonly PlannedMessage[]): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: messages.map((message) => ({
                profile: { name: `Customer ${message.contact}` },
                wa_id: message.contact,
              })),
              messages: messages.map((message) => ({
                from: message.contact,
                id: message.messageId,
                timestamp: String(message.timestampSeconds),
                type: 'text',
                text: { body: 'Is my ticket solved yet?' },
              })),
            },
          },
        ],
      },
    ],
  })
}

/** A carewindow event as the receiver got it. */
export interface ReceivedEvent {
  readonly id: string
  readonly type: string
  readonly contactId: string
  readonly deliveryId: string | undefined
  readonly data: Readonly<Record<string, unknown>>
}

/** The events among the deliveries (relayed Meta notifications are not events). */
export function eventsOf(deliveries: readonly ReceivedDelivery[]): ReceivedEvent[] {
  return deliveries
    .filter((delivery) => delivery.event?.endsWith('.notification') === false)
    .map((delivery) => {
      const body = JSON.parse(delivery.body.toString('utf8')) as {
        id: string
        type: string
        contact_id: string
        data: Record<string, unknown>
      }
      return {
        id: body.id,
        type: body.type,
        contactId: body.contact_id,
        deliveryId: delivery.deliveryId,
        data: body.data,
      }
    })
}

/** How many events of each type the receiver got. */
export function countByType(events: readonly ReceivedEvent[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1
  return counts
}

/** Values that occur more than once, with how often. */
export function repeated(values: Iterable<string>): Map<string, number> {
  const seen = new Map<string, number>()
  for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1)
  return new Map([...seen].filter(([, count]) => count > 1))
}

/** A template send the fake Graph accepted: to whom, which template, which ticket id. */
export interface TemplateSend {
  readonly to: string
  readonly template: string
  readonly ticketId: string | undefined
}

export function templateSendsOf(requests: readonly GraphRequest[]): TemplateSend[] {
  return requests.map((request) => {
    const body = JSON.parse(request.body.toString('utf8')) as {
      to: string
      template?: {
        name: string
        components?: { parameters?: { parameter_name?: string; text?: string }[] }[]
      }
    }
    const parameters = body.template?.components?.flatMap((component) => component.parameters ?? []) ?? []
    return {
      to: body.to,
      template: body.template?.name ?? '(not a template)',
      ticketId: parameters.find((parameter) => parameter.parameter_name === 'ticket_id')?.text,
    }
  })
}

/** A counter's value in Prometheus text exposition: the sample of `name` whose labels include `labels`. */
export function counterValue(
  metrics: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let total = 0
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const hasLabels = Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`))
    if (hasLabels) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}
