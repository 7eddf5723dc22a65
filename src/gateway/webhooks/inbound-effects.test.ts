import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { channel, T0, tenant } from '../../../test/store/records.js'
import { DEFAULT_POLICY_SETTINGS } from '../../domain/index.js'
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { Store } from '../../store/store.js'
import { KnownContacts } from '../contacts/contacts.js'
import { inboundMessageRecord, recordInbound, type InboundMessage } from './inbound-effects.js'

const CHANNEL = channel()
const CONTACT = '31612345678'

/** A customer's text, as the WhatsApp inbox hands it to `recordInbound`. */
function inbound(messageId: string): InboundMessage {
  const at = T0
  return {
    record: inboundMessageRecord(
      CHANNEL,
      { contactId: CONTACT, externalId: messageId, at, body: { text: { body: 'Hi' } }, receivedAt: at },
      at,
    ),
    channel: CHANNEL,
    contactId: CONTACT,
    event: { kind: 'inbound', at, referral: null, messageType: 'text' },
    profileName: 'Sheena Nelson',
    sentAt: at,
    messageId,
    settings: DEFAULT_POLICY_SETTINGS,
  }
}

describe('recordInbound: the contacts a process knows to be stored', () => {
  let store: Store
  let known: KnownContacts

  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' })
    await store.upsertTenant(tenant())
    await store.upsertChannel(CHANNEL)
    known = new KnownContacts()
  })
  afterEach(async () => {
    await store.close()
  })

  it('learns a customer once their message is committed, with the country stored for them', async () => {
    await store.transaction(async (tx) => {
      expect(await recordInbound(tx, inbound('wamid.1'), T0, known)).toBe(true)
      // Not before the commit: a send racing it must not skip storing a contact that may yet be rolled back.
      expect(known.countryOf(CHANNEL.id, CONTACT)).toBeUndefined()
    })
    const stored = await store.getContact(CHANNEL.id, CONTACT)
    expect(stored?.country).toBe('NL')
    expect(known.countryOf(CHANNEL.id, CONTACT)).toBe(stored?.country)
  })

  it('learns nothing from a transaction that rolls back', async () => {
    await expect(
      store.transaction(async (tx) => {
        await recordInbound(tx, inbound('wamid.1'), T0, known)
        throw new Error('the rest of the notification failed')
      }),
    ).rejects.toThrow('the rest of the notification failed')
    expect(await store.getContact(CHANNEL.id, CONTACT)).toBeUndefined()
    expect(known.countryOf(CHANNEL.id, CONTACT)).toBeUndefined()
  })
})
