import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { toWhatIf, whatIfSchema } from '../../../config/what-if.js'
import { MAX_REPORT_DAYS } from '../../../gateway/api/costs.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { whatIfReport } from '../../../gateway/costs/what-if.js'
import { whatIfReportCsv, whatIfReportJson } from '../../../representations/what-if-json.js'
import { formatInstant } from '../../../domain/index.js'
import { authenticate } from '../../auth.js'
import { READS } from '../../route-access.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { checkPeriod, messageFilterShape } from './message-filters.js'
import { jsonObject, parseInput, requireBody, responses } from './shared.js'

/**
 * The what-if's body: the period and channel as GET /v1/costs takes them, and the alternative in the shape
 * `carewindow replay --what-if FILE` reads (config/what-if.ts: one parser for both).
 */
export const whatIfBodySchema = z
  .strictObject({
    from: messageFilterShape.from.unwrap(),
    to: messageFilterShape.to.unwrap(),
    channel: messageFilterShape.channel,
    settings: whatIfSchema.shape.settings.meta({
      description:
        'Policy settings laid over each channel’s own, as a channel’s settings in the config file: pricing_2026 (the reported 2026-10-01 change) and pricing_2026_at, the eras’ dates (pricing_pmp_2025_at …), free_tier_conversations_per_month',
      examples: [{ pricing_2026: true }],
    }),
    rate_cards: whatIfSchema.shape.rate_cards.meta({
      description:
        'Other prices for the what-if side: "config" (the config file’s cards, without the tenant’s own), "sample" (the shipped sample cards) or a list of effective-dated cards in the shape PUT /v1/rate-cards takes (the id may be left out). Left out: the tenant’s current cards',
      examples: [
        [
          {
            label: 'Negotiated 2027',
            currency: 'USD',
            effective_from: '2025-07-01',
            rates: { '*': { marketing: '0.05', utility: '0.01', authentication: '0.01' } },
          },
        ],
      ],
    }),
    pricing_model: whatIfSchema.shape.pricing_model.meta({
      description:
        'Price every WhatsApp message in one model or era, whatever its date: NBP, CBP (CBP_FREE_SERVICE), PMP (PMP_2025), or an era id (CBP_2022, CBP_2023, CBP_FREE_SERVICE, PMP_2025, PMP_2026)',
      examples: ['CBP'],
    }),
    format: z
      .enum(['json', 'csv'], 'must be json or csv')
      .optional()
      .describe('csv for the differences as RFC 4180 CSV (or send Accept: text/csv); JSON otherwise'),
  })
  .superRefine(checkPeriod)

const side = {
  totals: [{ currency: 'USD', messages: 6600, amount: '130.92', amount_micros: 130920000 }],
  by_category: [
    { category: 'marketing', currency: 'USD', messages: 1200, amount: '130.92', amount_micros: 130920000 },
    { category: 'utility', currency: 'USD', messages: 5400, amount: '0', amount_micros: 0 },
  ],
  by_channel: [
    {
      channel: '106540352242922',
      currency: 'USD',
      messages: 6600,
      amount: '130.92',
      amount_micros: 130920000,
    },
  ],
}

const example = {
  from: '2026-10-01T00:00:00.000Z',
  to: '2026-11-01T00:00:00.000Z',
  time_zone: 'UTC',
  channel: null,
  asked: { settings: { pricing_2026: true } },
  messages: 6600,
  repriced: 6600,
  recorded: { totals: side.totals },
  current: side,
  what_if: {
    totals: [{ currency: 'USD', messages: 6600, amount: '400.92', amount_micros: 400920000 }],
    by_category: [
      side.by_category[0],
      { category: 'utility', currency: 'USD', messages: 5400, amount: '270', amount_micros: 270000000 },
    ],
    by_channel: [
      {
        channel: '106540352242922',
        currency: 'USD',
        messages: 6600,
        amount: '400.92',
        amount_micros: 400920000,
      },
    ],
  },
  differences: {
    totals: [
      {
        currency: 'USD',
        current: { messages: 6600, amount: '130.92', amount_micros: 130920000 },
        what_if: { messages: 6600, amount: '400.92', amount_micros: 400920000 },
        difference: '270',
        difference_micros: 270000000,
      },
    ],
    by_category: [],
    by_channel: [],
  },
}

/** `POST /v1/costs/what-if`: the period's sends priced under the current settings and under others, side by side. */
export function registerCostWhatIfRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post(
    '/v1/costs/what-if',
    {
      // It writes nothing: a price list under other settings, like the dry run.
      config: READS,
      schema: {
        operationId: 'priceWhatIf',
        summary: 'What the traffic would have cost under other settings',
        description: `Prices the tenant’s sends carewindow allowed from from (included) to to (excluded; a date as to includes that day), at most ${MAX_REPORT_DAYS} days, twice: under the current settings (each channel’s settings and the tenant’s rate cards) and under the what-if — settings laid over the channels’ own (such as pricing_2026: true, the reported 2026-10-01 change), other rate cards, or one pricing model or era for every message. Each message keeps the decision context it was recorded with (template category or free-form, whether the customer care window or a free entry point window was open, the market, the instant); nothing is decided again or stored. Answers both sides’ totals per currency, by category and by channel, and the differences (what-if minus current). Messages carewindow did not decide (imported history) and Messenger messages keep their recorded price on both sides. With format=csv (or Accept: text/csv) the differences as RFC 4180 CSV. Reads the period a page at a time: about a minute per million sends.`,
        tags: ['costs'],
        ...documentedZod({ body: whatIfBodySchema }),
        response: responses(
          {
            200: {
              description: 'Both sides and their differences',
              content: {
                'application/json': { schema: jsonObject('Both sides and their differences', example) },
                'text/csv': {
                  schema: { type: 'string' },
                  example:
                    'group,value,currency,current_messages,current_amount,what_if_messages,what_if_amount,difference,difference_micros\r\ntotal,,USD,6600,130.92,6600,400.92,270,270000000\r\n',
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
      const body = parseInput(whatIfBodySchema, requireBody(request, 'the period and the what-if'))
      const { from, to, channel, format, ...asked } = body
      const report = await whatIfReport(gateway, tenant.id, {
        from,
        to,
        ...(channel === undefined ? {} : { channel }),
        whatIf: toWhatIf(asked),
      })
      if (!wantsCsv(format, request.headers.accept)) return whatIfReportJson(report, askedJson(asked))
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header(
          'content-disposition',
          `attachment; filename="carewindow-what-if-${formatInstant(from).slice(0, 10)}-${formatInstant(to).slice(0, 10)}.csv"`,
        )
        .send(whatIfReportCsv(report))
    },
  )
}

/** The what-if as asked, for the answer: settings and pricing model as given, rate cards by id. */
function askedJson(asked: Omit<z.output<typeof whatIfBodySchema>, 'from' | 'to' | 'channel' | 'format'>) {
  const cards = asked.rate_cards
  return {
    ...(asked.settings === undefined ? {} : { settings: asked.settings }),
    ...(cards === undefined
      ? {}
      : {
          rate_cards:
            typeof cards === 'string'
              ? cards
              : cards.map((card, index) => card.id ?? `what-if-${String(index + 1)}`),
        }),
    ...(asked.pricing_model === undefined ? {} : { pricing_model: asked.pricing_model }),
  }
}

function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv'
  return (accept ?? '').split(',').some((type) => type.split(';')[0]?.trim().toLowerCase() === 'text/csv')
}
