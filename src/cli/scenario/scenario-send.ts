import { parseWhatsAppContactId, type Intent, type MessengerSender } from '../../domain/index.js'
import { messengerIntent, parseMessengerSend } from '../../channels/messenger/send-body.js'
import { parseWhatsAppSend } from '../../channels/whatsapp/send-body.js'

/** A problem with a send event's `message`, at a path inside it (`to`, `template.name`; empty: the whole body). */
export interface SendProblem {
  readonly path: string
  readonly message: string
}

/** What a scenario's send body comes to: the intent to decide (`null` for a read receipt or a sender action), or its problems. */
export type SendCheck =
  | { readonly ok: true; readonly intent: Intent | null }
  | { readonly ok: false; readonly problems: readonly SendProblem[] }

// Stands in for the recipient while a body whose event has no usable contact is checked (a wa_id and a PSID at
// once); the contact's own problem is reported with the event.
const UNKNOWN_CONTACT = '15550000000'

/**
 * Checks a scenario's send body as the platform's API would, after filling in what a scenario may leave out: the
 * recipient is the event's `contact` (`to` on WhatsApp, `recipient.id` on Messenger) and WhatsApp's
 * `messaging_product` is `"whatsapp"`. A recipient that is given must be that contact. Every problem is returned,
 * not only the first.
 */
export function checkScenarioSend(
  platform: 'whatsapp' | 'messenger',
  message: Readonly<Record<string, unknown>>,
  contact: string | null,
  sender: MessengerSender,
): SendCheck {
  return platform === 'whatsapp'
    ? checkWhatsAppSend(message, contact)
    : checkMessengerSend(message, contact, sender)
}

function checkWhatsAppSend(message: Readonly<Record<string, unknown>>, contact: string | null): SendCheck {
  const problems: SendProblem[] = []
  const body: Record<string, unknown> = { ...message }
  const product = message.messaging_product
  if (product === undefined) body.messaging_product = 'whatsapp'
  else if (product !== 'whatsapp') {
    problems.push({
      path: 'messaging_product',
      message: `${JSON.stringify(product)} is not "whatsapp"; leave it out and the scenario fills it in`,
    })
    body.messaging_product = 'whatsapp'
  }
  const recipientKey = message.to === undefined && message.recipient !== undefined ? 'recipient' : 'to'
  const given = message[recipientKey]
  if (given === undefined) body.to = contact ?? UNKNOWN_CONTACT
  else if (typeof given === 'string' && contact !== null && sameWhatsAppContact(given, contact) === false) {
    problems.push(recipientMismatch(recipientKey, recipientKey, given, contact))
    body[recipientKey] = contact
  }
  const parsed = parseWhatsAppSend(body)
  if (!parsed.ok) problems.push(...locate(parsed.problem.details))
  if (problems.length > 0 || !parsed.ok) return { ok: false, problems }
  return { ok: true, intent: parsed.value.kind === 'mark_read' ? null : parsed.value.intent }
}

function checkMessengerSend(
  message: Readonly<Record<string, unknown>>,
  contact: string | null,
  sender: MessengerSender,
): SendCheck {
  const problems: SendProblem[] = []
  const body: Record<string, unknown> = { ...message }
  const recipient = message.recipient
  if (recipient === undefined) body.recipient = { id: contact ?? UNKNOWN_CONTACT }
  else if (isRecord(recipient) && contact !== null) {
    const id = recipient.id
    if ((typeof id === 'string' || typeof id === 'number') && String(id).trim() !== contact) {
      problems.push(recipientMismatch('recipient.id', 'recipient', String(id), contact))
      body.recipient = { ...recipient, id: contact }
    }
  }
  const parsed = parseMessengerSend(body)
  if (!parsed.ok) problems.push(...locate(parsed.problem.details))
  if (problems.length > 0 || !parsed.ok) return { ok: false, problems }
  return {
    ok: true,
    intent: parsed.value.kind === 'sender_action' ? null : messengerIntent(parsed.value, sender),
  }
}

/** Whether a written recipient is the contact; `null` when it is no contact at all (the body's check says why). */
function sameWhatsAppContact(given: string, contact: string): boolean | null {
  const parsed = parseWhatsAppContactId(given)
  return parsed.ok ? parsed.id === contact : null
}

function recipientMismatch(path: string, field: string, given: string, contact: string): SendProblem {
  return {
    path,
    message: `"${given}" is not the event's contact (${contact}); leave "${field}" out to send to the contact`,
  }
}

// `template.language.code: …` or `[0].type: …`: one located issue as the channels' parsers word them.
const LOCATED = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*): (.+)$/s

/**
 * The channels' parsers answer with Graph's one-line `details`: several schema issues are joined with "; ", each
 * led by its path. Those are split back into located problems; any other text is one problem about the whole body.
 */
export function locate(details: string): SendProblem[] {
  const parts = details.split('; ').map((part) => LOCATED.exec(part))
  if (parts.every((match) => match !== null))
    return parts.map((match) => ({ path: match[1] ?? '', message: match[2] ?? '' }))
  return [{ path: '', message: details }]
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
