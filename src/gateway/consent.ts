import { consentAt, formatInstant, NEW_CONTACT, type ConsentEvent, type Instant } from '../domain/index.js'
import { consentJson } from '../representations/decision-json.js'
import type { ChannelRecord, Store, StoredConsentEvent } from '../store/store.js'
import type { Directory } from './directory.js'
import { emitEvent } from './events.js'

/**
 * Appends an entry to a contact's consent ledger and tells the business (`consent.changed`, with the entry and the
 * consent in force after it). Every way consent changes — the API, a stop keyword, Meta's `user_preferences` —
 * comes through here. Inside a transaction.
 */
export async function appendConsentEvent(
  tx: Store,
  directory: Directory,
  channel: ChannelRecord,
  contactId: string,
  event: ConsentEvent,
  now: Instant,
): Promise<StoredConsentEvent> {
  const stored = await tx.appendConsent(channel.id, contactId, event, now)
  const ledger = await tx.listConsent(channel.id, contactId)
  const state = (await tx.getWindow(channel.id, contactId))?.state ?? NEW_CONTACT
  await emitEvent(tx, {
    type: 'consent.changed',
    channel,
    contactId,
    key: String(stored.id),
    state,
    settings: directory.policyOf(channel).settings,
    at: now,
    data: {
      event: {
        kind: stored.kind,
        scope: stored.scope,
        source: stored.source,
        evidence: stored.evidence ?? null,
        actor: stored.actor ?? null,
        at: formatInstant(stored.at),
      },
      consent: consentJson(consentAt(ledger, now)),
    },
  })
  return stored
}
