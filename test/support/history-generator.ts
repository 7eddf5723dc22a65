/**
 * Meta webhook notifications as an archive holds them — one POST body per line — for the import and replay tests
 * and the import benchmark. Deterministic: the same options give the same file, byte for byte.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

const ACCOUNT_ID = '102290129340398'

/** How Meta billed a message, as its status's `pricing` says. */
export interface MetaPricing {
  readonly billable: boolean
  readonly pricing_model: 'CBP' | 'PMP'
  readonly type?: 'regular' | 'free_customer_service' | 'free_entry_point'
  readonly category: string
}

function whatsapp(phoneNumberId: string, field: string, value: Record<string, unknown>): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: ACCOUNT_ID,
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  })
}

const seconds = (atMs: number): string => String(Math.floor(atMs / 1000))

/** A customer's text message to a WhatsApp number. */
export function inboundLine(phoneNumberId: string, from: string, id: string, atMs: number, text = 'Hello') {
  return whatsapp(phoneNumberId, 'messages', {
    contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
    messages: [{ from, id, timestamp: seconds(atMs), type: 'text', text: { body: text } }],
  })
}

/** A status of a message the business sent; `pricing` as Meta puts it on one of them. */
export function statusLine(
  phoneNumberId: string,
  recipient: string,
  id: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  atMs: number,
  pricing?: MetaPricing,
) {
  return whatsapp(phoneNumberId, 'messages', {
    statuses: [
      {
        id,
        status,
        timestamp: seconds(atMs),
        recipient_id: recipient,
        ...(pricing === undefined ? {} : { pricing }),
      },
    ],
  })
}

/** A customer's choice to stop (or resume) marketing messages (`user_preferences`). */
export function preferenceLine(
  phoneNumberId: string,
  contact: string,
  value: 'stop' | 'resume',
  atMs: number,
) {
  return whatsapp(phoneNumberId, 'user_preferences', {
    contacts: [{ profile: { name: `Customer ${contact}` }, wa_id: contact }],
    user_preferences: [
      {
        wa_id: contact,
        detail: 'User requested to stop marketing messages',
        category: 'marketing_messages',
        value,
        timestamp: Number(seconds(atMs)),
      },
    ],
  })
}

/** Meta's update of a template's status (imports leave these out). */
export function templateStatusLine(name: string, event: string) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: ACCOUNT_ID,
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event,
              message_template_id: 1,
              message_template_name: name,
              message_template_language: 'en',
            },
          },
        ],
      },
    ],
  })
}

/** A customer's message to a Messenger Page. */
export function messengerLine(pageId: string, psid: string, mid: string, atMs: number, text = 'Hi') {
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: pageId,
        time: atMs,
        messaging: [
          { sender: { id: psid }, recipient: { id: pageId }, timestamp: atMs, message: { mid, text } },
        ],
      },
    ],
  })
}

export interface HistoryFileOptions {
  /** Lines (each one notification). */
  readonly notifications: number
  readonly phoneNumberId: string
  /** A Messenger Page: one line in ten is a message to it. Without it they go to the WhatsApp number. */
  readonly pageId?: string
  /** Distinct customers. */
  readonly contacts: number
  /** The first notification's instant; each next one comes `stepMs` later. */
  readonly startAt: number
  readonly stepMs?: number
}

const CATEGORIES: readonly MetaPricing[] = [
  { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
  { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
  { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
  { billable: true, pricing_model: 'PMP', type: 'regular', category: 'authentication' },
]

/**
 * A mix like a business's traffic, one notification per line: in every 20, nine customer messages, five sends to
 * the customer who wrote last (their `sent` status, with Meta's pricing), two later statuses of sends, a `user_preferences` change, a STOP
 * keyword and two Messenger messages (or two more WhatsApp ones).
 */
export function* historyLines(options: HistoryFileOptions): Generator<string> {
  const step = options.stepMs ?? 60_000
  const number = options.phoneNumberId
  let sent = 0
  // The recipients of the latest sends, for their later statuses.
  const recipients: string[] = []
  // Sends go to the customer who wrote last: replies inside the window, as a business's mostly are.
  let lastWriter = `3161${'0'.repeat(7)}`
  for (let i = 0; i < options.notifications; i++) {
    const at = options.startAt + i * step
    const contact = `3161${String((i * 7919) % options.contacts).padStart(7, '0')}`
    const slot = i % 20
    if (slot < 9 || (slot >= 18 && options.pageId === undefined)) {
      yield inboundLine(number, contact, `wamid.history-in-${i}`, at, `message ${i}`)
      lastWriter = contact
    } else if (slot < 14) {
      const pricing = CATEGORIES[sent % CATEGORIES.length] as MetaPricing
      yield statusLine(number, lastWriter, `wamid.history-out-${sent}`, 'sent', at, pricing)
      recipients[sent % 4] = lastWriter
      sent++
    } else if (slot < 16) {
      const earlier = Math.max(0, sent - 1 - (i % 3))
      const recipient = recipients[earlier % 4] ?? contact
      yield statusLine(
        number,
        recipient,
        `wamid.history-out-${earlier}`,
        slot === 14 ? 'delivered' : 'read',
        at,
      )
    } else if (slot === 16) {
      yield preferenceLine(number, contact, i % 40 === 16 ? 'stop' : 'resume', at)
    } else if (slot === 17) {
      yield inboundLine(number, contact, `wamid.history-in-${i}`, at, 'STOP')
    } else {
      yield messengerLine(options.pageId ?? '', `psid-${contact}`, `m_history-${i}`, at)
    }
  }
}

/** Writes {@link historyLines} to a file, one a line. */
export async function writeHistoryFile(path: string, options: HistoryFileOptions): Promise<void> {
  const stream = createWriteStream(path)
  for (const line of historyLines(options)) {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain')
  }
  stream.end()
  await once(stream, 'finish')
}
