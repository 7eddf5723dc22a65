import type { Logger } from 'pino'
import {
  NEW_CONTACT,
  stopKeywordOptOut,
  TEMPLATE_CATEGORIES,
  TEMPLATE_STATUSES,
  type ConsentEvent,
  type TemplateCategory,
  type TemplateStatus,
} from '../../domain/index.js'
import { whatsappInbound } from '../../channels/whatsapp/inbound-message.js'
import { parseWhatsAppNotification, type WhatsAppChange } from '../../channels/whatsapp/notification.js'
import { channelsSigning } from '../../channels/signature.js'
import type { ChannelRecord, MessageStatus, NotificationRecord, Store } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import { appendConsentEvent } from '../contacts/consent.js'
import { ensureContact, type KnownContacts } from '../contacts/contacts.js'
import { emitEvent } from '../outbox/events.js'
import { inboundMessageRecord, recordInbound } from './inbound-effects.js'
import type { Directory } from '../directory.js'
import type { NotificationHandler } from './inbox.js'
import type { Metrics } from '../metrics.js'
import { relayToTenants } from '../outbox/relay.js'
import { reconcileBilling } from './billing-reconciliation.js'
import { templateSyncJob } from '../templates/template-sync-jobs.js'

export interface WhatsAppInboxDependencies {
  readonly directory: Directory
  readonly clock: Clock
  readonly metrics: Metrics
  readonly logger: Logger
  /** The contacts this process knows to be stored: a customer's message adds theirs once applied. */
  readonly contacts?: KnownContacts
}

// Later statuses never go back: a late `delivered` does not undo `read`. `failed` is final.
const STATUS_RANK: Readonly<Record<string, number>> = {
  pending: 0,
  accepted: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  played: 5,
  failed: 6,
}

/**
 * Applies a stored WhatsApp notification: inbound messages open and extend windows (CCW-1/4/8, FEP-1) keyed by
 * phone number id and `wa_id`, deduplicated by message id; stop keywords and `user_preferences` stops become
 * opt-outs; statuses update the messages carewindow sent and keep Meta's `pricing`; template status and category
 * updates change the templates. Changes for a phone number whose app secret did not sign the notification are
 * ignored. Then the notification is relayed to the businesses it concerns.
 */
export function whatsappNotificationHandler(deps: WhatsAppInboxDependencies): NotificationHandler {
  return async (tx, notification) => {
    const json: unknown = JSON.parse(notification.body)
    const parsed = parseWhatsAppNotification(json)
    if (!parsed.ok) throw new Error(`not a WhatsApp notification: ${parsed.problem}`)
    for (const note of parsed.skipped) deps.logger.debug({ notification: notification.id }, note)
    const channels = await signedChannels(deps.directory, tx, notification)
    const concerned = new Set<ChannelRecord>()
    for (const change of parsed.changes) {
      if (change.kind === 'template_status' || change.kind === 'template_category') {
        // Templates belong to a WhatsApp Business Account: with its id configured, only its numbers change.
        const accountChannels = channels.all.filter(
          (channel) =>
            channel.wabaId === null || change.accountId === null || channel.wabaId === change.accountId,
        )
        for (const channel of accountChannels) {
          if (await applyTemplateChange(tx, channel, change, deps)) concerned.add(channel)
        }
        continue
      }
      const channel = channels.byPhoneNumberId.get(change.phoneNumberId)
      if (channel === undefined) {
        deps.logger.warn(
          { notification: notification.id, phoneNumberId: change.phoneNumberId },
          'notification for an unknown phone number, or one whose app secret did not sign it: ignored',
        )
        continue
      }
      concerned.add(channel)
      await applyChange(tx, channel, change, notification, deps)
    }
    await relayToTenants(tx, deps.clock(), notification.body, json, [...concerned], 'whatsapp.notification')
  }
}

async function signedChannels(
  directory: Directory,
  tx: Store,
  notification: NotificationRecord,
): Promise<{ readonly all: ChannelRecord[]; readonly byPhoneNumberId: Map<string, ChannelRecord> }> {
  const all = channelsSigning(
    await directory.channelsOf('whatsapp', { via: tx }),
    notification.body,
    notification.signature,
  )
  return { all, byPhoneNumberId: new Map(all.map((channel) => [channel.externalId, channel])) }
}

async function applyChange(
  tx: Store,
  channel: ChannelRecord,
  change: Exclude<WhatsAppChange, { kind: 'template_status' | 'template_category' }>,
  notification: NotificationRecord,
  deps: WhatsAppInboxDependencies,
): Promise<void> {
  const now = deps.clock()
  const { settings } = deps.directory.policyOf(channel)
  switch (change.kind) {
    case 'message': {
      const inbound = whatsappInbound(change.message, change.at)
      const isNew = await recordInbound(
        tx,
        {
          record: inboundMessageRecord(
            channel,
            {
              contactId: change.contact,
              externalId: change.messageId,
              at: change.at,
              body: change.message,
              receivedAt: notification.receivedAt,
            },
            now,
          ),
          channel,
          contactId: change.contact,
          event: inbound.event,
          profileName: change.profileName,
          sentAt: change.at,
          messageId: change.messageId,
          settings,
        },
        now,
        deps.contacts,
      )
      // Meta retries notifications: a message id seen before changes nothing.
      if (!isNew) return
      deps.metrics.webhookLag.observe(Math.max(0, now - change.at) / 1000)
      const optOut = inbound.text === null ? null : stopKeywordOptOut(inbound.text, change.at, settings)
      if (optOut !== null)
        await appendConsentEvent(tx, deps.directory, channel, change.contact, optOut, now, {
          stampedToTheSecond: true,
        })
      return
    }
    case 'status': {
      const message = await tx.findMessageByExternalId(channel.id, 'outbound', change.messageId)
      if (message === undefined) return
      const current = STATUS_RANK[message.status] ?? 0
      const next = STATUS_RANK[change.status]
      const isNewer =
        next !== undefined && (next > current || (next === current && change.at > message.statusAt))
      if (change.pricing !== null)
        await reconcileBilling(tx, deps.metrics, channel, message, change.pricing, settings, now)
      await tx.updateMessage(message.id, {
        ...(isNewer ? { status: change.status as MessageStatus, statusAt: change.at } : {}),
        // Meta sends `pricing` on one of the statuses only; keep it whenever it comes.
        ...(change.pricing === null ? {} : { metaPricingJson: JSON.stringify(change.pricing) }),
        ...(change.errors === null ? {} : { errorJson: JSON.stringify(change.errors) }),
      })
      if (isNewer) {
        await emitEvent(tx, {
          type: 'message.status',
          channel,
          contactId: message.contactId,
          key: `${message.id}:${change.status}`,
          state: (await tx.getWindow(channel.id, message.contactId))?.state ?? NEW_CONTACT,
          settings,
          at: now,
          data: {
            message_id: message.id,
            wamid: change.messageId,
            status: change.status,
            pricing: change.pricing,
            errors: change.errors,
          },
        })
      }
      return
    }
    case 'user_preference': {
      await ensureContact(tx, channel, change.contact, now)
      // Meta retries notifications, and an import may bring one received before. A choice has no id of its own: the
      // same choice in the same second, when it is the latest one of that second, is the one recorded already.
      const kind = change.value === 'stop' ? 'opt_out' : 'opt_in'
      if (latestChoiceInSecond(await tx.listConsent(channel.id, change.contact), change.at) === kind) return
      await appendConsentEvent(
        tx,
        deps.directory,
        channel,
        change.contact,
        {
          kind,
          scope: 'marketing',
          source: 'user_preferences',
          ...(change.detail === null ? {} : { evidence: change.detail }),
          actor: 'contact',
          at: change.at,
        },
        now,
        { stampedToTheSecond: true },
      )
      return
    }
  }
}

/**
 * Whether the channel had the template and it changed. A template the channel does not have yet (created on Meta's
 * side: the webhook of its review comes before anything else) has the channel's templates synced with its account
 * soon after — a job in this transaction, so the notification is not applied without it.
 */
async function applyTemplateChange(
  tx: Store,
  channel: ChannelRecord,
  change: Extract<WhatsAppChange, { kind: 'template_status' | 'template_category' }>,
  deps: WhatsAppInboxDependencies,
): Promise<boolean> {
  const template = await tx.getTemplate(channel.id, change.name, change.language)
  const now = deps.clock()
  if (template === undefined) {
    const isGone = change.kind === 'template_status' && change.event === 'DELETED'
    if (channel.wabaId !== null && !isGone) await tx.scheduleJob(templateSyncJob(channel, now), now)
    return false
  }
  if (change.kind === 'template_status') {
    // FLAGGED is a quality warning on an approved template; REINSTATED lifts a pause. A deleted template is kept,
    // marked DELETED, as a sync marks one Meta no longer lists: sends of it are refused with the reason.
    const status = change.event === 'REINSTATED' ? 'APPROVED' : change.event
    if (!(TEMPLATE_STATUSES as readonly string[]).includes(status)) return false
    await tx.upsertTemplate(channel.id, { ...template, status: status as TemplateStatus }, now)
  } else {
    const category = change.newCategory.toUpperCase()
    if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(category) || category === template.category)
      return false
    await tx.upsertTemplate(
      channel.id,
      {
        ...template,
        category: category as TemplateCategory,
        categoryChanges: [...(template.categoryChanges ?? []), { at: now, previous: template.category }],
      },
      now,
    )
  }
  deps.directory.invalidateTemplates(channel.id)
  return true
}

/** The kind of the last `user_preferences` entry stamped in the second of `at` (the ledger is in order), if any. */
function latestChoiceInSecond(ledger: readonly ConsentEvent[], at: number): ConsentEvent['kind'] | null {
  const second = Math.floor(at / 1000)
  let latest: ConsentEvent['kind'] | null = null
  for (const entry of ledger)
    if (
      entry.source === 'user_preferences' &&
      entry.scope === 'marketing' &&
      Math.floor(entry.at / 1000) === second
    )
      latest = entry.kind
  return latest
}
