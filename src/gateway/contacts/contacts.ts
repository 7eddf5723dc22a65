import {
  countryOfPhoneNumber,
  windowAt,
  type ContactState,
  type Instant,
  type PolicySettings,
} from '../../domain/index.js'
import type { ChannelRecord, ContactRecord, Store, WindowRecord } from '../../store/store.js'

export async function ensureContact(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  now: Instant,
  profileName: string | null = null,
): Promise<ContactRecord> {
  return tx.ensureContact(contactRecord(channel, contactId, now, profileName))
}

/** The contact as first stored: its country read from a WhatsApp number (Messenger's page-scoped ids have none). */
export function contactRecord(
  channel: ChannelRecord,
  contactId: string,
  now: Instant,
  profileName: string | null,
): ContactRecord {
  return {
    channelId: channel.id,
    contactId,
    country: channel.platform === 'whatsapp' ? countryOfPhoneNumber(contactId) : null,
    profileName,
    createdAt: now,
  }
}

/** The window row of a contact's state. */
export function windowRecordOf(
  channel: ChannelRecord,
  contactId: string,
  state: ContactState,
  settings: PolicySettings,
  now: Instant,
): WindowRecord {
  // The stored expiry is the standard window's end, whatever instant it is read at.
  const window = windowAt(channel.platform, state, state.asOf ?? now, settings)
  return {
    channelId: channel.id,
    contactId,
    state,
    lastUserMessageAt: state.lastUserMessageAt,
    expiresAt: window.expiresAt,
    updatedAt: now,
  }
}

/** Contacts a process remembers at most (about 100 bytes each). */
const KNOWN_CONTACTS = 100_000

/**
 * Contacts this process knows to be stored, with the country stored for them. A contact row, once written, never
 * changes its country and is only deleted with its channel (whose id is never reused), so a send to a contact
 * seen before skips writing and reading it again. Every writer stores the country {@link contactRecord} reads
 * from the number, so a customer's message (which upserts its contact) and a send both add theirs. Remember a
 * contact only after the transaction that stored it has committed (`Store.afterCommit`). Bounded: the contacts
 * remembered longest ago are forgotten first.
 */
export class KnownContacts {
  private readonly countries = new Map<string, string | null>()

  constructor(private readonly capacity: number = KNOWN_CONTACTS) {}

  /** The stored country of a contact known to be stored (`null`: none), or `undefined` when not known. */
  countryOf(channelId: string, contactId: string): string | null | undefined {
    return this.countries.get(`${channelId}\n${contactId}`)
  }

  remember(channelId: string, contactId: string, country: string | null): void {
    const key = `${channelId}\n${contactId}`
    if (this.countries.has(key)) return
    if (this.countries.size >= this.capacity) {
      const oldest = this.countries.keys().next()
      if (oldest.done !== true) this.countries.delete(oldest.value)
    }
    this.countries.set(key, country)
  }
}
