import type { FastifyInstance, FastifyRequest } from 'fastify'
import { automationsSchema, DEFAULT_AUTOMATIONS } from '../../../config/automations.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { channelAutomations, replaceAutomations } from '../../../gateway/api/automations.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import {
  channelParamsSchema,
  jsonObject,
  parseInput,
  requireBody,
  responses,
  tenantChannel,
  type ChannelParams,
} from './shared.js'
import { READS, WRITES } from '../../route-access.js'

const example = {
  ...DEFAULT_AUTOMATIONS,
  keep_alive: { ...DEFAULT_AUTOMATIONS.keep_alive, enabled: true, lead_minutes: 90 },
  reengagement: { ...DEFAULT_AUTOMATIONS.reengagement, enabled: true },
  hold_replies: { enabled: true, expire_after_hours: 72 },
}

const { keep_alive: keepAlive, reengagement, hold_replies: holdReplies } = automationsSchema.shape

/**
 * The config file's automations schema, described for the document: the same fields, checks and defaults (so the
 * same answers to a wrong body), with descriptions and examples added.
 */
const automationsBodySchema = automationsSchema
  .extend({
    keep_alive: keepAlive
      .unwrap()
      .extend({
        messages: keepAlive
          .unwrap()
          .shape.messages.describe('The reminder per language; the case’s language picks one'),
      })
      .default(() => keepAlive.def.defaultValue)
      .describe('A free-form reminder inside the window for contacts with an open case, once per window'),
    reengagement: reengagement
      .unwrap()
      .extend({
        template: reengagement
          .unwrap()
          .shape.template.meta({ examples: [{ name: 'ticket_update', language: 'en' }] }),
      })
      .default(() => reengagement.def.defaultValue)
      .describe('After an open case’s window closed: an Issue Resolution template (CCW-7); WhatsApp only'),
    hold_replies: holdReplies.describe(
      'Hold free-form replies refused for a closed window (202) and send them when the customer replies; WhatsApp only',
    ),
  })
  .meta({
    description:
      'The channel’s automations (the `automations` of its configuration, see docs/configuration.md). A section or field left out takes its default; unknown keys are refused.',
    examples: [example],
  })

/** A channel's automations: read them, replace them. */
export function registerAutomationRoutes(app: FastifyInstance, gateway: Gateway): void {
  const path = '/v1/channels/:channelId/automations'

  app.get(
    path,
    {
      config: READS,
      schema: {
        operationId: 'getAutomations',
        summary: 'A channel’s automations',
        description:
          'Window events, keep-alive reminders, Issue Resolution re-engagement and held replies, with every default filled in — a PUT takes the same object back.',
        tags: ['automations'],
        ...documentedZod({ params: channelParamsSchema }),
        response: responses({ 200: jsonObject('The automations', example) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const { channel } = await tenantChannel(gateway, request)
      return channelAutomations(gateway, channel)
    },
  )

  app.put(
    path,
    {
      config: WRITES,
      schema: {
        operationId: 'replaceAutomations',
        summary: 'Replace a channel’s automations',
        description:
          'Replaces them as a whole (what is left out takes its default). Timed work reads them when it runs: a switch turned off takes effect at once, one turned on applies to windows from the customer’s next message. A channel declared in the config file gets the file’s automations again when carewindow starts.',
        tags: ['automations'],
        ...documentedZod({ params: channelParamsSchema, body: automationsBodySchema }),
        response: responses({ 200: jsonObject('The stored automations, defaults filled in', example) }),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const { channel } = await tenantChannel(gateway, request)
      const automations = parseInput(automationsBodySchema, requireBody(request, 'the automations'))
      return replaceAutomations(gateway, channel, automations)
    },
  )
}
