import {
  applyEvent,
  countryOfPhoneNumber,
  NEW_CONTACT,
  windowAt,
  type ContactEvent,
  type ContactState,
  type Instant,
  type PolicySettings,
} from '../domain/index.js'
import type { ChannelRecord, ContactRecord, Store } from '../store/store.js'

/**
 * Records an event in a contact's state: creates the contact on first sight, locks its window row for the
 * read-modify-write (concurrent writers never lose each other's events), applies the event with the policy
 * engine's own fold and stores the result. Must run inside a transaction.
 */
export async function recordContactEvent(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  event: ContactEvent,
  settings: PolicySettings,
  now: Instant,
  profileName: string | null = null,
): Promise<{ readonly previous: ContactState; readonly state: ContactState }> {
  const previous =
    (await tx.ensureContactAndLockWindow(contactRecord(channel, contactId, now, profileName))) ?? NEW_CONTACT
  const state = applyEvent(previous, channel.platform, event, settings)
  await saveContactState(tx, channel, contactId, state, settings, now)
  return { previous, state }
}

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
function contactRecord(
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

export async function saveContactState(
  tx: Store,
  channel: ChannelRecord,
  contactId: string,
  state: ContactState,
  settings: PolicySettings,
  now: Instant,
): Promise<void> {
  // The stored expiry is the standard window's end, whatever instant it is read at.
  const window = windowAt(channel.platform, state, state.asOf ?? now, settings)
  await tx.saveWindow({
    channelId: channel.id,
    contactId,
    state,
    lastUserMessageAt: state.lastUserMessageAt,
    expiresAt: window.expiresAt,
    updatedAt: now,
  })
}

/** Contacts a process remembers at most (about 100 bytes each). */
const KNOWN_CONTACTS = 100_000

/**
 * Contacts this process knows to be stored, with the country stored for them. A contact row, once written, never
 * changes its country and is only deleted with its channel (whose id is never reused), so a send to a contact
 * seen before skips writing and reading it again. Remember a contact only after the transaction that stored it
 * has committed. Bounded: the contacts remembered longest ago are forgotten first.
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
