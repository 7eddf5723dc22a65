import type { FastifyInstance, FastifyRequest } from 'fastify'
import { automationsSchema, DEFAULT_AUTOMATIONS } from '../../../config/automations.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { channelAutomations, replaceAutomations } from '../../../gateway/api/automations.js'
import {
  channelParamsSchema,
  jsonObject,
  parseInput,
  requireBody,
  responses,
  tenantChannel,
  type ChannelParams,
} from './shared.js'

const example = {
  ...DEFAULT_AUTOMATIONS,
  keep_alive: { ...DEFAULT_AUTOMATIONS.keep_alive, enabled: true, lead_minutes: 90 },
  reengagement: { ...DEFAULT_AUTOMATIONS.reengagement, enabled: true },
  hold_replies: { enabled: true, expire_after_hours: 72 },
}

const automationsDoc = {
  type: 'object',
  description:
    'The channel’s automations (the `automations` of its configuration, see docs/configuration.md). A section or field left out takes its default; unknown keys are refused.',
  properties: {
    window_expiring_lead_minutes: { type: 'integer', minimum: 1, maximum: 1439, default: 60 },
    keep_alive: {
      type: 'object',
      description: 'A free-form reminder inside the window for contacts with an open case, once per window',
      properties: {
        enabled: { type: 'boolean', default: false },
        lead_minutes: { type: 'integer', minimum: 1, maximum: 1439, default: 60 },
        messages: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'The reminder per language; the case’s language picks one',
        },
        default_language: { type: 'string', default: 'en' },
      },
    },
    reengagement: {
      type: 'object',
      description: 'After an open case’s window closed: an Issue Resolution template (CCW-7); WhatsApp only',
      properties: {
        enabled: { type: 'boolean', default: false },
        template: {
          type: 'object',
          properties: { name: { type: 'string' }, language: { type: 'string' } },
          examples: [{ name: 'ticket_update', language: 'en' }],
        },
        min_interval_hours: { type: 'number', minimum: 1, maximum: 8760, default: 24 },
        delay_minutes: { type: 'integer', minimum: 0, maximum: 10080, default: 0 },
        default_parameters: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    hold_replies: {
      type: 'object',
      description:
        'Hold free-form replies refused for a closed window (202) and send them when the customer replies; WhatsApp only',
      properties: {
        enabled: { type: 'boolean', default: false },
        expire_after_hours: { type: 'number', minimum: 1, maximum: 720, default: 72 },
      },
    },
  },
  examples: [example],
} as const

/** A channel's automations: read them, replace them. */
export function registerAutomationRoutes(app: FastifyInstance, gateway: Gateway): void {
  const path = '/v1/channels/:channelId/automations'

  app.get(
    path,
    {
      schema: {
        operationId: 'getAutomations',
        summary: 'A channel’s automations',
        description:
          'Window events, keep-alive reminders, Issue Resolution re-engagement and held replies, with every default filled in — a PUT takes the same object back.',
        tags: ['automations'],
        params: channelParamsSchema,
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
      schema: {
        operationId: 'replaceAutomations',
        summary: 'Replace a channel’s automations',
        description:
          'Replaces them as a whole (what is left out takes its default). Timed work reads them when it runs: a switch turned off takes effect at once, one turned on applies to windows from the customer’s next message. A channel declared in the config file gets the file’s automations again when carewindow starts.',
        tags: ['automations'],
        params: channelParamsSchema,
        body: automationsDoc,
        response: responses({ 200: jsonObject('The stored automations, defaults filled in', example) }),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const { channel } = await tenantChannel(gateway, request)
      const automations = parseInput(automationsSchema, requireBody(request, 'the automations'))
      return replaceAutomations(gateway, channel, automations)
    },
  )
}
