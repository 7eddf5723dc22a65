import { messengerReferralSource } from '../../channels/messenger/inbound-event.js'
import { parseMessengerNotification } from '../../channels/messenger/notification.js'
import { channelsSigning } from '../../channels/signature.js'
import type { ChannelRecord } from '../../store/store.js'
import { inboundMessageRecord, recordInbound } from './inbound-effects.js'
import type { NotificationHandler } from './inbox.js'
import { relayToTenants } from '../outbox/relay.js'
import type { WhatsAppInboxDependencies } from './whatsapp-inbox.js'

/**
 * Applies a stored Messenger notification: messages, postbacks, quick replies, reactions, referrals and opt-ins
 * open and extend the standard window (MSG-1; a click-to-Messenger ad gives 7 days, MSG-AD), deduplicated by
 * `mid`; echoes and read receipts never do; deliveries mark carewindow's messages delivered. Events for a Page
 * whose app secret did not sign the notification are ignored. Then the notification is relayed.
 */
export function messengerNotificationHandler(deps: WhatsAppInboxDependencies): NotificationHandler {
  return async (tx, notification) => {
    const json: unknown = JSON.parse(notification.body)
    const parsed = parseMessengerNotification(json)
    if (!parsed.ok) throw new Error(`not a Messenger notification: ${parsed.problem}`)
    const pages = new Map(
      channelsSigning(
        await deps.directory.channelsOf('messenger', { via: tx }),
        notification.body,
        notification.signature,
      ).map((channel) => [channel.externalId, channel]),
    )
    const concerned = new Set<ChannelRecord>()
    for (const change of parsed.changes) {
      const channel = pages.get(change.pageId)
      if (channel === undefined) {
        deps.logger.warn(
          { notification: notification.id, pageId: change.pageId },
          'notification for an unknown Page, or one whose app secret did not sign it: ignored',
        )
        continue
      }
      concerned.add(channel)
      const now = deps.clock()
      if (change.kind === 'delivery') {
        for (const mid of change.mids) {
          const message = await tx.findMessageByExternalId(channel.id, 'outbound', mid)
          if (message !== undefined && ['pending', 'accepted', 'sent'].includes(message.status))
            await tx.updateMessage(message.id, { status: 'delivered', statusAt: change.at })
        }
        continue
      }
      const { settings } = deps.directory.policyOf(channel)
      const isNew = await recordInbound(
        tx,
        {
          record: inboundMessageRecord(
            channel,
            {
              contactId: change.psid,
              externalId: change.eventId,
              at: change.at,
              body: change.event,
              receivedAt: notification.receivedAt,
            },
            now,
          ),
          channel,
          contactId: change.psid,
          event: {
            kind: 'inbound',
            at: change.at,
            referral:
              change.referralSource === undefined ? null : messengerReferralSource(change.referralSource),
            messageType: change.type,
          },
          profileName: null,
          sentAt: change.at,
          messageId: change.eventId,
          settings,
        },
        now,
        deps.contacts,
      )
      // Meta retries notifications: an event id seen before changes nothing.
      if (isNew) deps.metrics.webhookLag.observe(Math.max(0, now - change.at) / 1000)
    }
    for (const note of parsed.skipped) deps.logger.debug({ notification: notification.id }, note)
    // Echoes, read receipts and the like change no window, but the business still gets them.
    for (const pageId of parsed.pageIds) {
      const channel = pages.get(pageId)
      if (channel !== undefined) concerned.add(channel)
    }
    await relayToTenants(tx, deps.clock(), notification.body, json, [...concerned], 'messenger.notification')
  }
}
