import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { costReport, MAX_REPORT_DAYS, MAX_REPORT_ROWS } from '../../../gateway/api/costs.js'
import { COST_DIMENSIONS, isPeriod, type CostDimension } from '../../../gateway/costs/cost-groups.js'
import {
  costReportCsv,
  costReportFileName,
  costReportJson,
} from '../../../representations/cost-report-json.js'
import { authenticate } from '../../auth.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { checkPeriod, filterInputOf, messageFilterShape } from './message-filters.js'
import { jsonObject, parseInput, responses } from './shared.js'
import { READS } from '../../route-access.js'

const groupBy = z
  .string(`a list of ${COST_DIMENSIONS.join(', ')}, separated by commas`)
  .transform((text, context): CostDimension[] => {
    const asked = text.split(',').map((item) => item.trim())
    const unknown = asked.filter((item) => !(COST_DIMENSIONS as readonly string[]).includes(item))
    if (unknown.length > 0)
      context.addIssue({
        code: 'custom',
        message: `${unknown.map((item) => JSON.stringify(item)).join(', ')} cannot be grouped by; choose from ${COST_DIMENSIONS.join(', ')}`,
      })
    else if (new Set(asked).size < asked.length)
      context.addIssue({ code: 'custom', message: 'names a dimension twice' })
    else if (asked.filter((item) => isPeriod(item as CostDimension)).length > 1)
      context.addIssue({ code: 'custom', message: 'takes one of day, week and month, not several' })
    return asked as CostDimension[]
  })
  .meta({
    description: `What to group by, comma-separated, in the order the rows are sorted: at most one of day, week (ISO 8601) and month (all UTC), and any of channel, market, category, pricing_model and billing_type (regular, in_window_rate, or why a message is free: free_customer_service, free_entry_point, free_tier, in_conversation, free). Rows are always per currency.`,
    examples: ['day,channel', 'month,category,billing_type'],
  })

/** The report's query: the search's filters, the period required (at most a year), the grouping and the format. */
export const costQuerySchema = z
  .strictObject({
    ...messageFilterShape,
    from: messageFilterShape.from.unwrap(),
    to: messageFilterShape.to.unwrap(),
    direction: messageFilterShape.direction.default('outbound').describe('Default outbound: what you send'),
    allowed: messageFilterShape.allowed.describe(
      'Default true for outbound messages (the sends carewindow allowed); false for those it refused',
    ),
    group_by: groupBy.optional(),
    groupBy: groupBy.optional().describe('group_by, as it may also be spelt'),
    format: z
      .enum(['json', 'csv'], 'must be json or csv')
      .optional()
      .describe('csv for RFC 4180 CSV (or send Accept: text/csv); JSON otherwise'),
  })
  .superRefine(checkPeriod)
  .superRefine((query, context) => {
    if (query.group_by !== undefined && query.groupBy !== undefined)
      context.addIssue({ code: 'custom', message: 'give group_by once (groupBy is the same parameter)' })
  })
  // What a send costs is the question: a report on outbound messages counts the ones carewindow allowed unless asked.
  .transform((query) =>
    query.allowed === undefined && query.direction === 'outbound' ? { ...query, allowed: true } : query,
  )

export type CostQuery = z.output<typeof costQuerySchema>

const reportExample = {
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-04-01T00:00:00.000Z',
  time_zone: 'UTC',
  group_by: ['channel', 'category'],
  filters: { direction: 'outbound', allowed: true },
  rows: [
    {
      channel: '106540352242922',
      category: 'marketing',
      currency: 'USD',
      messages: 1200,
      amount: '130.92',
      amount_micros: 130920000,
    },
    {
      channel: '106540352242922',
      category: 'service',
      currency: 'USD',
      messages: 5400,
      amount: '0',
      amount_micros: 0,
    },
  ],
  totals: [{ currency: 'USD', messages: 6600, amount: '130.92', amount_micros: 130920000 }],
  messages: 6600,
}

/** The filters a report applied, as the query named them (for the JSON's `filters`). */
export function appliedFilters(query: CostQuery): Record<string, unknown> {
  const { from: _from, to: _to, group_by: _g, groupBy: _G, format: _f, access_token: _a, ...filters } = query
  return filters
}

/** `GET /v1/costs`: what the tenant's messages of a period cost, grouped, as JSON or CSV. */
export function registerCostRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/costs',
    {
      config: READS,
      schema: {
        operationId: 'getCostReport',
        summary: 'What messages cost',
        description: `Counts and carewindow’s prices of the tenant’s messages from from (included) to to (excluded; a date as to includes that day), at most ${MAX_REPORT_DAYS} days, per currency and grouped by group_by. Days, ISO weeks and months are UTC. It takes the filters of GET /v1/messages, by default direction=outbound and allowed=true (the sends carewindow allowed), and its totals are the sums over exactly the messages that search lists with the same parameters; messages without a price (held back by a throughput limit, refused, or without a rate card) are counted under currency null. JSON, or RFC 4180 CSV with format=csv or Accept: text/csv (a header, one row per group and currency, none as an empty field). At most ${MAX_REPORT_ROWS.toLocaleString('en-US')} rows.`,
        tags: ['costs'],
        ...documentedZod({ querystring: costQuerySchema }),
        response: responses(
          {
            200: {
              description: 'The report',
              content: {
                'application/json': { schema: jsonObject('The report', reportExample) },
                'text/csv': {
                  schema: { type: 'string' },
                  example:
                    'channel,category,currency,messages,amount,amount_micros\r\n106540352242922,marketing,USD,1200,130.92,130920000\r\n',
                },
              },
            },
          },
          [400, 401],
        ),
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const tenant = await authenticate(gateway, request)
      const query = parseInput(costQuerySchema, request.query)
      const report = await costReport(gateway, tenant.id, {
        ...filterInputOf(query),
        from: query.from,
        to: query.to,
        dimensions: query.group_by ?? query.groupBy ?? [],
      })
      if (!wantsCsv(query.format, request.headers.accept))
        return costReportJson(report, appliedFilters(query))
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="${costReportFileName(report)}"`)
        .send(costReportCsv(report))
    },
  )
}

/** CSV when asked by `format`, or else by an Accept header that names text/csv. */
function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv'
  return (accept ?? '').split(',').some((type) => type.split(';')[0]?.trim().toLowerCase() === 'text/csv')
}
