import type { Intent, Platform } from '../../domain/index.js'
import { parseMessengerNotification, type MessengerChange } from '../../channels/messenger/notification.js'
import { parseWhatsAppNotification, type WhatsAppChange } from '../../channels/whatsapp/notification.js'
import type { ChannelRecord } from '../../store/store.js'

/**
 * Which decisions a stored webhook notification can change — its subjects — so a decision about one
 * contact waits only for the notifications that can change it, not for a whole storm's backlog, and is refused
 * only while a notification that concerns it could not be applied:
 *
 * - a contact's ({@link contactSubject}): its messages (windows, stop keywords), marketing preferences, Messenger
 *   events;
 * - a template's ({@link templateSubject}): Meta's status and category updates, which change template sends only;
 * - none: statuses and deliveries of sent messages, fields carewindow only relays.
 *
 * The subjects are read from the same parse the inbox applies, so the two never disagree on a contact's id.
 */

/** The subject of what can change decisions about one contact of one channel. */
export function contactSubject(platform: Platform, channelExternalId: string, contactId: string): string {
  return `${platform}:${channelExternalId}:${contactId}`
}

/** The subject of what can change sends of one WhatsApp template (on any number: a template belongs to an account). */
export function templateSubject(name: string, language: string): string {
  return `template:${language}:${name}`
}

/** The subject of decisions about a contact of a channel: what a send to it waits for. */
export function subjectOf(channel: ChannelRecord, contactId: string): string {
  return contactSubject(channel.platform, channel.externalId, contactId)
}

/**
 * What a decision about sending `intent` to a contact waits for: the notifications about the contact and, for a
 * template, those about the template.
 */
export function decisionSubjects(channel: ChannelRecord, contactId: string, intent?: Intent): string[] {
  const contact = subjectOf(channel, contactId)
  return intent?.kind === 'template'
    ? [contact, templateSubject(intent.template.name, intent.template.language.code)]
    : [contact]
}

/** A notification read for intake: what it can change, or why it is refused. */
export type NotificationSubjects =
  { readonly ok: true; readonly subjects: string[] } | { readonly ok: false; readonly problem: string }

/** Reads a parsed notification body of a platform, as the inbox will, for the subjects it concerns. */
export function notificationSubjects(platform: Platform, json: unknown): NotificationSubjects {
  if (platform === 'whatsapp') {
    const parsed = parseWhatsAppNotification(json)
    return parsed.ok ? { ok: true, subjects: whatsappSubjects(parsed.changes) } : parsed
  }
  const parsed = parseMessengerNotification(json)
  return parsed.ok ? { ok: true, subjects: messengerSubjects(parsed.changes) } : parsed
}

/** What is skipped is not applied, so it changes nothing; each subject is named once. */
export function whatsappSubjects(changes: readonly WhatsAppChange[]): string[] {
  const subjects = new Set<string>()
  for (const change of changes) {
    switch (change.kind) {
      case 'message':
      case 'user_preference':
        subjects.add(contactSubject('whatsapp', change.phoneNumberId, change.contact))
        break
      case 'status':
        break
      case 'template_status':
      case 'template_category':
        subjects.add(templateSubject(change.name, change.language))
        break
    }
  }
  return [...subjects]
}

export function messengerSubjects(changes: readonly MessengerChange[]): string[] {
  const subjects = new Set<string>()
  for (const change of changes)
    if (change.kind === 'inbound') subjects.add(contactSubject('messenger', change.pageId, change.psid))
  return [...subjects]
}
