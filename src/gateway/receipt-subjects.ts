import type { Platform } from '../domain/index.js'
import type { NotificationParse } from '../channels/whatsapp/notification.js'
import type { ChannelRecord } from '../store/store.js'

/**
 * Which decisions a stored webhook notification can change — its receipt's `subject` — so a decision about one
 * contact waits only for the notifications that can change it, not for a whole storm's backlog:
 *
 * - one contact's ({@link contactSubject}): its messages (windows, stop keywords) and marketing preferences;
 * - none ({@link NO_DECISION}): statuses of sent messages, fields carewindow only relays;
 * - any (`null`): template updates, notifications about several contacts, and anything carewindow cannot read.
 *
 * The subject is read from the same parse the inbox applies, so the two never disagree on a contact's id.
 */
export const NO_DECISION = '-'

/** The subject of what can change decisions about one contact of one channel. */
export function contactSubject(platform: Platform, channelExternalId: string, contactId: string): string {
  return `${platform}:${channelExternalId}:${contactId}`
}

/** The subject of decisions about a contact of a channel: what a send to it waits for. */
export function subjectOf(channel: ChannelRecord, contactId: string): string {
  return contactSubject(channel.platform, channel.externalId, contactId)
}

/** The subject of a WhatsApp notification, from its parse. */
export function whatsappSubject(parse: NotificationParse): string | null {
  if (!parse.ok) return null
  const subjects = new Set<string>()
  for (const change of parse.changes) {
    switch (change.kind) {
      case 'message':
      case 'user_preference':
        subjects.add(contactSubject('whatsapp', change.phoneNumberId, change.contact))
        break
      case 'status':
        break
      case 'template_status':
      case 'template_category':
        return null
    }
  }
  // What the parse skipped is not applied, so it changes nothing either.
  const [only, ...others] = subjects
  if (only === undefined) return NO_DECISION
  return others.length === 0 ? only : null
}
