import type { GraphPassthrough } from '../../channels/graph-passthrough.js'
import { templatesFromGraphList, type SkippedGraphTemplate } from '../../channels/whatsapp/graph-templates.js'
import {
  readTemplatePages,
  TEMPLATE_PAGES_DEFAULTS,
  type TemplatePagesOptions,
} from '../../channels/whatsapp/template-pages.js'
import type { Clock } from '../../shared/clock.js'
import type { ChannelRecord, Store } from '../../store/store.js'
import { planTemplateSync, type TemplateKey } from './template-sync-plan.js'

export interface TemplateSyncDependencies {
  readonly store: Store
  readonly clock: Clock
  /** Where the channel's Graph calls go: Graph with its token (keep-alive pool), or the sandbox. */
  readonly passthroughFor: (channel: ChannelRecord) => GraphPassthrough<ChannelRecord>
  /** Forgets the channel's cached templates, so the next decision reads the synced ones. */
  readonly invalidateTemplates?: (channelId: string) => void
  readonly pages?: TemplatePagesOptions
}

/** What came of a sync: the counts, or why nothing was changed. */
export type TemplateSyncResult =
  | {
      readonly outcome: 'synced'
      readonly wabaId: string
      readonly added: number
      readonly updated: number
      readonly unchanged: number
      /** Known templates Meta no longer lists, marked `DELETED`. */
      readonly removed: number
      /** Listed templates carewindow cannot represent, with the reason; what it has of them is left as it is. */
      readonly skipped: readonly SkippedGraphTemplate[]
      readonly pages: number
    }
  /** The channel has no WhatsApp Business Account id to ask Meta about. */
  | { readonly outcome: 'no_account'; readonly reason: string }
  /** Meta's list could not be read in full: nothing was changed. */
  | { readonly outcome: 'failed'; readonly wabaId: string; readonly reason: string }

/**
 * Makes the channel's templates what Meta lists for its WhatsApp Business Account (`GET
 * /{waba_id}/message_templates`, every page, with the channel's token): new ones added, known ones updated to Meta's
 * status and category, those Meta no longer lists marked `DELETED` (template-sync-plan.ts). All or nothing: the
 * list is read in full before anything is written, one failed page fails the sync, and the writes are one
 * transaction. Syncing again with nothing changed on Meta's side writes nothing.
 */
export async function syncChannelTemplates(
  deps: TemplateSyncDependencies,
  channel: ChannelRecord,
): Promise<TemplateSyncResult> {
  if (channel.platform !== 'whatsapp')
    return {
      outcome: 'no_account',
      reason: `Messenger Page '${channel.externalId}' has no message templates`,
    }
  const wabaId = channel.wabaId
  if (wabaId === null)
    return {
      outcome: 'no_account',
      reason: `channel '${channel.externalId}' has no waba_id, the WhatsApp Business Account whose message_templates to read: set it with waba_id in the config file or carewindow channel add --waba-id`,
    }
  const read = await readTemplatePages(
    deps.passthroughFor(channel),
    channel,
    wabaId,
    deps.pages ?? TEMPLATE_PAGES_DEFAULTS,
  )
  if (!read.ok) return { outcome: 'failed', wabaId, reason: `${read.reason}; nothing was changed` }
  const converted = templatesFromGraphList({ data: read.entries })
  // A list read from Graph is always an array; only a body that is not one is a problem.
  if (!converted.ok) return { outcome: 'failed', wabaId, reason: converted.problem.details }
  const { templates, skipped } = converted.value
  const unreadable = skipped.filter(
    (entry): entry is SkippedGraphTemplate & TemplateKey => entry.name !== null && entry.language !== null,
  )
  const plan = await deps.store.transaction(async (tx) => {
    const now = deps.clock()
    const planned = planTemplateSync(await tx.listTemplates(channel.id), templates, unreadable, now)
    await tx.upsertTemplates(channel.id, planned.writes, now)
    return planned
  })
  deps.invalidateTemplates?.(channel.id)
  return {
    outcome: 'synced',
    wabaId,
    added: plan.added,
    updated: plan.updated,
    unchanged: plan.unchanged,
    removed: plan.removed,
    skipped,
    pages: read.pages,
  }
}

/** A sync's counts in words, for logs and the command line. */
export function describeSync(result: Extract<TemplateSyncResult, { outcome: 'synced' }>): string {
  return (
    `${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ` +
    `${result.removed} marked deleted, ${result.skipped.length} skipped`
  )
}
