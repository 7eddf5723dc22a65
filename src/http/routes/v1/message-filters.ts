import { z } from 'zod'
import {
  ALLOW_REASONS,
  DAY_MS,
  formatInstant,
  parseDate,
  parseInstant,
  REFUSAL_REASONS,
  type BillingType,
  type Instant,
  type PricingModel,
} from '../../../domain/index.js'
import { EARLIEST_WIRE_INSTANT, LATEST_WIRE_INSTANT } from '../../../channels/wire-limits.js'
import type { MessageFilterInput } from '../../../gateway/api/message-filter.js'
import { MESSAGE_STATUSES } from '../../../store/ports/messages.js'

/**
 * The query parameters that say which messages: shared by the message search and the cost report, so a report's
 * totals are the sums over exactly the messages a search with the same parameters lists.
 */

/** The most values one list parameter takes (`status=delivered,read`). */
export const MAX_LIST_VALUES = 20

const BILLING_TYPES = Object.keys({
  regular: true,
  in_window_rate: true,
  free_customer_service: true,
  free_entry_point: true,
  free_tier: true,
  in_conversation: true,
  free: true,
} satisfies Record<BillingType, true>) as [BillingType, ...BillingType[]]

const PRICING_MODELS = Object.keys({ NBP: true, CBP: true, PMP: true, NONE: true } satisfies Record<
  PricingModel | 'NONE',
  true
>) as [string, ...string[]]

const REASONS = [...ALLOW_REASONS, ...REFUSAL_REASONS] as [string, ...string[]]

/** A list given as `a,b` (or the parameter repeated), each value checked by `item`; at most {@link MAX_LIST_VALUES}. */
function list<T extends z.ZodType<unknown, string>>(item: T, example: string) {
  return z
    .union([z.string(), z.array(z.string())], 'one value, or several separated by commas')
    .transform((given) => (Array.isArray(given) ? given : [given]).flatMap((text) => text.split(',')))
    .pipe(
      z
        .array(item)
        .min(1, 'must not be empty')
        .max(MAX_LIST_VALUES, `takes at most ${MAX_LIST_VALUES} values`),
    )
    .meta({ examples: [example] })
}

function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, {
    error: (issue) => `${JSON.stringify(issue.input)} is not one of ${values.join(', ')}`,
  })
}

const category = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a category: categories are lowercase words such as marketing or service`,
})

/** `from`/`to`: an instant with offset, or a UTC date; as `to`, a date means the end of that day. */
function instantParameter(name: 'from' | 'to') {
  const example = name === 'from' ? '2026-03-01' : '2026-03-31'
  const shape = `an ISO 8601 instant with offset (2026-03-01T00:00:00Z) or a UTC date (${example})`
  return z
    .string(`${shape} is required`)
    .transform((text, context): Instant => {
      const date = parseDate(text)
      const at = date === undefined ? parseInstant(text) : name === 'to' ? date + DAY_MS : date
      if (at === undefined) {
        context.addIssue({ code: 'custom', message: `"${text}" is not ${shape}` })
        return z.NEVER
      }
      if (at < EARLIEST_WIRE_INSTANT || at > LATEST_WIRE_INSTANT) {
        context.addIssue({
          code: 'custom',
          message: `must be between ${formatInstant(EARLIEST_WIRE_INSTANT)} and ${formatInstant(LATEST_WIRE_INSTANT)}`,
        })
        return z.NEVER
      }
      return at
    })
    .meta({
      description:
        name === 'from'
          ? `The period’s start, included: ${shape}. Instants are compared in UTC.`
          : `The period’s end, excluded; a date means the end of that day (to=${example} includes all of it)`,
      examples: [example],
    })
}

/** The filter parameters, validated; `to` must come after `from`. */
export const messageFilterShape = {
  from: instantParameter('from').optional(),
  to: instantParameter('to').optional(),
  channel: z
    .string()
    .min(1)
    .max(64, 'a phone_number_id or Page id has at most 64 characters')
    .optional()
    .meta({
      description: 'Only this channel’s messages (its phone_number_id or Page id)',
      examples: ['106540352242922'],
    }),
  contact_id: z
    .string()
    .min(1)
    .max(64, 'has at most 64 characters')
    .optional()
    .meta({
      description: 'Only this contact’s: a wa_id (+, 00, spaces and dashes are read away) or a PSID',
      examples: ['31612345678'],
    }),
  direction: oneOf(['outbound', 'inbound']).optional().describe('outbound (sent) or inbound (received)'),
  allowed: z
    .enum(['true', 'false'], 'must be true (the sends carewindow allowed) or false (those it refused)')
    .transform((text) => text === 'true')
    .optional()
    .describe('true: the sends carewindow allowed; false: those it refused'),
  reason: list(oneOf(REASONS), 'IN_CARE_WINDOW,OPTED_IN_TEMPLATE')
    .optional()
    .describe('The decision’s reason, one or several (comma-separated)'),
  category: list(category, 'marketing,utility')
    .optional()
    .describe(
      'Meta’s pricing category in the decision’s era (service, utility, marketing, authentication, …)',
    ),
  pricing_model: list(oneOf(PRICING_MODELS), 'PMP').optional().describe('NBP, CBP, PMP, or NONE (Messenger)'),
  billing_type: list(oneOf(BILLING_TYPES), 'free_customer_service,free_entry_point')
    .optional()
    .describe(
      `How the message is charged: regular, in_window_rate, or why it is free (${BILLING_TYPES.slice(2).join(', ')})`,
    ),
  market: list(
    z
      .string()
      .regex(/^[A-Za-z]{2}$/, {
        error: (issue) => `${JSON.stringify(issue.input)} is not a two-letter country code such as NL`,
      })
      .transform((code) => code.toUpperCase()),
    'NL,DE',
  )
    .optional()
    .describe('The contact’s country (ISO 3166-1 alpha-2), which Meta prices in'),
  status: list(oneOf(MESSAGE_STATUSES), 'delivered,read')
    .optional()
    .describe('What became of the message: its delivery status now'),
  access_token: z.string().optional(),
}

type FilterQuery = z.output<z.ZodObject<typeof messageFilterShape>>

/** `to` after `from`, when both are given. */
export function checkPeriod(query: { from?: Instant; to?: Instant }, context: z.RefinementCtx): void {
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to)
    context.addIssue({
      code: 'custom',
      path: ['to'],
      message: `must be after from (${formatInstant(query.from)}); it is ${formatInstant(query.to)}`,
    })
}

/** The parsed parameters as the use cases take them. */
export function filterInputOf(query: FilterQuery): MessageFilterInput {
  const given = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>
  return {
    ...given('from', query.from),
    ...given('to', query.to),
    ...given('channel', query.channel),
    ...given('contact', query.contact_id),
    ...given('direction', query.direction),
    ...given('allowed', query.allowed),
    ...given('reasons', query.reason),
    ...given('categories', query.category),
    ...given('pricingModels', query.pricing_model),
    ...given('billingTypes', query.billing_type),
    ...given('markets', query.market),
    ...given('statuses', query.status),
  }
}
