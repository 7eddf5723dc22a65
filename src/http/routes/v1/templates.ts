import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import {
  graphTemplateListSchema,
  templatesFromGraphList,
} from '../../../channels/whatsapp/graph-templates.js'
import {
  templateDefinitionSchema,
  templateFromDefinition,
} from '../../../channels/whatsapp/template-definition.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import {
  channelTemplate,
  createTemplate,
  deleteChannelTemplate,
  importTemplates,
  listChannelTemplates,
  replaceTemplate,
  requireWhatsApp,
  syncTemplatesNow,
} from '../../../gateway/api/templates.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import { sharedResponses } from '../../openapi/responses.js'
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

interface TemplateParams extends ChannelParams {
  readonly name: string
  readonly language: string
}

const templateParamsSchema = channelParamsSchema.extend({
  name: z.string().meta({ description: 'The template’s name', examples: ['ticket_update'] }),
  language: z.string().meta({ description: 'Its language code', examples: ['en'] }),
})

const DEFINITION =
  'A template definition: name, language, category, status (default APPROVED), issue_resolution (default false), body with {{1}} or {{named}} placeholders, optional header, footer, buttons, category_changes'

const { shape } = templateDefinitionSchema

/** A template's body (the definition the config file takes too), with the document's examples. */
const definitionSchema = templateDefinitionSchema
  .extend({
    name: shape.name.meta({ examples: ['ticket_update'] }),
    language: shape.language.meta({ examples: ['en'] }),
    category: shape.category.meta({ examples: ['UTILITY'] }),
    status: shape.status.meta({ examples: ['APPROVED'] }),
    body: shape.body.meta({ examples: ['We have updates regarding your ticket {{ticket_id}}.'] }),
  })
  .meta({ description: DEFINITION })

// In a PUT the path names the template; the body may repeat its name and language, but not contradict them.
const replacementSchema = definitionSchema
  .partial({ name: true, language: true })
  .meta({ description: DEFINITION })

const templateExample = {
  name: 'ticket_update',
  language: 'en',
  category: 'UTILITY',
  status: 'APPROVED',
  issue_resolution: true,
  body: 'We have updates regarding your ticket {{ticket_id}}. Please respond back if you’d like to continue support.',
  preview: {
    header: null,
    body: 'We have updates regarding your ticket {{ticket_id}}. Please respond back if you’d like to continue support.',
    footer: null,
    buttons: [],
  },
}

/** A WhatsApp channel's templates: list, create, read, replace, delete, import Graph's list, and sync with Meta. */
export function registerTemplateRoutes(app: FastifyInstance, gateway: Gateway): void {
  const whatsappChannel = async (request: FastifyRequest<{ Params: ChannelParams }>) => {
    const { channel } = await tenantChannel(gateway, request)
    requireWhatsApp(channel)
    return channel
  }
  const collection = '/v1/channels/:channelId/templates'
  const item = `${collection}/:name/:language`

  app.get(
    collection,
    {
      config: READS,
      schema: {
        operationId: 'listTemplates',
        summary: 'List templates',
        description: 'The channel’s templates by name and language, each with a preview.',
        tags: ['templates'],
        ...documentedZod({ params: channelParamsSchema }),
        response: responses({ 200: jsonObject('The templates', { data: [templateExample] }) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => ({
      data: await listChannelTemplates(gateway, await whatsappChannel(request)),
    }),
  )

  app.post(
    collection,
    {
      config: WRITES,
      schema: {
        operationId: 'createTemplate',
        summary: 'Create a template',
        description:
          'Registers a template carewindow decides sends with (it does not submit it to Meta). 409 when the name and language exist; PUT replaces.',
        tags: ['templates'],
        ...documentedZod({ params: channelParamsSchema, body: definitionSchema }),
        response: responses({ 201: jsonObject('The template', templateExample) }, [400, 401, 404, 409]),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>, reply) => {
      const channel = await whatsappChannel(request)
      const definition = parseInput(definitionSchema, requireBody(request, 'the template'))
      return reply
        .status(201)
        .send(await createTemplate(gateway, channel, templateFromDefinition(definition)))
    },
  )

  app.post(
    `${collection}/import`,
    {
      config: WRITES,
      schema: {
        operationId: 'importTemplates',
        summary: 'Import templates from Graph',
        description:
          'Takes the JSON of Graph’s GET /{WABA-ID}/message_templates ({"data": [...], "paging": {...}}) and creates or updates each template. Graph does not know the Issue Resolution tag: existing templates keep theirs. Templates carewindow cannot represent are listed in skipped with the reason.',
        tags: ['templates'],
        ...documentedZod({ params: channelParamsSchema, body: graphTemplateListSchema }),
        response: responses({
          200: jsonObject('What was imported', {
            imported: 3,
            skipped: [
              {
                name: 'summer_carousel',
                language: 'en_US',
                reason: 'the CAROUSEL component is not supported (only HEADER, BODY, FOOTER and BUTTONS are)',
              },
            ],
          }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const channel = await whatsappChannel(request)
      const parsed = templatesFromGraphList(requireBody(request, 'Graph’s message_templates list'))
      if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', parsed.problem.details)
      return importTemplates(gateway, channel, parsed.value)
    },
  )

  app.post(
    `${collection}/sync`,
    {
      config: WRITES,
      schema: {
        operationId: 'syncTemplates',
        summary: 'Sync templates with Meta',
        description:
          'Reads every page of Meta’s GET /{waba_id}/message_templates for the channel’s WhatsApp Business Account (the channel setting waba_id), with the channel’s token, and makes the channel’s templates match: new ones added, known ones updated to Meta’s status and category (keeping their Issue Resolution tag), those Meta no longer lists marked DELETED. All or nothing: one page that fails changes nothing (502). Templates carewindow cannot represent are listed in skipped. 409 when the channel has no waba_id. carewindow also syncs at start, every template_sync.interval_ms and after a template webhook about a template it does not know.',
        tags: ['templates'],
        ...documentedZod({ params: channelParamsSchema }),
        response: {
          ...responses(
            {
              200: jsonObject('What the sync changed', {
                waba_id: '102290129340398',
                added: 1,
                updated: 2,
                unchanged: 14,
                removed: 1,
                skipped: [],
                pages: 1,
              }),
            },
            [401, 404, 409],
          ),
          ...sharedResponses('TemplateSyncFailed'),
        },
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) =>
      syncTemplatesNow(gateway.templateSync, await whatsappChannel(request)),
  )

  app.get(
    item,
    {
      config: READS,
      schema: {
        operationId: 'getTemplate',
        summary: 'Read a template',
        description: 'The template’s definition, with a preview.',
        tags: ['templates'],
        ...documentedZod({ params: templateParamsSchema }),
        response: responses({ 200: jsonObject('The template', templateExample) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: TemplateParams }>) =>
      channelTemplate(gateway, await whatsappChannel(request), request.params.name, request.params.language),
  )

  app.put(
    item,
    {
      config: WRITES,
      schema: {
        operationId: 'replaceTemplate',
        summary: 'Create or replace a template',
        description:
          'Replaces the whole definition (201 when it did not exist). The next decision uses it. The body may omit name and language; if given they must match the path.',
        tags: ['templates'],
        ...documentedZod({ params: templateParamsSchema, body: replacementSchema }),
        response: responses({
          200: jsonObject('The replaced template', templateExample),
          201: jsonObject('The new template', templateExample),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: TemplateParams }>, reply) => {
      const channel = await whatsappChannel(request)
      const { name, language } = request.params
      const input = parseInput(replacementSchema, requireBody(request, 'the template'))
      for (const [field, inBody, inPath] of [
        ['name', input.name, name],
        ['language', input.language, language],
      ] as const) {
        if (inBody !== undefined && inBody !== inPath)
          throw new GatewayError(
            'INVALID_REQUEST',
            `${field}: the body says "${inBody}" but the path "${inPath}"; rename by creating the new template and deleting this one`,
          )
      }
      // The path names a template that may not exist yet: it must be a valid name and language code.
      const named = parseInput(templateDefinitionSchema.pick({ name: true, language: true }), {
        name,
        language,
      })
      const definition = { ...input, ...named }
      const result = await replaceTemplate(gateway, channel, templateFromDefinition(definition))
      return reply.status(result.isNew ? 201 : 200).send(result.template)
    },
  )

  app.delete(
    item,
    {
      config: WRITES,
      schema: {
        operationId: 'deleteTemplate',
        summary: 'Delete a template',
        description: 'Sends of it are refused from now on (Graph code 132001).',
        tags: ['templates'],
        ...documentedZod({ params: templateParamsSchema }),
        response: responses({ 200: jsonObject('Deleted', { success: true }) }, [401, 404]),
      },
    },
    async (request: FastifyRequest<{ Params: TemplateParams }>) => {
      const channel = await whatsappChannel(request)
      await deleteChannelTemplate(gateway, channel, request.params.name, request.params.language)
      return { success: true }
    },
  )
}
