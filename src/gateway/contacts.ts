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
  await ensureContact(tx, channel, contactId, now, profileName)
  const previous = (await tx.lockWindow(channel.id, contactId)) ?? NEW_CONTACT
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
  return tx.ensureContact({
    channelId: channel.id,
    contactId,
    country: channel.platform === 'whatsapp' ? countryOfPhoneNumber(contactId) : null,
    profileName,
    createdAt: now,
  })
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
