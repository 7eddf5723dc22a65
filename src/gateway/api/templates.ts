import type { Template } from '../../domain/index.js'
import type { GraphTemplateImport, SkippedGraphTemplate } from '../../channels/whatsapp/graph-templates.js'
import { templateJson } from '../../representations/template-json.js'
import type { ChannelRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import { mergedWithKnown } from '../templates/template-sync-plan.js'
import { syncChannelTemplates, type TemplateSyncDependencies } from '../templates/template-sync.js'
import type { NativeApiDependencies } from './channels.js'

type TemplateDependencies = Pick<NativeApiDependencies, 'store' | 'directory' | 'clock'>

/** Templates are WhatsApp's; a Messenger Page has none (Graph: the object "does not support this operation"). */
export function requireWhatsApp(channel: ChannelRecord): void {
  if (channel.platform !== 'whatsapp')
    throw new GatewayError(
      'NOT_FOUND',
      `Messenger Page '${channel.externalId}' has no message templates; templates belong to WhatsApp channels`,
    )
}

export async function listChannelTemplates(
  deps: TemplateDependencies,
  channel: ChannelRecord,
): Promise<Record<string, unknown>[]> {
  return (await deps.store.listTemplates(channel.id)).map(templateJson)
}

export async function channelTemplate(
  deps: TemplateDependencies,
  channel: ChannelRecord,
  name: string,
  language: string,
): Promise<Record<string, unknown>> {
  const template = await deps.store.getTemplate(channel.id, name, language)
  if (template === undefined) throw notFound(channel, name, language)
  return templateJson(template)
}

/** Adds a template; 409 when the channel already has one with this name and language. */
export async function createTemplate(
  deps: TemplateDependencies,
  channel: ChannelRecord,
  template: Template,
): Promise<Record<string, unknown>> {
  await deps.store.transaction(async (tx) => {
    if ((await tx.getTemplate(channel.id, template.name, template.language)) !== undefined)
      throw new GatewayError(
        'CONFLICT',
        `template ${template.name} (${template.language}) already exists; PUT /v1/channels/${channel.externalId}/templates/${template.name}/${template.language} replaces it`,
      )
    await tx.upsertTemplate(channel.id, template, deps.clock())
  })
  deps.directory.invalidateTemplates(channel.id)
  return templateJson(template)
}

/** Creates or replaces a template; the next decision uses it. */
export async function replaceTemplate(
  deps: TemplateDependencies,
  channel: ChannelRecord,
  template: Template,
): Promise<{ readonly isNew: boolean; readonly template: Record<string, unknown> }> {
  const isNew = await deps.store.transaction(async (tx) => {
    const existing = await tx.getTemplate(channel.id, template.name, template.language)
    await tx.upsertTemplate(channel.id, template, deps.clock())
    return existing === undefined
  })
  deps.directory.invalidateTemplates(channel.id)
  return { isNew, template: templateJson(template) }
}

export async function deleteChannelTemplate(
  deps: TemplateDependencies,
  channel: ChannelRecord,
  name: string,
  language: string,
): Promise<void> {
  const isDeleted = await deps.store.deleteTemplate(channel.id, name, language)
  deps.directory.invalidateTemplates(channel.id)
  if (!isDeleted) throw notFound(channel, name, language)
}

/**
 * Upserts templates read from a pasted copy of Graph's list, each merged with what carewindow knows of it (the
 * Issue Resolution tag, the library key, re-categorisations: see `mergedWithKnown`). Only the listed templates
 * change: a pasted list may be one page of several, so unlike a sync nothing is marked deleted.
 */
export async function importTemplates(
  deps: TemplateDependencies,
  channel: ChannelRecord,
  graph: GraphTemplateImport,
): Promise<{ imported: number; skipped: readonly SkippedGraphTemplate[] }> {
  await deps.store.transaction(async (tx) => {
    const now = deps.clock()
    for (const template of graph.templates) {
      const existing = await tx.getTemplate(channel.id, template.name, template.language)
      await tx.upsertTemplate(
        channel.id,
        existing === undefined ? template : mergedWithKnown(template, existing, now),
        now,
      )
    }
  })
  deps.directory.invalidateTemplates(channel.id)
  return { imported: graph.templates.length, skipped: graph.skipped }
}

/**
 * Reads the channel's templates from Meta now (templates/template-sync.ts): what changed, or 409 when the channel
 * has no `waba_id` and 502 when Meta's list could not be read in full (then nothing changed).
 */
export async function syncTemplatesNow(
  sync: TemplateSyncDependencies,
  channel: ChannelRecord,
): Promise<Record<string, unknown>> {
  const result = await syncChannelTemplates(sync, channel)
  switch (result.outcome) {
    case 'no_account':
      throw new GatewayError('CONFLICT', result.reason)
    case 'failed':
      throw new GatewayError('TEMPLATE_SYNC_FAILED', result.reason)
    case 'synced':
      return {
        waba_id: result.wabaId,
        added: result.added,
        updated: result.updated,
        unchanged: result.unchanged,
        removed: result.removed,
        skipped: result.skipped,
        pages: result.pages,
      }
  }
}

function notFound(channel: ChannelRecord, name: string, language: string): GatewayError {
  return new GatewayError(
    'NOT_FOUND',
    `channel '${channel.externalId}' has no template ${name} in language ${language}`,
  )
}
